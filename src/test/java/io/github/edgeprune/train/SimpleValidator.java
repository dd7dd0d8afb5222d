package io.github.edgeprune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.yolo.YoloModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * A deliberately simple stand-in for the project's evaluator, for tests on square generated images
 * of the training size: inference, per-class NMS (IoU 0.6), greedy IoU-0.5 matching, AP50 by
 * 101-point interpolation per class, precision and recall at confidence 0.25. mAP50-95 is reported
 * as AP at IoU 0.5 only (good enough for a learning check, not a metric).
 */
final class SimpleValidator implements Validator {

    private final TrainData val;

    SimpleValidator(TrainData val) {
        this.val = val;
    }

    @Override
    public Metrics validate(YoloModel model, int imgsz, int epoch) {
        int nc = model.names().size();
        List<float[]> dets = new ArrayList<>(); // image, cls, conf, x1, y1, x2, y2
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(model.fusedGraph(imgsz), m)) {
            int batch = 16;
            for (int from = 0; from < val.size(); from += batch) {
                int count = Math.min(batch, val.size() - from);
                float[] data = new float[count * 3 * imgsz * imgsz];
                for (int i = 0; i < count; i++) {
                    Mat img = Imgcodecs.imread(val.image(from + i).toString());
                    if (img.rows() != imgsz || img.cols() != imgsz) {
                        throw new IllegalStateException("simple validator needs " + imgsz + " px square images");
                    }
                    System.arraycopy(Augment.toChwRgb(img), 0, data, i * 3 * imgsz * imgsz, 3 * imgsz * imgsz);
                    img.release();
                }
                NDArray out = ex.forward(m.create(data, new Shape(count, 3, imgsz, imgsz)), GraphExecutor.Mode.INFERENCE)
                        .get(0);
                long[] shape = out.getShape().getShape();
                float[] o = out.toFloatArray();
                int rows = (int) shape[1];
                int no = (int) shape[2];
                for (int i = 0; i < count; i++) {
                    List<float[]> cand = new ArrayList<>();
                    for (int r = 0; r < rows; r++) {
                        int b = (i * rows + r) * no;
                        float obj = o[b + 4];
                        int best = 0;
                        for (int c = 1; c < nc; c++) {
                            if (o[b + 5 + c] > o[b + 5 + best]) {
                                best = c;
                            }
                        }
                        float conf = obj * o[b + 5 + best];
                        if (conf > 0.001f) {
                            cand.add(new float[] {from + i, best, conf, o[b] - o[b + 2] / 2, o[b + 1] - o[b + 3] / 2,
                                o[b] + o[b + 2] / 2, o[b + 1] + o[b + 3] / 2});
                        }
                    }
                    cand.sort(Comparator.comparingDouble((float[] d) -> -d[2]));
                    List<float[]> kept = new ArrayList<>();
                    for (float[] d : cand) {
                        boolean keep = true;
                        for (float[] k : kept) {
                            if (k[1] == d[1] && iou(k, d) > 0.6) {
                                keep = false;
                                break;
                            }
                        }
                        if (keep) {
                            kept.add(d);
                            if (kept.size() == 300) {
                                break;
                            }
                        }
                    }
                    dets.addAll(kept);
                }
            }
        }
        double apSum = 0;
        int classesWithLabels = 0;
        long tp25 = 0;
        long fp25 = 0;
        long labels = 0;
        for (int c = 0; c < nc; c++) {
            List<float[]> gts = new ArrayList<>();
            for (int i = 0; i < val.size(); i++) {
                for (float[] l : val.labels(i)) {
                    if ((int) l[0] == c) {
                        gts.add(new float[] {i, c, 1, (l[1] - l[3] / 2) * imgsz, (l[2] - l[4] / 2) * imgsz,
                            (l[1] + l[3] / 2) * imgsz, (l[2] + l[4] / 2) * imgsz});
                    }
                }
            }
            int cls = c;
            List<float[]> dc = dets.stream().filter(d -> (int) d[1] == cls).sorted(Comparator.comparingDouble(d -> -d[2]))
                    .toList();
            labels += gts.size();
            if (gts.isEmpty()) {
                continue;
            }
            classesWithLabels++;
            boolean[] used = new boolean[gts.size()];
            double[] recall = new double[dc.size()];
            double[] precision = new double[dc.size()];
            int tp = 0;
            for (int k = 0; k < dc.size(); k++) {
                float[] d = dc.get(k);
                int match = -1;
                double bestIou = 0.5;
                for (int g = 0; g < gts.size(); g++) {
                    if (!used[g] && gts.get(g)[0] == d[0]) {
                        double v = iou(gts.get(g), d);
                        if (v >= bestIou) {
                            bestIou = v;
                            match = g;
                        }
                    }
                }
                if (match >= 0) {
                    used[match] = true;
                    tp++;
                    if (d[2] >= 0.25) {
                        tp25++;
                    }
                } else if (d[2] >= 0.25) {
                    fp25++;
                }
                recall[k] = (double) tp / gts.size();
                precision[k] = (double) tp / (k + 1);
            }
            // precision envelope, 101-point interpolation
            double[] env = Arrays.copyOf(precision, precision.length);
            for (int k = env.length - 2; k >= 0; k--) {
                env[k] = Math.max(env[k], env[k + 1]);
            }
            double ap = 0;
            for (int q = 0; q <= 100; q++) {
                double r = q / 100.0;
                double p = 0;
                for (int k = 0; k < recall.length; k++) {
                    if (recall[k] >= r) {
                        p = env[k];
                        break;
                    }
                }
                ap += p / 101;
            }
            apSum += ap;
        }
        double map50 = classesWithLabels == 0 ? 0 : apSum / classesWithLabels;
        double p = tp25 + fp25 == 0 ? 0 : (double) tp25 / (tp25 + fp25);
        double r = labels == 0 ? 0 : (double) tp25 / labels;
        return new Metrics(p, r, map50, map50);
    }

    private static double iou(float[] a, float[] b) {
        double iw = Math.max(0, Math.min(a[5], b[5]) - Math.max(a[3], b[3]));
        double ih = Math.max(0, Math.min(a[6], b[6]) - Math.max(a[4], b[4]));
        double inter = iw * ih;
        double ua = (a[5] - a[3]) * (a[6] - a[4]) + (b[5] - b[3]) * (b[6] - b[4]) - inter;
        return ua <= 0 ? 0 : inter / ua;
    }
}
