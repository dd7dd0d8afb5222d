package io.github.edgeprune.train;

import java.util.ArrayList;
import java.util.List;

/**
 * YOLOv5's {@code ComputeLoss.build_targets}, on the host: which predictions of each detection
 * level answer for which label.
 *
 * <p>A label matches an anchor when its width and height are within a factor {@code anchor_t} of the
 * anchor's ({@code max(r, 1/r) < anchor_t} for both ratios). Each match is then also given to up
 * to two neighbouring cells: the left (up) neighbour when the centre's fractional part is below 0.5
 * and the centre is more than one cell from the left (top) border, the right (down) neighbour when
 * the fractional part measured from the other side is below 0.5 and the centre is more than one cell
 * from that border. Matches are listed in YOLOv5's order (offset, then anchor, then label), which
 * matters where two matches land on the same prediction: the later one sets the objectness target.
 */
public final class TargetAssigner {

    /** Offsets (x, y) of the centre cell and its four neighbours, times g = 0.5. */
    private static final float[][] OFFSETS = {{0, 0}, {0.5f, 0}, {0, 0.5f}, {-0.5f, 0}, {0, -0.5f}};
    private static final float G = 0.5f;

    private TargetAssigner() {
    }

    /**
     * The matches of one level.
     *
     * @param image image index in the batch
     * @param anchor anchor index
     * @param gj grid row (clamped to the map)
     * @param gi grid column (clamped to the map)
     * @param cls class of the label
     * @param box target box (x, y offset from the unclamped cell, w, h), grid units, 4 per match
     * @param anchorWh the matched anchor's (w, h), grid units, 2 per match
     */
    public record Level(int[] image, int[] anchor, int[] gj, int[] gi, int[] cls, float[] box, float[] anchorWh) {
        public int size() {
            return image.length;
        }
    }

    /**
     * Assigns labels to the predictions of every level.
     *
     * @param targets rows (image, class, cx, cy, w, h), normalised to 0..1
     * @param anchors per level, na × 2 anchor sizes in grid units (the Detect {@code anchors} buffer)
     * @param gridShapes per level, {ny, nx}
     * @param anchorT hyp anchor_t
     */
    public static List<Level> assign(float[][] targets, float[][][] anchors, int[][] gridShapes, double anchorT) {
        List<Level> out = new ArrayList<>();
        int nt = targets.length;
        for (int level = 0; level < anchors.length; level++) {
            float[][] anc = anchors[level];
            int na = anc.length;
            int ny = gridShapes[level][0];
            int nx = gridShapes[level][1];
            // matches (anchor-major, then label), in grid units
            List<float[]> matched = new ArrayList<>(); // image, cls, x, y, w, h, anchor
            for (int a = 0; a < na; a++) {
                for (int t = 0; t < nt; t++) {
                    float[] r = targets[t];
                    float w = r[4] * nx;
                    float h = r[5] * ny;
                    float rw = w / anc[a][0];
                    float rh = h / anc[a][1];
                    float worst = Math.max(Math.max(rw, 1 / rw), Math.max(rh, 1 / rh));
                    if (worst < anchorT) {
                        matched.add(new float[] {r[0], r[1], r[2] * nx, r[3] * ny, w, h, a});
                    }
                }
            }
            // neighbour flags for each match: centre, left, up, right, down
            int m = matched.size();
            boolean[][] use = new boolean[5][m];
            for (int k = 0; k < m; k++) {
                float gx = matched.get(k)[2];
                float gy = matched.get(k)[3];
                float gxi = nx - gx;
                float gyi = ny - gy;
                use[0][k] = true;
                use[1][k] = pyMod1(gx) < G && gx > 1;
                use[2][k] = pyMod1(gy) < G && gy > 1;
                use[3][k] = pyMod1(gxi) < G && gxi > 1;
                use[4][k] = pyMod1(gyi) < G && gyi > 1;
            }
            List<int[]> idx = new ArrayList<>();
            List<float[]> boxes = new ArrayList<>();
            List<float[]> whs = new ArrayList<>();
            for (int o = 0; o < 5; o++) {
                for (int k = 0; k < m; k++) {
                    if (!use[o][k]) {
                        continue;
                    }
                    float[] t = matched.get(k);
                    float gx = t[2];
                    float gy = t[3];
                    // (gxy - offsets).long(): truncation towards zero
                    long gi = (long) (gx - OFFSETS[o][0]);
                    long gj = (long) (gy - OFFSETS[o][1]);
                    int a = (int) t[6];
                    idx.add(new int[] {(int) t[0], a, (int) clamp(gj, ny - 1), (int) clamp(gi, nx - 1), (int) t[1]});
                    boxes.add(new float[] {gx - gi, gy - gj, t[4], t[5]});
                    whs.add(new float[] {anc[a][0], anc[a][1]});
                }
            }
            int n = idx.size();
            int[] b = new int[n];
            int[] an = new int[n];
            int[] gj = new int[n];
            int[] gi = new int[n];
            int[] c = new int[n];
            float[] box = new float[n * 4];
            float[] wh = new float[n * 2];
            for (int k = 0; k < n; k++) {
                int[] v = idx.get(k);
                b[k] = v[0];
                an[k] = v[1];
                gj[k] = v[2];
                gi[k] = v[3];
                c[k] = v[4];
                System.arraycopy(boxes.get(k), 0, box, k * 4, 4);
                System.arraycopy(whs.get(k), 0, wh, k * 2, 2);
            }
            out.add(new Level(b, an, gj, gi, c, box, wh));
        }
        return out;
    }

    /** Python's {@code x % 1} for floats (result in [0, 1) also for negative x). */
    private static float pyMod1(float x) {
        float r = x % 1f;
        return r < 0 ? r + 1f : r;
    }

    private static long clamp(long v, long max) {
        return Math.max(0, Math.min(max, v));
    }
}
