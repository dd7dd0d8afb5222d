package io.github.edgeprune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** YOLOv5's loss pieces against values worked out by hand. */
class LossTest {

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void ciouOfShiftedSquares() {
        // [1,3]x[1,3] and [2,4]x[1,3]: inter 2, union 6 -> IoU 1/3; enclosing 3x2 -> c² 13; centres 1 apart -> ρ² 1;
        // same aspect -> v 0. CIoU = 1/3 - 1/13 = 10/39
        double expected = 1.0 / 3 - 1.0 / 13;
        assertEquals(expected, ciou(new double[] {2, 2, 2, 2}, new double[] {3, 2, 2, 2}), 1e-6);
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.create(new float[] {2, 2, 2, 2, 0, 0, 2, 1}, new Shape(2, 4));
            NDArray b = m.create(new float[] {3, 2, 2, 2, 0, 0, 1, 2}, new Shape(2, 4));
            float[] c = BoxIou.ciou(a, b, m).toFloatArray();
            assertEquals(expected, c[0], 1e-6);
            // 2x1 and 1x2 boxes on one centre: inter 1, union 3 -> IoU 1/3; ρ² 0;
            // v = 4/π²·(atan(1/2) - atan(2))², α = v / (v - IoU + 1)
            double v = 4 / (Math.PI * Math.PI) * Math.pow(Math.atan(0.5) - Math.atan(2), 2);
            double alpha = v / (v - 1.0 / 3 + 1);
            assertEquals(1.0 / 3 - v * alpha, c[1], 1e-6);
            assertEquals(0.2995808, c[1], 1e-6);
        }
    }

    @Test
    void targetsGoToMatchingAnchorsAndNeighbourCells() {
        // one 4x4 level, anchors (grid units) 1x1, 2x2, 4x0.5; anchor_t 4
        float[][][] anchors = {{{1, 1}, {2, 2}, {4, 0.5f}}};
        float[][] targets = {
            // image 0, class 1, centre (1.2, 2.4) cells, 1x1 cells: fraction 0.2 / 0.4 -> left and up neighbours
            {0, 1, 0.3f, 0.6f, 0.25f, 0.25f},
            // image 1, class 0, centre (2.7, 0.3) cells, 2x2 cells: right neighbour only (y is within a cell of the top)
            {1, 0, 0.675f, 0.075f, 0.5f, 0.5f},
        };
        TargetAssigner.Level lv = TargetAssigner.assign(targets, anchors, new int[][] {{4, 4}}, 4.0).get(0);
        // anchor 2 (4 x 0.5) matches neither: 1/0.25 = 4 and 2/0.5 = 4 are not below 4
        // order: offset (centre, left, up, right, down), then anchor, then label
        assertArrayEquals(new int[] {0, 1, 0, 1, 0, 0, 0, 0, 1, 1}, lv.image());
        assertArrayEquals(new int[] {0, 0, 1, 1, 0, 1, 0, 1, 0, 1}, lv.anchor());
        assertArrayEquals(new int[] {1, 2, 1, 2, 0, 0, 1, 1, 3, 3}, lv.gi());
        assertArrayEquals(new int[] {2, 0, 2, 0, 2, 2, 1, 1, 0, 0}, lv.gj());
        assertArrayEquals(new int[] {1, 0, 1, 0, 1, 1, 1, 1, 0, 0}, lv.cls());
        // box offsets from the (unclamped) cell: centre (0.2, 0.4), left neighbour (1.2, 0.4), up (0.2, 1.4),
        // the second label's centre (0.7, 0.3) and right neighbour (-0.3, 0.3)
        float[] box = lv.box();
        assertArrayEquals(new float[] {0.2f, 0.4f, 1, 1}, java.util.Arrays.copyOfRange(box, 0, 4), 1e-5f);
        assertArrayEquals(new float[] {0.7f, 0.3f, 2, 2}, java.util.Arrays.copyOfRange(box, 4, 8), 1e-5f);
        assertArrayEquals(new float[] {1.2f, 0.4f, 1, 1}, java.util.Arrays.copyOfRange(box, 16, 20), 1e-5f);
        assertArrayEquals(new float[] {0.2f, 1.4f, 1, 1}, java.util.Arrays.copyOfRange(box, 24, 28), 1e-5f);
        assertArrayEquals(new float[] {-0.3f, 0.3f, 2, 2}, java.util.Arrays.copyOfRange(box, 32, 36), 1e-5f);
        assertArrayEquals(new float[] {2, 2}, java.util.Arrays.copyOfRange(lv.anchorWh(), 18, 20));
    }

    @Test
    void noTargetsNoMatches() {
        TargetAssigner.Level lv = TargetAssigner.assign(new float[0][], new float[][][] {{{1, 1}}}, new int[][] {{2, 2}},
                4.0).get(0);
        assertEquals(0, lv.size());
    }

    @Test
    void totalLossOfAFixedPrediction() {
        // one level, one anchor (1x1 cells), 2x2 grid, 2 classes, batch 1, imgsz 640;
        // all logits 0 except x = 1 and objectness = 2 at cell (0, 0)
        int no = 7;
        float[] raw = new float[4 * no];
        raw[0] = 1f;
        raw[4] = 2f;
        float[][] targets = {{0, 1, 0.25f, 0.25f, 0.5f, 0.5f}}; // centre cell (0, 0), box (0.5, 0.5, 1, 1)
        Hyp hyp = Hyp.defaults();
        ComputeLoss loss = new ComputeLoss(hyp, 2, new float[][][] {{{1, 1}}}, 640);
        try (NDManager m = manager.newSubManager()) {
            NDArray p = m.create(raw, new Shape(1, 1, 2, 2, no));
            ComputeLoss.Result r = loss.compute(List.of(p), targets, m);
            double sx = 1 / (1 + Math.exp(-1));
            double px = sx * 2 - 0.5; // 0.9621
            double ciou = ciou(new double[] {px, 0.5, 1, 1}, new double[] {0.5, 0.5, 1, 1});
            assertEquals(0.2998, ciou, 1e-4);
            // gains for nl = 1: box 0.05·3, obj 1.0·(640/640)²·3, cls 0.5·2/80·3; balance 4.0 for the single level
            double box = 0.15 * (1 - ciou);
            double objCell = 2 - 2 * ciou + Math.log(1 + Math.exp(-2)); // BCE(2, iou)
            double obj = 3 * 4.0 * (objCell + 3 * Math.log(2)) / 4;
            double cls = 0.5 * 2 / 80 * 3 * Math.log(2); // BCE(0, 0) = BCE(0, 1) = ln 2
            assertEquals(box, r.box(), 1e-6);
            assertEquals(obj, r.obj(), 1e-5);
            assertEquals(cls, r.cls(), 1e-6);
            assertEquals(box + obj + cls, r.total().getFloat(), 1e-5);
        }
    }

    @Test
    void singleClassHasNoClassLossAndTotalScalesWithBatch() {
        float[] raw = new float[2 * 4 * 6];
        float[][] targets = {{1, 0, 0.25f, 0.25f, 0.5f, 0.5f}};
        ComputeLoss loss = new ComputeLoss(Hyp.defaults(), 1, new float[][][] {{{1, 1}}}, 320);
        try (NDManager m = manager.newSubManager()) {
            ComputeLoss.Result r = loss.compute(List.of(m.create(raw, new Shape(2, 1, 2, 2, 6))), targets, m);
            assertEquals(0, r.cls());
            assertEquals(2 * (r.box() + r.obj()), r.total().getFloat(), 1e-6);
            // all logits 0: BCE ln 2 everywhere; obj gain 1.0·(320/640)²·3, balance 4
            assertEquals(0.75 * 4 * Math.log(2), r.obj(), 1e-6);
        }
    }

    /** {@link BoxIou#ciou(NDArray, NDArray, NDManager)} on the host, in double: boxes (cx, cy, w, h). */
    static double ciou(double[] a, double[] b) {
        double b1x1 = a[0] - a[2] / 2;
        double b1x2 = a[0] + a[2] / 2;
        double b1y1 = a[1] - a[3] / 2;
        double b1y2 = a[1] + a[3] / 2;
        double b2x1 = b[0] - b[2] / 2;
        double b2x2 = b[0] + b[2] / 2;
        double b2y1 = b[1] - b[3] / 2;
        double b2y2 = b[1] + b[3] / 2;
        double inter = Math.max(Math.min(b1x2, b2x2) - Math.max(b1x1, b2x1), 0)
                * Math.max(Math.min(b1y2, b2y2) - Math.max(b1y1, b2y1), 0);
        double eps = 1e-7;
        double union = a[2] * a[3] + b[2] * b[3] - inter + eps;
        double iou = inter / union;
        double cw = Math.max(b1x2, b2x2) - Math.min(b1x1, b2x1);
        double ch = Math.max(b1y2, b2y2) - Math.min(b1y1, b2y1);
        double c2 = cw * cw + ch * ch + eps;
        double dx = b2x1 + b2x2 - b1x1 - b1x2;
        double dy = b2y1 + b2y2 - b1y1 - b1y2;
        double rho2 = (dx * dx + dy * dy) / 4;
        double dv = Math.atan(b[2] / b[3]) - Math.atan(a[2] / a[3]);
        double v = 4 / (Math.PI * Math.PI) * dv * dv;
        double alpha = v / (v - iou + (1 + eps));
        return iou - (rho2 / c2 + v * alpha);
    }
}
