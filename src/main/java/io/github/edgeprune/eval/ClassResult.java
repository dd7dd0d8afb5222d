package io.github.edgeprune.eval;

/**
 * One class's row of the results table.
 *
 * @param cls class index
 * @param images images holding at least one label of the class
 * @param instances labels of the class
 */
public record ClassResult(int cls, int images, int instances, double precision, double recall, double map50,
        double map50_95) {
}
