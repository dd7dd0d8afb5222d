package io.github.edgeprune.executor;

import io.github.edgeprune.graph.Op;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * OpenVINO's DetectionOutput-8 (Caffe SSD's DetectionOutput) in plain Java, for normalised priors:
 * decode every prior's box from its logits (CENTER_SIZE or CORNER, variances from the priors input
 * unless encoded in the target), optionally clip to [0, 1]; per class other than the background,
 * the priors whose confidence is above the threshold, best first (ties: lower prior index first),
 * at most {@code topK} of them, go through greedy NMS (IoU above {@code nmsThreshold} suppresses);
 * of all that survive, the best {@code keepTopK} per image are written, by class and within a
 * class best first, as (image_id, label, confidence, xmin, ymin, xmax, ymax).
 */
final class DetectionOutputKernel {

    private DetectionOutputKernel() {
    }

    private record Det(int label, int prior, float score) {
    }

    /**
     * @param loc box logits, [batch, priors·4] (shared location) or [batch, priors·classes·4]
     * @param conf confidences, [batch, priors·classes]
     * @param priors [priorBatch, 1 or 2, priors·4]
     * @return [1, 1, batch·keepTopK, 7], row-major
     */
    static float[] run(Op.DetectionOutput d, float[] loc, float[] conf, float[] priors, int batch, int numPriors,
            int classes, int priorBatch) {
        int rows = batch * d.keepTopK();
        float[] out = new float[rows * 7];
        int written = 0;
        int priorRows = d.varianceEncodedInTarget() ? 1 : 2;
        int locClasses = d.shareLocation() ? 1 : classes;
        for (int b = 0; b < batch; b++) {
            int pOff = (priorBatch == 1 ? 0 : b) * priorRows * numPriors * 4;
            // decoded boxes [locClasses][priors][4]
            float[][] boxes = new float[locClasses][numPriors * 4];
            for (int lc = 0; lc < locClasses; lc++) {
                for (int p = 0; p < numPriors; p++) {
                    int li = (b * numPriors * locClasses + p * locClasses + lc) * 4;
                    decode(d, priors, pOff + p * 4, d.varianceEncodedInTarget() ? -1 : pOff + numPriors * 4 + p * 4, loc,
                            li, boxes[lc], p * 4);
                }
            }
            List<Det> kept = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                if (c == d.backgroundLabelId()) {
                    continue;
                }
                float[] bx = boxes[d.shareLocation() ? 0 : c];
                List<Det> cand = new ArrayList<>();
                for (int p = 0; p < numPriors; p++) {
                    float s = conf[b * numPriors * classes + p * classes + c];
                    if (s > d.confidenceThreshold()) {
                        cand.add(new Det(c, p, s));
                    }
                }
                cand.sort(BEST_FIRST);
                if (d.topK() > -1 && cand.size() > d.topK()) {
                    cand = new ArrayList<>(cand.subList(0, d.topK()));
                }
                List<Det> survivors = new ArrayList<>();
                for (Det x : cand) {
                    boolean keep = true;
                    for (Det k : survivors) {
                        if (iou(bx, x.prior() * 4, bx, k.prior() * 4) > d.nmsThreshold()) {
                            keep = false;
                            break;
                        }
                    }
                    if (keep) {
                        survivors.add(x);
                    }
                }
                kept.addAll(survivors);
            }
            if (kept.size() > d.keepTopK()) {
                kept.sort(BEST_FIRST);
                kept = new ArrayList<>(kept.subList(0, d.keepTopK()));
            }
            kept.sort(Comparator.comparingInt(Det::label).thenComparing(BEST_FIRST));
            for (Det k : kept) {
                float[] bx = boxes[d.shareLocation() ? 0 : k.label()];
                int o = written * 7;
                out[o] = b;
                out[o + 1] = k.label();
                out[o + 2] = k.score();
                for (int i = 0; i < 4; i++) {
                    float v = bx[k.prior() * 4 + i];
                    out[o + 3 + i] = d.clipAfterNms() ? clip01(v) : v;
                }
                written++;
            }
        }
        if (written < rows) {
            out[written * 7] = -1;
        }
        return out;
    }

    /** Higher score first; equal scores: lower prior index first. */
    private static final Comparator<Det> BEST_FIRST = (a, b) -> {
        int c = Float.compare(b.score(), a.score());
        return c != 0 ? c : Integer.compare(a.prior(), b.prior());
    };

    private static void decode(Op.DetectionOutput d, float[] priors, int pi, int vi, float[] loc, int li, float[] dst,
            int di) {
        float pxmin = priors[pi];
        float pymin = priors[pi + 1];
        float pxmax = priors[pi + 2];
        float pymax = priors[pi + 3];
        float[] v = new float[4];
        for (int i = 0; i < 4; i++) {
            v[i] = vi < 0 ? 1f : priors[vi + i];
        }
        float xmin;
        float ymin;
        float xmax;
        float ymax;
        if (d.centerSize()) {
            float pw = pxmax - pxmin;
            float ph = pymax - pymin;
            float pcx = (pxmin + pxmax) / 2;
            float pcy = (pymin + pymax) / 2;
            float cx = v[0] * loc[li] * pw + pcx;
            float cy = v[1] * loc[li + 1] * ph + pcy;
            float w = (float) Math.exp(v[2] * loc[li + 2]) * pw;
            float h = (float) Math.exp(v[3] * loc[li + 3]) * ph;
            xmin = cx - w / 2;
            ymin = cy - h / 2;
            xmax = cx + w / 2;
            ymax = cy + h / 2;
        } else {
            xmin = pxmin + v[0] * loc[li];
            ymin = pymin + v[1] * loc[li + 1];
            xmax = pxmax + v[2] * loc[li + 2];
            ymax = pymax + v[3] * loc[li + 3];
        }
        if (d.clipBeforeNms()) {
            xmin = clip01(xmin);
            ymin = clip01(ymin);
            xmax = clip01(xmax);
            ymax = clip01(ymax);
        }
        dst[di] = xmin;
        dst[di + 1] = ymin;
        dst[di + 2] = xmax;
        dst[di + 3] = ymax;
    }

    private static float clip01(float v) {
        return Math.max(0f, Math.min(1f, v));
    }

    /** Intersection over union of two normalised corner boxes; boxes that do not overlap give 0. */
    static double iou(float[] a, int ai, float[] b, int bi) {
        double ix = Math.min(a[ai + 2], b[bi + 2]) - Math.max(a[ai], b[bi]);
        double iy = Math.min(a[ai + 3], b[bi + 3]) - Math.max(a[ai + 1], b[bi + 1]);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        double inter = ix * iy;
        double union = area(a, ai) + area(b, bi) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    private static double area(float[] x, int i) {
        double w = x[i + 2] - x[i];
        double h = x[i + 3] - x[i + 1];
        return w < 0 || h < 0 ? 0 : w * h;
    }
}
