package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;

/**
 * DetectionOutput-8 with its three mandatory inputs (box logits, confidences, priors) and
 * normalised priors, as {@link Op.DetectionOutput}. Refused with the layer named: the two extra
 * inputs (ARM objectness), {@code decrease_label_id}, {@code normalized="false"}, code type
 * CORNER_SIZE, {@code keep_top_k} of -1 (the output would have no static size).
 */
final class DetectionOutputTranslator {

    private DetectionOutputTranslator() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        if (in.size() != 3) {
            throw l.fail(in.size() + " inputs are not supported (only box logits, confidences and priors)");
        }
        if (l.attrBool("decrease_label_id", false)) {
            throw l.fail("decrease_label_id=\"true\" is not supported");
        }
        if (!l.attrBool("normalized", true)) {
            throw l.fail("normalized=\"false\" is not supported");
        }
        String code = l.attrChoice("code_type", "caffe.PriorBoxParameter.CORNER", "caffe.priorboxparameter.center_size",
                "caffe.priorboxparameter.corner");
        long[] keepTopK = l.attrLongs("keep_top_k", null);
        if (keepTopK.length != 1 || keepTopK[0] <= 0) {
            throw l.fail("keep_top_k=\"" + l.attr("keep_top_k", "") + "\" is not supported (only one positive value)");
        }
        long topK = l.has("top_k") ? l.attrLong("top_k") : -1;
        Op.DetectionOutput op = new Op.DetectionOutput((int) (l.has("background_label_id") ? l.attrLong("background_label_id") : 0),
                (int) topK, (int) keepTopK[0], l.attrDouble("confidence_threshold", 0), l.attrDouble("nms_threshold"),
                code.endsWith("center_size"), l.attrBool("variance_encoded_in_target", false),
                l.attrBool("share_location", true), l.attrBool("clip_before_nms", false),
                l.attrBool("clip_after_nms", false));
        IrReader.Val loc = l.runtime(in.get(0), "box logits input");
        IrReader.Val conf = l.runtime(in.get(1), "confidence input");
        try {
            return List.of(l.addNode(op, List.of(loc.name(), conf.name(), l.input(in.get(2)))));
        } catch (IllegalArgumentException e) {
            throw l.fail(e.getMessage());
        }
    }
}
