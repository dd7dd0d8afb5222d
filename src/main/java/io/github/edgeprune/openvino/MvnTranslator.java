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
        int[] axes = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < -rank || raw[i] >= rank) {
                throw l.fail("axis " + raw[i] + " is out of range for rank " + rank);
            }
            axes[i] = (int) (raw[i] < 0 ? raw[i] + rank : raw[i]);
        }
        double eps = l.attrDouble("eps");
        String mode = l.attrChoice("eps_mode", null, "inside_sqrt", "outside_sqrt");
        boolean normalize = l.attrBool("normalize_variance", true);
        return List.of(l.addNode(new Op.Mvn(axes, normalize, eps, mode.equals("inside_sqrt")), List.of(x.name())));
    }
}
