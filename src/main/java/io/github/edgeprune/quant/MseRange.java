package io.github.edgeprune.quant;

/**
 * The activation range that minimises the expected squared quantization error on the u8 grid
 * (the "mse" calibrator of NVIDIA's pytorch-quantization and TensorRT): a histogram of every
 * value seen over the calibration images, then a search over clipped ranges. Clipping a long tail
 * costs the tail's squared distance to the range end, and buys a finer grid (rounding error
 * step²/12) for everything inside; percentiles pick a fixed share of the tail whatever that trade.
 */
final class MseRange {

    /** Histogram resolution: a step of the widest grid (range/255) spans 8 bins. */
    static final int BINS = 2048;
    /** Candidate upper ends: hi·k/HIGH_STEPS for k = 1 … HIGH_STEPS; lower ends likewise. */
    static final int HIGH_STEPS = 256;
    static final int LOW_STEPS = 32;

    private final double low;
    private final double high;
    private final double width;
    private final long[] counts = new long[BINS];

    /** A histogram over [min, max] widened to contain zero (every grid does). */
    MseRange(double min, double max) {
        this.low = Math.min(min, 0);
        this.high = Math.max(max, 0);
        this.width = (high - low) / BINS;
    }

    void add(float[] values) {
        if (width <= 0) {
            counts[0] += values.length;
            return;
        }
        for (float v : values) {
            int b = (int) ((v - low) / width);
            counts[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
        }
    }

    /** The [low, high] (before the grid's zero-point adjustment) with the least expected error. */
    Calibrator.Observed best() {
        if (width <= 0) {
            return new Calibrator.Observed(low, high);
        }
        double bestError = Double.POSITIVE_INFINITY;
        double bestLow = low;
        double bestHigh = high;
        int lowSteps = low < 0 ? LOW_STEPS : 1;
        int highSteps = high > 0 ? HIGH_STEPS : 1;
        for (int i = lowSteps; i >= 1; i--) {
            double lo = low * i / lowSteps;
            for (int j = highSteps; j >= 1; j--) {
                double hi = high * j / highSteps;
                double e = expectedError(QuantRange.activation(lo, hi));
                if (e < bestError) {
                    bestError = e;
                    bestLow = lo;
                    bestHigh = hi;
                }
            }
        }
        return new Calibrator.Observed(bestLow, bestHigh);
    }

    /** Sum over the histogram of the squared error each bin's values get on this grid (bin centres). */
    double expectedError(QuantRange r) {
        double step = r.scale();
        double rounding = step * step / 12;
        double e = 0;
        for (int b = 0; b < BINS; b++) {
            long n = counts[b];
            if (n == 0) {
                continue;
            }
            double c = low + (b + 0.5) * width;
            if (c < r.low()) {
                e += n * (r.low() - c) * (r.low() - c);
            } else if (c > r.high()) {
                e += n * (c - r.high()) * (c - r.high());
            } else {
                e += n * rounding;
            }
        }
        return e;
    }
}
