package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;

/** SoftMax-1 and -8 (-8 allows a negative axis) on run-time data. */
final class SoftMaxTranslator {

    private SoftMaxTranslator() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        IrReader.Val x = l.runtime(in.get(0), "SoftMax input");
        long axis = l.has("axis") ? l.attrLong("axis") : 1;
        int rank = x.shape().length;
        if (axis < -rank || axis >= rank) {
            throw l.fail("axis " + axis + " is out of range for rank " + rank);
        }
        return List.of(l.addNode(new Op.Softmax((int) (axis < 0 ? axis + rank : axis)), List.of(x.name())));
    }
}
