package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;

/** Exp-1: element-wise e^x; folded on a constant. */
final class ExpTranslator {

    private ExpTranslator() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        IrReader.Val x = in.get(0);
        if (x.isConst()) {
            Lit v = x.lit();
            float[] out = new float[v.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) Math.exp(v.get(i));
            }
            return List.of(IrReader.Val.constant(Lit.floats(v.isFloat() ? v.type : ElementType.F32, v.shape, out,
                    l.name())));
        }
        return List.of(l.addNode(new Op.Exp(), List.of(x.name())));
    }
}
