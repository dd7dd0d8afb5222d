package io.github.edgeprune.quant;

import java.util.Locale;

/** How an activation's range is taken from what the calibration images produced. */
public enum CalibrationMethod {
    /** The smallest and largest value seen over all images (NNCF's and POT's default, "min_max"). */
    MINMAX("minmax"),
    /**
     * Per image the 0.01 % and 99.99 % quantiles, averaged over the images (NNCF's
     * "mean_percentile"): a few outliers no longer stretch the grid.
     */
    PERCENTILE("percentile"),
    /**
     * The range with the least expected squared quantization error over every value of every
     * image (a histogram, then a search over clipped ranges; the "mse" calibrator of NVIDIA's
     * pytorch-quantization and TensorRT). Costs a second pass over the images.
     */
    MSE("mse");

    /** The quantile kept on each side by {@link #PERCENTILE}. */
    public static final double PERCENTILE_KEPT = 0.9999;

    private final String id;

    CalibrationMethod(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static CalibrationMethod parse(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (n) {
            case "minmax", "" -> MINMAX;
            case "percentile", "meanpercentile" -> PERCENTILE;
            case "mse" -> MSE;
            default -> throw new IllegalArgumentException("prune.calibration must be minmax, percentile or mse, got '" + s
                    + "'");
        };
    }
}
