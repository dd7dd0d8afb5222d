package io.github.edgeprune.eval;

import java.util.Arrays;

/**
 * YOLOv5 v7.0 {@code non_max_suppression} for one image, as val.py calls it (multi-label,
 * class-aware), computed in float32 the way torch and torchvision do:
 * <ol>
 * <li>rows whose objectness is above {@code conf} are candidates; their class scores are
 * multiplied by the objectness; each (row, class) with a score above {@code conf} becomes a box,
 * its xywh turned into corners;</li>
 * <li>if there are more than {@code maxNms} boxes, only the best {@code maxNms} are kept;</li>
 * <li>boxes are offset by {@code class * 7680} (so classes never overlap) and greedily suppressed
 * in descending score: a box goes when its IoU with a kept box is above {@code iou}
 * (torchvision's rule, computed on the offset float32 coordinates as torchvision does);</li>
 * <li>at most {@code maxDet} boxes are kept, best first.</li>
 * </ol>
 * Equal scores keep the order of the (row, class) pairs. Only the boxes of the same class are
 * compared, and work stops once {@code maxDet} boxes are kept, which gives torchvision's result
 * (a box is only ever suppressed by a kept box of higher score) at a fraction of the cost.
 */
public final class Nms {

    /** val.py's {@code max_wh}: the class offset of the batched-NMS trick. */
    public static final float MAX_WH = 7680f;

    private Nms() {
    }

    /** NMS of one image's raw rows {@code [rows, columns]} (flattened), with the settings' thresholds. */
    public static Detections run(float[] raw, int columns, EvalSettings s) {
        if (raw.length % columns != 0) {
            throw new IllegalArgumentException(raw.length + " values are not whole rows of " + columns);
        }
        return run(raw, 0, raw.length / columns, columns, s.conf(), s.iou(), s.maxDet(), s.maxNms());
    }

    /**
     * NMS of raw rows {@code [rows, columns]} starting at {@code offset}: {@code columns = 5 + nc},
     * each row {@code cx, cy, w, h, obj, class scores...}. Returns boxes in the same pixels.
     */
    public static Detections run(float[] raw, int offset, int rows, int columns, double confThres, double iouThres,
            int maxDet, int maxNms) {
        int nc = columns - 5;
        if (nc < 1) {
            throw new IllegalArgumentException("rows need 5 + nc >= 6 columns, got " + columns);
        }
        if ((long) rows * nc > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many rows for NMS: " + rows + " x " + nc + " classes");
        }
        if (raw.length < offset + (long) rows * columns) {
            throw new IllegalArgumentException("raw output too short: " + raw.length + " < " + (offset + (long) rows * columns));
        }
        float conf = (float) confThres; // torch compares float32 with the threshold cast to float32

        // 1. candidates as sortable keys: high 32 bits the score (positive floats order as ints),
        // low 32 bits MAX - (row * nc + cls), so that equal scores keep the (row, class) order
        long[] keys = new long[1024];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            int base = offset + r * columns;
            float obj = raw[base + 4];
            if (!(obj > conf)) {
                continue;
            }
            for (int c = 0; c < nc; c++) {
                float score = raw[base + 5 + c] * obj;
                if (score > conf) {
                    if (n == keys.length) {
                        keys = Arrays.copyOf(keys, n * 2);
                    }
                    keys[n++] = ((long) Float.floatToRawIntBits(score) << 32) | (Integer.MAX_VALUE - (r * nc + c));
                }
            }
        }
        if (n == 0) {
            return Detections.EMPTY;
        }

        // 2. the best maxNms, ascending, so that the walk goes from the end
        int from = 0;
        if (n > maxNms) {
            from = n - maxNms;
            select(keys, 0, n - 1, from);
        }
        Arrays.sort(keys, from, n);

        // 3. greedy suppression within each class, on float32 offset boxes as torchvision
        float[] kx1 = new float[maxDet];
        float[] ky1 = new float[maxDet];
        float[] kx2 = new float[maxDet];
        float[] ky2 = new float[maxDet];
        float[] karea = new float[maxDet];
        int[] next = new int[maxDet];
        int[] head = new int[nc];
        Arrays.fill(head, -1);
        float[] out = new float[maxDet * Detections.COLUMNS];
        int kept = 0;
        for (int k = n - 1; k >= from && kept < maxDet; k--) {
            long key = keys[k];
            float score = Float.intBitsToFloat((int) (key >>> 32));
            int idx = Integer.MAX_VALUE - (int) (key & 0xFFFFFFFFL);
            int r = idx / nc;
            int c = idx - r * nc;
            int base = offset + r * columns;
            float cx = raw[base];
            float cy = raw[base + 1];
            float hw = raw[base + 2] / 2f;
            float hh = raw[base + 3] / 2f;
            float x1 = cx - hw;
            float y1 = cy - hh;
            float x2 = cx + hw;
            float y2 = cy + hh;
            float off = c * MAX_WH;
            float ox1 = x1 + off;
            float oy1 = y1 + off;
            float ox2 = x2 + off;
            float oy2 = y2 + off;
            float area = (ox2 - ox1) * (oy2 - oy1);
            boolean suppressed = false;
            for (int q = head[c]; q >= 0; q = next[q]) {
                float xx1 = Math.max(kx1[q], ox1);
                float yy1 = Math.max(ky1[q], oy1);
                float xx2 = Math.min(kx2[q], ox2);
                float yy2 = Math.min(ky2[q], oy2);
                float w = Math.max(0f, xx2 - xx1);
                float h = Math.max(0f, yy2 - yy1);
                float inter = w * h;
                float ovr = inter / (karea[q] + area - inter);
                if ((double) ovr > iouThres) { // torchvision compares the float IoU with a double
                    suppressed = true;
                    break;
                }
            }
            if (suppressed) {
                continue;
            }
            kx1[kept] = ox1;
            ky1[kept] = oy1;
            kx2[kept] = ox2;
            ky2[kept] = oy2;
            karea[kept] = area;
            next[kept] = head[c];
            head[c] = kept;
            int o = kept * Detections.COLUMNS;
            out[o] = x1;
            out[o + 1] = y1;
            out[o + 2] = x2;
            out[o + 3] = y2;
            out[o + 4] = score;
            out[o + 5] = c;
            kept++;
        }
        return Detections.wrap(kept == maxDet ? out : Arrays.copyOf(out, kept * Detections.COLUMNS));
    }

    /** Moves the k-th smallest key to index k, smaller ones before it, larger after (keys are distinct). */
    static void select(long[] a, int lo, int hi, int k) {
        while (hi > lo) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            long pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
