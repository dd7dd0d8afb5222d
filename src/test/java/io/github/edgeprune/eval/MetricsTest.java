package io.github.edgeprune.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MetricsTest {

    static final double TIGHT = 1e-12;

    /**
     * One class, 4 labels; detections by confidence TP, FP, TP, FP. Recall .25 .25 .5 .5, precision
     * 1 .5 .667 .5. Envelope over mrec [0 .25 .25 .5 .5 1] is [1 1 .667 .667 .5 0]. Sampled at
     * recall 0, .01, ..., 1 with np.interp (at a repeated recall the last value counts):
     * 1 on [0, .24], .667 on [.25, .49], .5 at .5, then 1 - r up to 0 at r = 1. Trapezoids:
     * .24 + .01 (1 + 2/3) / 2 + .24 (2/3) + .01 (2/3 + 1/2) / 2 + .125
     * = .24 + 1/120 + .16 + 7/1200 + .125 = 0.5391666...
     */
    @Test
    void apOfKnownCurve() {
        double ap = Metrics.computeAp(new double[] {.25, .25, .5, .5}, new double[] {1, .5, 2 / 3.0, .5});
        assertEquals(0.24 + 1 / 120.0 + 0.16 + 7 / 1200.0 + 0.125, ap, TIGHT);
        assertEquals(0.5391666666666666, ap, TIGHT); // numpy gives the same
    }

    /** A perfect detector: precision 1 up to recall 1, but the sentinel pulls the last point to 0: 0.995. */
    @Test
    void perfectDetectorScores0995() {
        assertEquals(0.995, Metrics.computeAp(new double[] {0.5, 1}, new double[] {1, 1}), TIGHT);
        // half the labels found, no false positive: 1 up to .5, then a line down to 0 at 1: .5 + .25
        assertEquals(0.75, Metrics.computeAp(new double[] {0.25, 0.5}, new double[] {1, 1}), TIGHT);
    }

    @Test
    void interpFollowsNumpy() {
        double[] xp = {0, 1, 1, 2};
        double[] fp = {0, 10, 20, 30};
        // below/above the range: left/right; at a repeated point the last; between: linear
        assertArrayEquals(new double[] {-1, 0, 5, 20, 25, 30, 99},
                Metrics.interp(new double[] {-0.5, 0, 0.5, 1, 1.5, 2, 2.5}, xp, fp, -1, 99), TIGHT);
        // a single point
        assertArrayEquals(new double[] {-1, 7, 99}, Metrics.interp(new double[] {0, 1, 2}, new double[] {1},
                new double[] {7}, -1, 99), TIGHT);
    }

    @Test
    void smoothAndSums() {
        double[] y = new double[1000];
        y[500] = 101;
        double[] s = Metrics.smooth(y, 0.1); // box of 101
        assertEquals(0, s[449], TIGHT);
        assertEquals(1, s[450], 1e-12);
        assertEquals(1, s[550], 1e-12);
        assertEquals(0, s[551], TIGHT);
        double[] ends = Metrics.smooth(new double[] {3, 0, 0, 0, 0, 0, 0, 0, 0, 5}, 0.2); // box of 3, padded by ends
        assertEquals(10, ends.length);
        assertEquals(2, ends[0], 1e-12);
        assertEquals(10.0 / 3, ends[9], 1e-12);
        // numpy's quirk for an even box (round(10 * .15 * 2) // 2 + 1 = 2): one value more
        assertEquals(11, Metrics.smooth(new double[10], 0.15).length);
        assertEquals(5050, Metrics.sum(java.util.stream.IntStream.rangeClosed(1, 100).asDoubleStream().toArray()));
        assertEquals(0.0, Metrics.linspace(0, 1, 1000)[0]);
        assertEquals(1.0, Metrics.linspace(0, 1, 1000)[999]);
        assertEquals(1 * (1.0 / 999), Metrics.linspace(0, 1, 1000)[1]);
    }

    /**
     * P and R at the maximum of the smoothed mean F1. Two labels; detections TP .9, FP .5, TP .3.
     * Below confidence .3 precision is 2/3 and recall 1 (F1 0.8), above it F1 is lower everywhere,
     * so the smoothed curve is highest on the flat part starting at confidence 0: P 2/3, R 1.
     */
    @Test
    void precisionAndRecallAtMaxF1Plateau() {
        Metrics m = Metrics.compute(new int[] {1023, 0, 1023}, new float[] {.9f, .5f, .3f}, new int[] {0, 0, 0},
                new int[] {0, 0}, 1);
        assertEquals(0, m.f1Index());
        assertEquals(2 / 3.0, m.meanPrecision(), TIGHT);
        assertEquals(1.0, m.meanRecall(), TIGHT);
        assertEquals(0.8283333333333331, m.map50(), TIGHT); // numpy
    }

    /**
     * The maximum inside the curve: TP at .9 and .8, then four FPs at .2 .15 .1 .05 for 2 labels.
     * F1 is 1 at confidence .8, falls slowly to the left (precision decays) and fast to the right
     * (recall halves by .9), so the smoothed maximum lies a little left of .8: index 759, where
     * precision is interpolated between (.8, 1) and (.2, 2/3). Values from numpy.
     */
    @Test
    void precisionAndRecallAtMaxF1Interior() {
        Metrics m = Metrics.compute(new int[] {1023, 1023, 0, 0, 0, 0}, new float[] {.9f, .8f, .2f, .15f, .1f, .05f},
                new int[6], new int[] {0, 0}, 1);
        assertEquals(759, m.f1Index());
        assertEquals(0.9776443046880318, m.meanPrecision(), 1e-12);
        assertEquals(1.0, m.meanRecall(), TIGHT);
        assertEquals(0.995, m.map50(), TIGHT);
    }

    /**
     * A mixed case checked against numpy (YOLOv5's ap_per_class run on the same arrays): 5 classes,
     * class 3 has labels but no detections (counts 0), class 4 detections but no labels (ignored).
     */
    @Test
    void matchesNumpyOnMixedCase() {
        int[] tp = {1023, 0, 0, 1, 0, 3, 63, 0, 31, 1023, 127, 511, 0, 511, 63, 1023, 511, 31, 0, 63, 0, 0, 0, 0, 1023,
                0, 0, 0, 0, 0, 0};
        float[] conf = {0.20450946688652039f, 0.5537303686141968f, 0.4836246967315674f, 0.3532748520374298f,
                0.5915952920913696f, 0.23530122637748718f, 0.8022027015686035f, 0.8673335313796997f,
                0.12875966727733612f, 0.4670732021331787f, 0.2771448791027069f, 0.08311700075864792f,
                0.8959442973136902f, 0.42994868755340576f, 0.1476912945508957f, 0.6733623743057251f,
                0.2022160291671753f, 0.9014310836791992f, 0.21714825928211212f, 0.03307468816637993f,
                0.20076894760131836f, 0.3457478880882263f, 0.4689081609249115f, 0.9061343669891357f,
                0.6973611116409302f, 0.33932065963745117f, 0.01687721535563469f, 0.1598237007856369f,
                0.9964358806610107f, 0.45971599221229553f, 0.6910399198532104f};
        int[] pred = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4};
        int[] target = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3};
        Metrics m = Metrics.compute(tp, conf, pred, target, 5);
        assertArrayEquals(new int[] {0, 1, 2, 3}, m.classes());
        assertArrayEquals(new int[] {6, 4, 8, 3}, m.instances());
        assertArrayEquals(new double[] {0.5555555555555556, 1.0, 0.5, 0.0}, m.precision(), 1e-12);
        assertArrayEquals(new double[] {0.8333333333333334, 0.75, 0.875, 0.0}, m.recall(), 1e-12);
        assertArrayEquals(new double[] {0.5092222222222224, 0.875, 0.5147714285714285, 0.0}, m.ap50(), 1e-12);
        assertArrayEquals(new double[] {0.21883644444444447, 0.7660000000000001, 0.3932766233766233, 0.0},
                m.ap50to95(), 1e-12);
        assertEquals(0.5138888888888888, m.meanPrecision(), 1e-12);
        assertEquals(0.6145833333333334, m.meanRecall(), 1e-12);
        assertEquals(0.4747484126984127, m.map50(), 1e-12);
        assertEquals(0.34452826695526695, m.map50to95(), 1e-12);
    }

    @Test
    void noTruePositiveGivesZeros() {
        Metrics m = Metrics.compute(new int[] {0, 0}, new float[] {.9f, .5f}, new int[] {0, 1}, new int[] {0, 1, 1}, 2);
        assertEquals(0, m.map50());
        assertEquals(0, m.meanPrecision());
        assertArrayEquals(new int[] {0, 1}, m.classes());
    }

    @Test
    void sortIsStableAndDescending() {
        assertArrayEquals(new int[] {1, 3, 0, 2, 4}, Metrics.sortByConfidence(new float[] {.5f, .9f, .5f, .7f, .1f}));
    }
}
