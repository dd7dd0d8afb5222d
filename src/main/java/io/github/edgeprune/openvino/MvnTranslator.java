package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;

/** MVN-6: axes from a constant second input; {@code eps}, {@code eps_mode} (inside_sqrt / outside_sqrt), {@code normalize_variance}. */
final class MvnTranslator {

    private MvnTranslator() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        if (in.size() != 2) {
            throw l.fail("needs 2 inputs (data, axes), got " + in.size());
        }
        IrReader.Val x = l.runtime(in.get(0), "MVN input");
        long[] raw = l.constOf(in.get(1), "the axes").asLongs();
        int rank = x.shape().length;
        int[] axes = l.axes(raw, rank);
        double eps = l.attrDouble("eps");
        String mode = l.attrChoice("eps_mode", null, "inside_sqrt", "outside_sqrt");
        boolean normalize = l.attrBool("normalize_variance", true);
        return List.of(l.addNode(new Op.Mvn(axes, normalize, eps, mode.equals("inside_sqrt")), List.of(x.name())));
    }
}
