package io.github.edgeprune.optimize.paper;

import io.github.edgeprune.device.verify.LatencyStats;
import java.nio.file.Path;

/**
 * One measured row of the study: the paper's three measures (mAP50, inference ms, peak memory),
 * all from verify-on-device's code on the chosen device, and the sparsity of the weights that
 * were exported.
 *
 * @param method which row
 * @param description what was run, as the goals would be typed
 * @param convSparsity Conv2d zeros / total in the fine-tuned weights (the paper's Algorithm 1)
 * @param bnSparsity BatchNorm2d zeros / total in the fine-tuned weights (Algorithm 2)
 * @param map50 mAP50 on the val split from the device's detections
 * @param latency inference time per image on the device (median is the paper's "inference ms")
 * @param peakMemoryMb the agent's peak resident memory on the device
 * @param peakMemoryPercent the same as a share of the device's memory (the paper's Figs. 7-8 plot that)
 * @param backend the inference backend the device ran
 * @param bundle the fine-tuned weights (the final epoch's)
 * @param ir the exported IR
 * @param irBytes size of the IR (xml + bin)
 * @param irConvZeroShare share of exactly-zero convolution weights in the IR's .bin (BatchNorm folded in)
 * @param deviceReport verify-on-device's report folder for this row
 * @param trainedNow fine-tuned in this run (false: the up-to-date result of an earlier run)
 * @param measuredNow measured on the device in this run (false: taken from the cache)
 */
public record PaperRow(PaperMethod method, String description, double convSparsity, double bnSparsity, double map50,
        double map50_95, LatencyStats latency, double peakMemoryMb, double peakMemoryPercent, String backend,
        Path bundle, Path ir, long irBytes, double irConvZeroShare, Path deviceReport, boolean trainedNow, boolean measuredNow) {

    /** The paper's "inference ms": the median over the measured images. */
    public double medianMs() {
        return latency.median();
    }
}
