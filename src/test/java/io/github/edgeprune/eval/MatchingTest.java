package io.github.edgeprune.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** val.py v7.0 process_batch: which detections are true positives at each of the 10 thresholds. */
class MatchingTest {

    static final int ALL = 1023;

    @Test
    void iouThresholdsAreTorchLinspace() {
        float[] t = DetectionStats.iouThresholds();
        assertEquals(10, t.length);
        assertEquals(0.5f, t[0]);
        assertEquals(0.95f, t[9]);
        assertEquals(0.75f, t[5], 1e-6f);
    }

    @Test
    void thresholdsAndClasses() {
        float[][] labels = {{0, 0, 0, 10, 10}};
        // IoU 1, IoU 0.7 (levels .5 .55 .6 .65 .7 -> 5 bits), right box of the wrong class
        Detections d = Detections.of(new float[][] {
                {0, 0, 10, 10, 0.9f, 0}, {0, 0, 10, 7, 0.8f, 0}, {0, 0, 10, 10, 0.7f, 1}});
        int[] m = DetectionStats.match(d, labels);
        assertEquals(ALL, m[0]);
        assertEquals(0, m[1]); // the label is taken by the better detection at every level
        assertEquals(0, m[2]);
        Detections alone = Detections.of(new float[][] {{0, 0, 10, 7, 0.8f, 0}});
        assertEquals(0b11111, DetectionStats.match(alone, labels)[0]);
    }

    /**
     * v7.0's order: each detection first keeps its highest-IoU label; then each label goes to the
     * first (most confident) detection that kept it. Detection 1 prefers label A too, loses it to
     * detection 0, and is not tried against label B, although B overlaps it enough.
     */
    @Test
    void dedupByDetectionThenByLabel() {
        float[][] labels = {{0, 0, 0, 10, 10}, {0, 2, 0, 12, 10}}; // A, B
        Detections d = Detections.of(new float[][] {
                {0, 0, 10, 9, 0.9f, 0}, // A: 0.9, B: 72/118 = 0.61
                {0, 0, 10, 10, 0.8f, 0}}); // A: 1.0, B: 80/120 = 0.67
        int[] m = DetectionStats.match(d, labels);
        assertEquals(1, m[0] & 1); // detection 0 matches A at 0.5
        assertEquals(0, m[1] & 0b1111); // detection 1 gets nothing at 0.5 to 0.65, B notwithstanding
        assertEquals(1 << 9, m[1] & (1 << 9)); // at 0.95 detection 0 no longer reaches A, detection 1 does
    }

    /**
     * Equal IoU with two labels: numpy's reversed argsort (stable for small arrays) puts the later
     * label first, so detection 0 takes label B, and label A stays for detection 1.
     */
    @Test
    void equalIouTieGoesToTheLaterLabel() {
        float[][] labels = {{0, -2, 0, 8, 10}, {0, 2, 0, 12, 10}}; // A, B: both 80/120 with detection 0
        Detections d = Detections.of(new float[][] {{0, 0, 10, 10, 0.9f, 0}, {-2, 0, 8, 10, 0.8f, 0}});
        int[] m = DetectionStats.match(d, labels);
        assertEquals(0b1111, m[0]); // IoU 0.667: levels .5 .55 .6 .65
        assertEquals(ALL, m[1]);
    }

    @Test
    void statsCountImagesWithoutDetectionsAndWithoutLabels() {
        DetectionStats s = new DetectionStats(2);
        s.add(new float[][] {{0, 0, 0, 10, 10}, {1, 20, 20, 30, 30}}, Detections.EMPTY);
        s.add(new float[0][], Detections.of(new float[][] {{0, 0, 10, 10, 0.5f, 0}}));
        s.add(new float[][] {{0, 0, 0, 10, 10}}, Detections.of(new float[][] {{0, 0, 10, 10, 0.9f, 0}}));
        assertEquals(3, s.images());
        assertEquals(3, s.instances());
        assertEquals(2, s.detections());
        assertArrayEquals(new int[] {2, 1}, s.imagesPerClass());
        Metrics m = s.metrics();
        // class 0: 2 labels, TP at .9 then FP at .5; class 1: 1 label, no detection (AP 0)
        assertEquals((Metrics.computeAp(new double[] {.5, .5}, new double[] {1, .5}) + 0) / 2, m.map50(), 1e-12);
    }
}
