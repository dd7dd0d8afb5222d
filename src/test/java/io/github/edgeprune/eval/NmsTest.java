package io.github.edgeprune.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** NMS on small hand-made outputs (3 classes: rows cx, cy, w, h, obj, s0, s1, s2). */
class NmsTest {

    static final int COLS = 8;

    static float[] rows(float[]... r) {
        float[] out = new float[r.length * COLS];
        for (int i = 0; i < r.length; i++) {
            System.arraycopy(r[i], 0, out, i * COLS, COLS);
        }
        return out;
    }

    static Detections nms(float[] raw, double conf, double iou, int maxDet, int maxNms) {
        return Nms.run(raw, 0, raw.length / COLS, COLS, conf, iou, maxDet, maxNms);
    }

    static Detections nms(float[] raw) {
        return nms(raw, 0.001, 0.6, 300, 30000);
    }

    @Test
    void suppressesOverlapAboveThresholdWithinClass() {
        // A = [0,0,10,10]; B = [0,0,10,7] has IoU 70/100 = 0.7 > 0.6 with A; C = [0,0,10,5] has 0.5
        float[] raw = rows(
                new float[] {5, 5, 10, 10, 0.9f, 1, 0, 0},
                new float[] {5, 3.5f, 10, 7, 0.8f, 1, 0, 0},
                new float[] {5, 2.5f, 10, 5, 0.7f, 1, 0, 0});
        Detections d = nms(raw);
        assertEquals(2, d.size());
        assertEquals(0.9f, d.conf(0));
        assertEquals(0.7f, d.conf(1)); // B suppressed by A; C (IoU 0.5 with A, 0.714 with B) stays
        assertArrayEquals(new float[] {0, 0, 10, 10, 0.9f, 0}, d.toRows()[0]);
    }

    @Test
    void iouEqualToThresholdIsNotSuppressed() {
        // IoU of [0,0,10,10] and [0,0,10,5] is exactly 0.5: torchvision suppresses only above
        float[] raw = rows(
                new float[] {5, 5, 10, 10, 0.9f, 1, 0, 0},
                new float[] {5, 2.5f, 10, 5, 0.8f, 1, 0, 0});
        assertEquals(2, nms(raw, 0.001, 0.5, 300, 30000).size());
        assertEquals(1, nms(raw, 0.001, 0.49, 300, 30000).size());
    }

    @Test
    void multiLabelAndClassSeparation() {
        // one row, two classes above conf: two detections with score obj * cls, boxes identical but
        // of different classes do not suppress each other
        float[] raw = rows(new float[] {50, 50, 20, 20, 0.5f, 0.8f, 0.6f, 0.0005f});
        Detections d = nms(raw);
        assertEquals(2, d.size());
        assertEquals(0, d.cls(0));
        assertEquals(0.5f * 0.8f, d.conf(0));
        assertEquals(1, d.cls(1));
        assertEquals(0.5f * 0.6f, d.conf(1));
        assertEquals(d.x1(0), d.x1(1));
    }

    @Test
    void confidenceThresholdsAreStrict() {
        float[] raw = rows(
                new float[] {50, 50, 20, 20, 0.001f, 1, 1, 1}, // objectness not above conf: no candidate
                new float[] {150, 50, 20, 20, 0.5f, 0.002f, 0.0021f, 0}); // 0.001 not above, 0.00105 is
        Detections d = nms(raw);
        assertEquals(1, d.size());
        assertEquals(1, d.cls(0));
    }

    @Test
    void keepsAtMostMaxDetBestFirst() {
        float[] raw = rows(
                new float[] {10, 10, 5, 5, 0.3f, 1, 0, 0},
                new float[] {30, 10, 5, 5, 0.9f, 1, 0, 0},
                new float[] {50, 10, 5, 5, 0.5f, 1, 0, 0},
                new float[] {70, 10, 5, 5, 0.7f, 1, 0, 0},
                new float[] {90, 10, 5, 5, 0.1f, 1, 0, 0});
        Detections d = nms(raw, 0.001, 0.6, 3, 30000);
        assertEquals(3, d.size());
        assertEquals(0.9f, d.conf(0));
        assertEquals(0.7f, d.conf(1));
        assertEquals(0.5f, d.conf(2));
        assertEquals(27.5f, d.x1(0));
    }

    @Test
    void maxNmsDropsTheWorstBeforeSuppression() {
        // the best box would suppress the second; with maxNms 1 only the best goes in
        float[] raw = rows(
                new float[] {5, 5, 10, 10, 0.9f, 1, 0, 0},
                new float[] {5, 5, 10, 10, 0.8f, 1, 0, 0},
                new float[] {100, 100, 10, 10, 0.7f, 1, 0, 0});
        assertEquals(1, nms(raw, 0.001, 0.6, 300, 1).size());
        assertEquals(2, nms(raw, 0.001, 0.6, 300, 3).size());
        assertEquals(1, nms(raw, 0.001, 0.6, 300, 2).size()); // third dropped, second suppressed
    }

    @Test
    void suppressedBoxesDoNotSuppressOthers() {
        // A suppresses B; B would suppress C, but B is gone, and C overlaps A too little
        float[] raw = rows(
                new float[] {5, 5, 10, 10, 0.9f, 1, 0, 0}, // [0,0,10,10]
                new float[] {7, 5, 10, 10, 0.8f, 1, 0, 0}, // [2,0,12,10]: IoU with A 80/120 = 0.667
                new float[] {9.5f, 5, 10, 10, 0.7f, 1, 0, 0}); // [4.5,0,14.5,10]: A 0.38, B 0.739
        Detections d = nms(raw);
        assertEquals(2, d.size());
        assertEquals(0.7f, d.conf(1));
    }

    @Test
    void equalScoresKeepRowOrder() {
        float[] raw = rows(
                new float[] {5, 5, 10, 10, 0.5f, 1, 0, 0},
                new float[] {5, 5, 10, 10, 0.5f, 1, 0, 0});
        Detections d = Nms.run(raw, 0, 2, COLS, 0.001, 0.6, 300, 30000);
        assertEquals(1, d.size());
        // the first row is kept; make the rows distinguishable by their width to check
        float[] raw2 = rows(
                new float[] {5, 5, 10, 10, 0.5f, 1, 0, 0},
                new float[] {5, 5, 10, 9, 0.5f, 1, 0, 0});
        assertEquals(10f, Nms.run(raw2, 0, 2, COLS, 0.001, 0.6, 300, 30000).y2(0));
    }

    @Test
    void emptyAndOffsetInput() {
        assertEquals(0, nms(new float[0]).size());
        float[] raw = rows(new float[] {0, 0, 0, 0, 0, 0, 0, 0}, new float[] {5, 5, 10, 10, 0.9f, 0, 0, 1});
        Detections d = Nms.run(raw, COLS, 1, COLS, 0.001, 0.6, 300, 30000);
        assertEquals(1, d.size());
        assertEquals(2, d.cls(0));
    }
}
