package io.github.edgeprune.openvino;

import java.util.List;

/**
 * PriorBoxClustered-1, which depends only on shapes: folded to a constant [2, H·W·P·4] of
 * normalised (xmin, ymin, xmax, ymax) per cell (row-major over H, W) and prior, then the
 * variances repeated. Centre of cell (h, w): ((w + offset)·step_w, (h + offset)·step_h); a
 * prior of width/height (ws, hs) spans ±ws/2, ±hs/2 around it, divided by the image width and
 * height; {@code clip} limits every coordinate to [0, 1]. Steps: step_w/step_h; when both are 0,
 * {@code step}; when that is 0 too, image size / feature map size.
 */
final class PriorBoxClusteredTranslator {

    private PriorBoxClusteredTranslator() {
    }

    static List<IrReader.Val> translate(LayerContext l, List<IrReader.Val> in) {
        if (in.size() != 2) {
            throw l.fail("needs 2 inputs (output size, image size), got " + in.size());
        }
        long[] layer = l.constOf(in.get(0), "the feature map size").asLongs();
        long[] image = l.constOf(in.get(1), "the image size").asLongs();
        if (layer.length != 2 || image.length != 2) {
            throw l.fail("the output and image sizes must have 2 elements, got " + layer.length + " and " + image.length);
        }
        double[] widths = l.attrDoubles("width", new double[] {1.0});
        double[] heights = l.attrDoubles("height", new double[] {1.0});
        if (widths.length != heights.length) {
            throw l.fail(widths.length + " widths but " + heights.length + " heights");
        }
        double[] variance = l.attrDoubles("variance", new double[0]);
        if (variance.length == 0) {
            variance = new double[] {0.1};
        }
        if (variance.length != 1 && variance.length != 4) {
            throw l.fail("variance needs 1 or 4 values, got " + variance.length);
        }
        boolean clip = l.attrBool("clip", true);
        double offset = l.attrDouble("offset");
        double stepW = l.attrDouble("step_w", 0);
        double stepH = l.attrDouble("step_h", 0);
        if (stepW == 0 && stepH == 0) {
            double step = l.attrDouble("step", 0);
            stepW = step;
            stepH = step;
        }
        long lh = layer[0];
        long lw = layer[1];
        double imgH = image[0];
        double imgW = image[1];
        if (lh <= 0 || lw <= 0 || imgH <= 0 || imgW <= 0) {
            throw l.fail("feature map " + lh + "x" + lw + " or image " + image[0] + "x" + image[1] + " is empty");
        }
        if (stepW == 0 && stepH == 0) {
            stepW = imgW / lw;
            stepH = imgH / lh;
        }
        int priors = widths.length;
        long count = lh * lw * priors * 4;
        if (count > Integer.MAX_VALUE / 2) {
            throw l.fail("too many priors: " + count);
        }
        float[] out = new float[(int) (2 * count)];
        int at = 0;
        for (long h = 0; h < lh; h++) {
            for (long w = 0; w < lw; w++) {
                double cx = (w + offset) * stepW;
                double cy = (h + offset) * stepH;
                for (int s = 0; s < priors; s++) {
                    double[] box = {(cx - widths[s] / 2) / imgW, (cy - heights[s] / 2) / imgH,
                        (cx + widths[s] / 2) / imgW, (cy + heights[s] / 2) / imgH};
                    for (int k = 0; k < 4; k++) {
                        double v = clip ? Math.min(Math.max(box[k], 0), 1) : box[k];
                        out[at] = (float) v;
                        out[(int) count + at] = (float) variance[variance.length == 1 ? 0 : k];
                        at++;
                    }
                }
            }
        }
        return List.of(IrReader.Val.constant(Lit.floats(ElementType.F32, new long[] {2, count}, out, l.name())));
    }
}
