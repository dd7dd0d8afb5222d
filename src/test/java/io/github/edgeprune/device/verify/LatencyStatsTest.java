package io.github.edgeprune.device.verify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyStatsTest {

    // expected values from numpy 1.x/2.x: np.mean, np.percentile(x, 50 / 90 / 99)
    @Test
    void matchesNumpyLinearPercentiles() {
        check(new double[] {1, 2, 3, 4, 10}, 4.0, 3.0, 7.6000000000000005, 9.76);
        check(new double[] {5, 1, 3, 2}, 2.75, 2.5, 4.4, 4.9399999999999995);
        check(new double[] {7.25}, 7.25, 7.25, 7.25, 7.25);
        check(new double[] {12.5, 11.0, 13.75, 40.0, 12.0, 11.5, 12.25, 15.0, 11.75, 12.1},
                15.184999999999999, 12.175, 17.499999999999993, 37.75);
    }

    private static void check(double[] x, double mean, double median, double p90, double p99) {
        LatencyStats s = LatencyStats.of(x);
        assertEquals(x.length, s.count());
        assertEquals(mean, s.mean(), 1e-12);
        assertEquals(median, s.median(), 1e-12);
        assertEquals(p90, s.p90(), 1e-12);
        assertEquals(p99, s.p99(), 1e-12);
        assertEquals(java.util.Arrays.stream(x).min().orElseThrow(), s.min());
        assertEquals(java.util.Arrays.stream(x).max().orElseThrow(), s.max());
        assertEquals(median, s.get(LatencyStatistic.MEDIAN));
        assertEquals(p90, s.get(LatencyStatistic.P90));
        assertEquals(mean, s.get(LatencyStatistic.MEAN));
    }

    @Test
    void doesNotReorderTheCallersArray() {
        double[] x = {3, 1, 2};
        LatencyStats.of(x);
        assertEquals(3, x[0]);
    }

    @Test
    void emptyIsNaNAndBadValuesAreRefused() {
        LatencyStats e = LatencyStats.of();
        assertEquals(0, e.count());
        assertTrue(Double.isNaN(e.median()));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(-1));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.percentile(new double[] {1}, 101));
    }
}
