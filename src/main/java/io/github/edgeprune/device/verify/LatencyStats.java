package io.github.edgeprune.device.verify;

import java.util.Arrays;

/**
 * Summary of latencies in milliseconds. Percentiles are numpy's default
 * ({@code numpy.percentile(x, q)}, method "linear"): on the sorted values, position
 * {@code (n - 1) * q / 100}, interpolated linearly between its neighbours.
 */
public record LatencyStats(int count, double mean, double median, double p90, double p99, double min, double max) {

    /** No measurements: count 0, every statistic NaN. */
    public static LatencyStats empty() {
        return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** Statistics of the given latencies (ms); refuses NaN, infinite or negative values. */
    public static LatencyStats of(double... ms) {
        if (ms.length == 0) {
            return empty();
        }
        double[] sorted = ms.clone();
        double sum = 0;
        for (double v : sorted) {
            if (!Double.isFinite(v) || v < 0) {
                throw new IllegalArgumentException("a latency must be a finite number of ms >= 0, got " + v);
            }
            sum += v;
        }
        Arrays.sort(sorted);
        return new LatencyStats(sorted.length, sum / sorted.length, percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted[0], sorted[sorted.length - 1]);
    }

    /** numpy.percentile(sorted, q) with the default linear method; {@code sorted} ascending, q in [0, 100]. */
    public static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (q < 0 || q > 100 || Double.isNaN(q)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + q);
        }
        double pos = (sorted.length - 1) * q / 100.0;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
    }

    /** The statistic a budget names. */
    public double get(LatencyStatistic statistic) {
        return switch (statistic) {
            case MEDIAN -> median;
            case P90 -> p90;
            case P99 -> p99;
            case MEAN -> mean;
        };
    }
}
