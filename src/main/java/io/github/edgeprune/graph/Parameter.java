package io.github.edgeprune.graph;

import io.github.edgeprune.tensor.HostTensor;

/**
 * A named tensor of a graph. Names follow PyTorch's state_dict ({@code model.0.conv.weight}) so
 * a bundle written from the graph loads back into YOLOv5.
 *
 * @param kind WEIGHT is trained and counted as a parameter; BUFFER is state that is saved but not
 *     trained (running statistics, anchors); CONSTANT is derived when the graph is built (grids,
 *     scalars) and never saved.
 */
public record Parameter(String name, HostTensor tensor, Kind kind) {

    public enum Kind { WEIGHT, BUFFER, CONSTANT }

    public Parameter {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("parameter needs a name");
        }
    }

    public Parameter withTensor(HostTensor replacement) {
        return new Parameter(name, replacement, kind);
    }
}
