package io.github.edgeprune.train;

/**
 * Validation results of one epoch as YOLOv5's val.py reports them: precision and recall at the
 * max-F1 confidence, mAP at IoU 0.5 and mAP over IoU 0.50:0.05:0.95.
 */
public record Metrics(double precision, double recall, double map50, double map50to95) {

    /** No validation ran. */
    public static final Metrics NONE = new Metrics(0, 0, 0, 0);

    /** YOLOv5's fitness: 0.1·mAP50 + 0.9·mAP50-95. */
    public double fitness() {
        return 0.1 * map50 + 0.9 * map50to95;
    }
}
