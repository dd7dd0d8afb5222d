package io.github.edgeprune.graph;

import java.util.Arrays;

/** A named graph input; a dimension of -1 is given at run time (the batch, for our own graphs). */
public record GraphInput(String name, long[] shape) {

    public GraphInput {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
