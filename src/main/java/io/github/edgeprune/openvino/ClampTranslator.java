package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;

/** Clamp-1: {@code min(max(x, min), max)}; folded on a constant. */
final class ClampTranslator {

    private ClampTranslator() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        double min = l.attrDouble("min");
        double max = l.attrDouble("max");
        if (!(min <= max)) {
            throw l.fail("min " + min + " is above max " + max);
        }
        IrReader.Val x = in.get(0);
        if (x.isConst()) {
            Lit v = x.lit();
            if (!v.isFloat()) {
                // integers: OpenVINO rounds the bounds (min up, max down)
                long lo = (long) Math.ceil(min);
                long hi = (long) Math.floor(max);
                long[] out = new long[v.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Math.max(lo, Math.min(hi, v.getLong(i)));
                }
                return List.of(IrReader.Val.constant(Lit.longs(v.type, v.shape, out, l.name())));
            }
            float[] out = new float[v.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) Math.max(min, Math.min(max, v.get(i)));
            }
            return List.of(IrReader.Val.constant(Lit.floats(v.type, v.shape, out, l.name())));
        }
        return List.of(l.addNode(new Op.Clamp(min, max), List.of(x.name())));
    }
}
