package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layer types {@link IrReader} translates through a {@link LayerTranslator} rather than its
 * own switch: type → (first opset of the version, translator), latest first. A type in neither
 * is refused by the reader's support check.
 */
final class LayerTranslators {

    private record Entry(int sinceOpset, LayerTranslator translator) {
    }

    private static final Map<String, List<Entry>> TABLE = new HashMap<>();

    static {
        TABLE.put("Clamp", List.of(new Entry(1, ClampTranslator::translate)));
        TABLE.put("Exp", List.of(new Entry(1, ExpTranslator::translate)));
        TABLE.put("SoftMax", List.of(new Entry(8, SoftMaxTranslator::translate), new Entry(1, SoftMaxTranslator::translate)));
        TABLE.put("ReduceMax", List.of(new Entry(1, ReduceTranslator.of(Op.Reduce.Kind.MAX))));
        TABLE.put("ReduceMin", List.of(new Entry(1, ReduceTranslator.of(Op.Reduce.Kind.MIN))));
        TABLE.put("ReduceSum", List.of(new Entry(1, ReduceTranslator.of(Op.Reduce.Kind.SUM))));
        TABLE.put("ReduceMean", List.of(new Entry(1, ReduceTranslator.of(Op.Reduce.Kind.MEAN))));
        TABLE.put("ReduceProd", List.of(new Entry(1, ReduceTranslator.of(Op.Reduce.Kind.PROD))));
        TABLE.put("MVN", List.of(new Entry(6, MvnTranslator::translate)));
        TABLE.put("PriorBoxClustered", List.of(new Entry(1, PriorBoxClusteredTranslator::translate)));
        TABLE.put("DetectionOutput", List.of(new Entry(8, DetectionOutputTranslator::translate)));
    }

    private LayerTranslators() {
    }

    /** The translator for a layer type and version ("opset8"), or null when there is none. */
    static LayerTranslator find(String type, String version) {
        List<Entry> entries = TABLE.get(type);
        if (entries == null || version == null || !version.startsWith("opset")) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(version.substring(5));
        } catch (NumberFormatException e) {
            return null;
        }
        if (n > IrReader.MAX_OPSET) {
            return null;
        }
        for (Entry e : entries) {
            if (n >= e.sinceOpset()) {
                return e.translator();
            }
        }
        return null;
    }
}
