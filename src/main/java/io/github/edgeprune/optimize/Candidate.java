package io.github.edgeprune.optimize;

import io.github.edgeprune.openvino.IrPrecision;
import java.util.Locale;

/**
 * One point of the search space: a structured channel cut (or none), a precision and an input size.
 *
 * @param targetFlops share of the model's GFLOPs the channel cut keeps, or NaN for the dense model
 * @param precision FP16 or INT8 (INT8 calibrated on the data's train images)
 * @param imgsz the square input size the IR is exported at
 * @param fineTuneEpochs epochs the channel cut is trained for at {@code imgsz} before export (0: none;
 *     always 0 for the dense model, which is the trained source)
 */
public record Candidate(double targetFlops, IrPrecision precision, int imgsz, int fineTuneEpochs) {

    public Candidate {
        if (Double.isNaN(targetFlops)) {
            fineTuneEpochs = 0;
        }
    }

    /** Not fine-tuned. */
    public Candidate(double targetFlops, IrPrecision precision, int imgsz) {
        this(targetFlops, precision, imgsz, 0);
    }

    /**
     * Predicted-cost factor of a precision: INT8 convolutions do the same multiply-adds on 8-bit
     * integers, counted as half the cost of FP16 (OpenVINO's CPU plugin runs them about twice as fast;
     * a measured latency of the precision replaces the guess, see {@link OptimizeJob}).
     */
    public static double costFactor(IrPrecision precision) {
        return precision == IrPrecision.INT8 ? 0.5 : 1.0;
    }

    public boolean dense() {
        return Double.isNaN(targetFlops);
    }

    /** "dense", "flops0.80" or "flops0.80-ft3" (fine-tuned 3 epochs): what is done to the weights. */
    public String recipe() {
        return dense() ? "dense" : String.format(Locale.ROOT, "flops%.2f", targetFlops)
                + (fineTuneEpochs > 0 ? "-ft" + fineTuneEpochs : "");
    }

    /** "dense-fp16-320", "flops0.80-int8-320": stable, a file name, and what the report shows. */
    public String id() {
        return recipe() + "-" + precision.name().toLowerCase(Locale.ROOT) + "-" + imgsz;
    }

    /** For people: "channels cut to 0.80 of the GFLOPs, INT8, 320". */
    public String describe() {
        return (dense() ? "dense" : String.format(Locale.ROOT, "channels cut to %.2f of the GFLOPs", targetFlops))
                + (fineTuneEpochs > 0 ? ", fine-tuned " + fineTuneEpochs + " epochs" : "")
                + ", " + precision + ", " + imgsz + "x" + imgsz;
    }

    /**
     * GFLOPs predicted before anything is built: the dense model's GFLOPs at {@code baseImgsz}, times
     * the kept share, scaled by the pixel count.
     */
    public double predictedGflops(double denseGflops, int baseImgsz) {
        double scale = (double) imgsz * imgsz / ((double) baseImgsz * baseImgsz);
        return denseGflops * (dense() ? 1.0 : targetFlops) * scale;
    }

    /** The predicted cost the search is ordered by: GFLOPs times the precision's factor. */
    public double predictedCost(double gflops) {
        return gflops * costFactor(precision);
    }
}
