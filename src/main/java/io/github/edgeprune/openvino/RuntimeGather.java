package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;

/**
 * Gather (1, 7, 8) of run-time data at constant indices that pick one index (a scalar: the axis
 * is dropped) or a run of consecutive ones: a Slice, then a Reshape for the scalar. Intel's
 * detector heads take batch 0 this way ({@code Gather(x[1, C, H, W], 0, axis 0)} → [C, H, W]).
 * Other index patterns, and {@code batch_dims}, are refused naming the layer.
 */
final class RuntimeGather {

    private RuntimeGather() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        IrReader.Val x = in.get(0);
        Lit indices = l.constOf(in.get(1), "the indices of a Gather of run-time data");
        Lit axisLit = l.constOf(in.get(2), "the axis");
        if (l.has("batch_dims") && l.attrLong("batch_dims") != 0) {
            throw l.fail("batch_dims is not supported");
        }
        long[] xs = x.shape();
        int rank = xs.length;
        long axis = axisLit.getLong(0);
        if (axisLit.size() != 1 || axis < -rank || axis >= rank) {
            throw l.fail("axis " + axis + " is out of range for rank " + rank);
        }
        int a = (int) (axis < 0 ? axis + rank : axis);
        long dim = xs[a];
        long[] ix = indices.asLongs();
        for (int i = 0; i < ix.length; i++) {
            ix[i] = ix[i] < 0 ? ix[i] + dim : ix[i];
            if (ix[i] < 0 || ix[i] >= dim) {
                throw l.fail("index " + indices.getLong(i) + " out of range for " + dim);
            }
            if (i > 0 && ix[i] != ix[i - 1] + 1) {
                throw l.fail("indices that are not one run of consecutive values are not supported on run-time data");
            }
        }
        if (ix.length == 0 || indices.rank() > 1) {
            throw l.fail("indices of shape " + java.util.Arrays.toString(indices.shape) + " are not supported on run-time data");
        }
        Op.Slice slice = new Op.Slice(new int[] {a}, new long[] {ix[0]}, new long[] {ix[ix.length - 1] + 1}, new long[] {1});
        if (indices.rank() == 1) {
            return List.of(l.addNode(slice, List.of(x.name())));
        }
        // a scalar index: slice, then drop the axis
        IrReader.Val sliced = l.addNode(slice, List.of(x.name()));
        long[] out = new long[rank - 1];
        for (int d = 0, j = 0; d < rank; d++) {
            if (d != a) {
                out[j++] = xs[d];
            }
        }
        return List.of(l.addNode(new Op.Reshape(out), List.of(sliced.name())));
    }
}
