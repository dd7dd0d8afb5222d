package io.github.edgeprune.eval;

import io.github.edgeprune.data.Letterbox;
import io.github.edgeprune.data.Sample;
import java.util.Arrays;

/**
 * val.py's statistics, image by image: for every detection whether it is a true positive at each
 * of the 10 IoU thresholds 0.50:0.05:0.95 ({@link #match}, val.py's {@code process_batch}), its
 * confidence and class, and the classes of all labels. {@link #metrics()} then runs
 * {@code ap_per_class}. Needs no model: the detections of an image may come from anywhere (a device
 * agent, a file), as long as they are in original image pixels.
 */
public final class DetectionStats {

    public static final int IOU_LEVELS = 10;

    /** {@code torch.linspace(0.5, 0.95, 10)} in float32, as torch's CPU kernel computes it. */
    private static final float[] IOUV = new float[IOU_LEVELS];

    static {
        float start = 0.5f;
        float end = 0.95f;
        float step = (end - start) / (IOU_LEVELS - 1);
        for (int i = 0; i < IOU_LEVELS; i++) {
            IOUV[i] = i < IOU_LEVELS / 2 ? start + step * i : end - step * (IOU_LEVELS - i - 1);
        }
    }

    private final int nc;
    private int images;
    private int detections;
    private int[] correct = new int[1024];
    private float[] conf = new float[1024];
    private int[] predCls = new int[1024];
    private int labels;
    private int[] targetCls = new int[1024];
    private final int[] imagesPerClass;

    public DetectionStats(int nc) {
        this.nc = nc;
        this.imagesPerClass = new int[nc];
    }

    public static float[] iouThresholds() {
        return IOUV.clone();
    }

    /**
     * Adds one image of a data set whose detections are in original pixels; its labels are put in
     * pixels the way val.py does at input size {@code imgsz}.
     */
    public void add(Sample sample, Detections detections, int imgsz) {
        Letterbox lb = Letterbox.of(sample.height(), sample.width(), imgsz);
        add(Boxes.labelsToOriginal(sample.labels(), lb), detections);
    }

    /**
     * Adds one image: its labels {@code {cls, x1, y1, x2, y2}} and its detections, both in original
     * image pixels. Images without detections still count their labels; images without labels count
     * their detections as false positives.
     */
    public void add(float[][] labelsPx, Detections dets) {
        images++;
        boolean[] seen = new boolean[nc];
        for (float[] l : labelsPx) {
            int c = (int) l[0];
            if (c < 0 || c >= nc) {
                throw new IllegalArgumentException("label class " + c + " outside 0.." + (nc - 1));
            }
            if (labels == targetCls.length) {
                targetCls = Arrays.copyOf(targetCls, labels * 2);
            }
            targetCls[labels++] = c;
            if (!seen[c]) {
                seen[c] = true;
                imagesPerClass[c]++;
            }
        }
        int n = dets.size();
        if (n == 0) {
            return;
        }
        int[] tp = labelsPx.length == 0 ? new int[n] : match(dets, labelsPx);
        if (detections + n > correct.length) {
            int cap = Math.max(correct.length * 2, detections + n);
            correct = Arrays.copyOf(correct, cap);
            conf = Arrays.copyOf(conf, cap);
            predCls = Arrays.copyOf(predCls, cap);
        }
        for (int i = 0; i < n; i++) {
            correct[detections] = tp[i];
            conf[detections] = dets.conf(i);
            predCls[detections] = dets.cls(i);
            detections++;
        }
    }

    /**
     * val.py v7.0 {@code process_batch}: per detection a bit mask, bit {@code t} set when the
     * detection is a true positive at IoU threshold {@code t}. At each threshold the (label,
     * detection) pairs of the same class with IoU at or above it are taken; each detection keeps its
     * pair of highest IoU (equal IoU: the later label, as numpy's reversed argsort leaves it), and
     * then each label keeps the first detection (lowest index, i.e. highest confidence) that chose
     * it, which is what the two {@code np.unique} calls do.
     */
    public static int[] match(Detections d, float[][] labels) {
        int nd = d.size();
        int nl = labels.length;
        int[] mask = new int[nd];
        if (nd == 0 || nl == 0) {
            return mask;
        }
        float[] iou = new float[nl * nd];
        for (int l = 0; l < nl; l++) {
            float[] lb = labels[l];
            for (int i = 0; i < nd; i++) {
                iou[l * nd + i] = Boxes.iou(lb[1], lb[2], lb[3], lb[4], d.x1(i), d.y1(i), d.x2(i), d.y2(i));
            }
        }
        int[] best = new int[nd];
        int[] winner = new int[nl];
        for (int t = 0; t < IOU_LEVELS; t++) {
            float thr = IOUV[t];
            for (int i = 0; i < nd; i++) {
                int c = d.cls(i);
                int b = -1;
                float bestIou = 0;
                for (int l = 0; l < nl; l++) {
                    float v = iou[l * nd + i];
                    if (v >= thr && (int) labels[l][0] == c && (b < 0 || v >= bestIou)) {
                        b = l;
                        bestIou = v;
                    }
                }
                best[i] = b;
            }
            Arrays.fill(winner, -1);
            for (int i = 0; i < nd; i++) {
                if (best[i] >= 0 && winner[best[i]] < 0) {
                    winner[best[i]] = i;
                    mask[i] |= 1 << t;
                }
            }
        }
        return mask;
    }

    /** Images added ({@code seen}). */
    public int images() {
        return images;
    }

    /** Labels added. */
    public int instances() {
        return labels;
    }

    public int detections() {
        return detections;
    }

    /** Images that hold at least one label of each class. */
    public int[] imagesPerClass() {
        return imagesPerClass.clone();
    }

    /** {@code ap_per_class} and val.py's means over what has been added. */
    public Metrics metrics() {
        return Metrics.compute(Arrays.copyOf(correct, detections), Arrays.copyOf(conf, detections),
                Arrays.copyOf(predCls, detections), Arrays.copyOf(targetCls, labels), nc);
    }
}
