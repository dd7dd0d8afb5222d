package io.github.edgeprune.optimize;

import io.github.edgeprune.openvino.IrPrecision;
import java.util.Locale;

/**
 * One point of the search space: a structured channel cut, the paper's unstructured L1 pruning
 * (static or dynamic), or neither; a precision; an input size.
 *
 * @param targetFlops share of the model's GFLOPs the channel cut keeps, or NaN for no channel cut
 * @param precision FP16, FP32 or INT8 (INT8 calibrated on the data's train images)
 * @param imgsz the square input size the IR is exported at
 * @param fineTuneEpochs epochs a channel cut or a static pruning is trained for at {@code imgsz} before
 *     export, and the epochs of dynamic pruning (0: none; always 0 for the dense model, the trained source)
 * @param unstructured the paper's L1 pruning of the weights (zeros, same shapes), or NONE
 */
public record Candidate(double targetFlops, IrPrecision precision, int imgsz, int fineTuneEpochs,
        Unstructured unstructured) {

    /** The paper's unstructured pruning at its amounts for the model (yolov5n: Conv2d 0.2, BatchNorm2d 0.1). */
    public enum Unstructured {
        NONE,
        /** prune-static, then (with fine-tune epochs) train-dynamic with the zeros held (schedule fixed) */
        STATIC,
        /** train-dynamic re-pruning after every epoch (schedule epoch) */
        DYNAMIC
    }

    public Candidate {
        unstructured = unstructured == null ? Unstructured.NONE : unstructured;
        if (Double.isNaN(targetFlops) && unstructured == Unstructured.NONE) {
            fineTuneEpochs = 0;
        }
    }

    /** Not fine-tuned. */
    public Candidate(double targetFlops, IrPrecision precision, int imgsz) {
        this(targetFlops, precision, imgsz, 0, Unstructured.NONE);
    }

    /** A channel cut (or the dense model) with fine-tuning. */
    public Candidate(double targetFlops, IrPrecision precision, int imgsz, int fineTuneEpochs) {
        this(targetFlops, precision, imgsz, fineTuneEpochs, Unstructured.NONE);
    }

    /**
     * Predicted-cost factor of a precision: INT8 convolutions do the same multiply-adds on 8-bit
     * integers, counted as half the cost of FP16 (OpenVINO's CPU plugin runs them about twice as fast;
     * a measured latency of the precision replaces the guess, see {@link OptimizeJob}).
     */
    public static double costFactor(IrPrecision precision) {
        return precision == IrPrecision.INT8 ? 0.5 : 1.0;
    }

    /** Whether whole channels are removed (the shapes shrink). */
    public boolean channelCut() {
        return !Double.isNaN(targetFlops);
    }

    /** The source model's weights as they are: no channel cut, no unstructured pruning. */
    public boolean dense() {
        return !channelCut() && unstructured == Unstructured.NONE;
    }

    /** "dense", "flops0.80", "static", "dynamic", with "-ft3" when fine-tuned 3 epochs: what is done to the weights. */
    public String recipe() {
        String what = channelCut() ? String.format(Locale.ROOT, "flops%.2f", targetFlops)
                : unstructured == Unstructured.NONE ? "dense" : unstructured.name().toLowerCase(Locale.ROOT);
        return what + (fineTuneEpochs > 0 ? "-ft" + fineTuneEpochs : "");
    }

    /** "dense-fp16-320", "flops0.80-int8-320": stable, a file name, and what the report shows. */
    public String id() {
        return recipe() + "-" + precision.name().toLowerCase(Locale.ROOT) + "-" + imgsz;
    }

    /** For people, what is done to the weights: "dense", "channels cut to 0.80 of the GFLOPs", "the paper's static L1 pruning". */
    public String whatIsDone() {
        return switch (unstructured) {
            case STATIC -> "the paper's static L1 pruning";
            case DYNAMIC -> "the paper's dynamic L1 pruning";
            case NONE -> channelCut() ? String.format(Locale.ROOT, "channels cut to %.2f of the GFLOPs", targetFlops) : "dense";
        };
    }

    /** For people: "channels cut to 0.80 of the GFLOPs, INT8, 320". */
    public String describe() {
        return whatIsDone() + (fineTuneEpochs > 0 ? ", fine-tuned " + fineTuneEpochs + " epochs" : "")
                + ", " + precision + ", " + imgsz + "x" + imgsz;
    }

    /**
     * GFLOPs predicted before anything is built: the dense model's GFLOPs at {@code baseImgsz}, times
     * the kept share, scaled by the pixel count.
     */
    public double predictedGflops(double denseGflops, int baseImgsz) {
        double scale = (double) imgsz * imgsz / ((double) baseImgsz * baseImgsz);
        // unstructured zeros keep every shape: the runtime does the dense model's work
        return denseGflops * (channelCut() ? targetFlops : 1.0) * scale;
    }

    /** The predicted cost the search is ordered by: GFLOPs times the precision's factor. */
    public double predictedCost(double gflops) {
        return gflops * costFactor(precision);
    }
}
