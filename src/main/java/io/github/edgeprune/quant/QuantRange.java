package io.github.edgeprune.quant;

/**
 * A FakeQuantize range [low, high] on a grid of {@code levels} steps.
 *
 * <p>Activations: asymmetric u8 (256 levels), widened to contain zero and then moved so that
 * zero falls exactly on the grid ({@code low = -zp·scale} with an integer zero point). That is
 * what lets the same grid be written as OpenVINO's FakeQuantize and as ONNX's
 * QuantizeLinear/DequantizeLinear (which has only integer zero points), and keeps the zero
 * padding of a convolution exact. Weights: symmetric int8 per output channel on 255 levels
 * ({@code ±127·scale}, zero point 0), NNCF's and OpenVINO's form.
 */
public record QuantRange(float low, float high, long levels) {

    /** The smallest scale a grid gets, so that a constant (or all-zero) tensor still quantizes. */
    static final double MIN_SCALE = 1e-8;

    public double scale() {
        return ((double) high - low) / (levels - 1);
    }

    /** The integer zero point of an activation grid ({@code round(-low/scale)}). */
    public long zeroPoint() {
        return Math.round(-low / scale());
    }

    /** The u8 grid for an activation seen in [min, max]. */
    public static QuantRange activation(double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("activation range [" + min + ", " + max + "] is not a range");
        }
        double lo = Math.min(min, 0);
        double hi = Math.max(max, 0);
        double scale = Math.max((hi - lo) / 255, MIN_SCALE);
        long zp = Math.max(0, Math.min(255, Math.round(-lo / scale)));
        return new QuantRange((float) (-zp * scale), (float) ((255 - zp) * scale), 256);
    }

    /** The symmetric int8 grid of a weight channel whose largest magnitude is {@code maxAbs}. */
    public static QuantRange weight(double maxAbs) {
        double scale = Math.max(maxAbs / 127, MIN_SCALE);
        return new QuantRange((float) (-127 * scale), (float) (127 * scale), 255);
    }
}
