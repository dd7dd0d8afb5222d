package io.github.edgeprune.yolo;

import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;

/** Supplies the tensor for each parameter the graph builder declares. */
public interface WeightSource {

    /** How a freshly initialised tensor is filled (PyTorch's and YOLOv5's defaults). */
    enum Init {
        /** kaiming_uniform(a=√5): U(-1/√fanIn, 1/√fanIn). */
        CONV_WEIGHT,
        /** U(-1/√fanIn, 1/√fanIn) plus {@link Spec#derived()} (Detect's prior offsets). */
        CONV_BIAS,
        ONES,
        ZEROS,
        /** BatchNorm's num_batches_tracked. */
        COUNTER,
        /** The value the architecture itself gives, in {@link Spec#derived()} (anchors). */
        DERIVED
    }

    /**
     * What the builder needs.
     *
     * @param name PyTorch state_dict name
     * @param shape the shape the architecture needs
     * @param kind weight or buffer
     * @param init how to fill it when the source has no value of its own
     * @param fanIn fan-in for the convolution initialisers
     * @param derived the architecture's own value or offsets, for CONV_BIAS and DERIVED
     */
    record Spec(String name, long[] shape, Parameter.Kind kind, Init init, long fanIn, HostTensor derived) {
    }

    HostTensor tensor(Spec spec);

    /**
     * The shape the source holds for a name, or null when it has none (fresh initialisation). The
     * builder reads convolution widths from it, so a channel-pruned model builds with its own widths.
     */
    default long[] storedShape(String name) {
        return null;
    }
}
