package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import io.github.edgeprune.tensor.HostTensor;
import java.util.List;

/**
 * ReduceMax/Min/Sum/Mean/Prod-1: axes from a constant second input, {@code keep_dims} (default
 * false). On a constant (shape sub-graphs: ReduceProd of a shape's slice) the result is folded,
 * integers staying integers; on run-time data it becomes {@link Op.Reduce}.
 */
final class ReduceTranslator {

    private ReduceTranslator() {
    }

    static LayerTranslator of(Op.Reduce.Kind kind) {
        return (l, in) -> translate(kind, l, in);
    }

    private static List<IrReader.Val> translate(Op.Reduce.Kind kind, LayerContext l, List<IrReader.Val> in) {
        if (in.size() != 2) {
            throw l.fail("needs 2 inputs (data, axes), got " + in.size());
        }
        IrReader.Val x = in.get(0);
        long[] raw = l.constOf(in.get(1), "the axes").asLongs();
        boolean keep = l.attrBool("keep_dims", false);
        int rank = x.shape().length;
        int[] axes = l.axes(raw, rank);
        if (x.isConst()) {
            return List.of(IrReader.Val.constant(fold(kind, x.lit(), axes, keep, l.name())));
        }
        return List.of(l.addNode(new Op.Reduce(kind, axes, keep), List.of(x.name())));
    }

    /** The reduction of a constant, element by element. */
    static Lit fold(Op.Reduce.Kind kind, Lit x, int[] axes, boolean keep, String origin) {
        long[] keptShape = Op.reducedShape(x.shape, axes, true);
        long[] outShape = Op.reducedShape(x.shape, axes, keep);
        int n = (int) HostTensor.elementCount(keptShape);
        double[] acc = new double[n];
        long[] accL = new long[n];
        long[] count = new long[n];
        long[] outStrides = Lit.strides(keptShape);
        int rank = x.shape.length;
        long[] pos = new long[rank];
        for (int i = 0; i < x.size(); i++) {
            int o = 0;
            for (int d = 0; d < rank; d++) {
                o += (int) ((keptShape[d] == 1 ? 0 : pos[d]) * outStrides[d]);
            }
            double v = x.get(i);
            long lv = x.getLong(i);
            if (count[o] == 0) {
                acc[o] = v;
                accL[o] = lv;
            } else {
                switch (kind) {
                    case MAX -> {
                        acc[o] = Math.max(acc[o], v);
                        accL[o] = Math.max(accL[o], lv);
                    }
                    case MIN -> {
                        acc[o] = Math.min(acc[o], v);
                        accL[o] = Math.min(accL[o], lv);
                    }
                    case PROD -> {
                        acc[o] *= v;
                        accL[o] *= lv;
                    }
                    default -> {
                        acc[o] += v;
                        accL[o] += lv;
                    }
                }
            }
            count[o]++;
            for (int d = rank - 1; d >= 0; d--) {
                if (++pos[d] < x.shape[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        if (x.isFloat()) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) (kind == Op.Reduce.Kind.MEAN ? acc[i] / count[i] : acc[i]);
            }
            return Lit.floats(x.type, outShape, out, origin);
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = kind == Op.Reduce.Kind.MEAN ? accL[i] / count[i] : accL[i];
        }
        return Lit.longs(x.type, outShape, out, origin);
    }
}
