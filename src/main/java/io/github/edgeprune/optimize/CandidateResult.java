package io.github.edgeprune.optimize;

import io.github.edgeprune.device.verify.BudgetResult;
import io.github.edgeprune.device.verify.LatencyStats;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the search learned about one candidate, in the order it learns it: the predicted cost, the
 * built IR's GFLOPs, parameters and size, the build machine's mAP50, the device's figures and the
 * verdict per budget. A figure not measured is NaN (or null).
 */
public final class CandidateResult {

    /** Where a candidate ended. */
    public enum Status {
        /** passes every budget and is the fastest that does */
        WINNER,
        /** passes every budget, slower than the winner */
        PASSED,
        /** measured on the device, misses a budget */
        FAILED,
        /** its build-machine mAP50 misses prune.minMap50: never sent to the device */
        REJECTED_ON_BUILD_MACHINE,
        /** not measured: predicted slower than the winner found so far */
        NOT_MEASURED,
        /** building or measuring it failed */
        ERROR
    }

    final Candidate candidate;
    final double predictedGflops;
    final double predictedCost;
    int order;
    double gflops = Double.NaN;
    long parameters = -1;
    long sizeBytes = -1;
    Path ir;
    Path onnx;
    double buildMap50 = Double.NaN;
    double buildMap50_95 = Double.NaN;
    boolean buildMapCached;
    double deviceMap50 = Double.NaN;
    double deviceMap50_95 = Double.NaN;
    LatencyStats latency;
    double latencyMs = Double.NaN;
    double peakMemoryMb = Double.NaN;
    String backend;
    boolean deviceCached;
    Map<String, Object> deviceFacts = Map.of();
    Path deviceReport;
    List<DeviceFigures> devices = List.of();
    List<BudgetResult> budgets = List.of();
    Status status;
    String reason = "";

    CandidateResult(Candidate candidate, double predictedGflops) {
        this.candidate = candidate;
        this.predictedGflops = predictedGflops;
        this.predictedCost = candidate.predictedCost(predictedGflops);
    }

    public Candidate candidate() {
        return candidate;
    }

    /** Position in the search order (1 = first looked at). */
    public int order() {
        return order;
    }

    public double predictedGflops() {
        return predictedGflops;
    }

    public double predictedCost() {
        return predictedCost;
    }

    /** GFLOPs of the built IR at its size (NaN when not built). */
    public double gflops() {
        return gflops;
    }

    public long parameters() {
        return parameters;
    }

    /** IR size on disk, xml + bin, in bytes (-1 when not built). */
    public long sizeBytes() {
        return sizeBytes;
    }

    public Path ir() {
        return ir;
    }

    public Path onnx() {
        return onnx;
    }

    public double buildMap50() {
        return buildMap50;
    }

    public double buildMap50_95() {
        return buildMap50_95;
    }

    public boolean measuredOnDevice() {
        return latency != null;
    }

    public double deviceMap50() {
        return deviceMap50;
    }

    public double deviceMap50_95() {
        return deviceMap50_95;
    }

    /** Device latencies (inference), null when not measured on the device. */
    public LatencyStats latency() {
        return latency;
    }

    /** The latency statistic the budget and the ranking use (NaN when not measured). */
    public double latencyMs() {
        return latencyMs;
    }

    public double peakMemoryMb() {
        return peakMemoryMb;
    }

    public String backend() {
        return backend;
    }

    /** The build-machine mAP50 came from the cache. */
    public boolean buildMapCached() {
        return buildMapCached;
    }

    /** The device figures came from the cache. */
    public boolean deviceCached() {
        return deviceCached;
    }

    public Map<String, Object> deviceFacts() {
        return deviceFacts;
    }

    /** The candidate's own verify-on-device report folder (null when not measured on the device). */
    public Path deviceReport() {
        return deviceReport;
    }

    /** Each device's figures, in the order of prune.devices (empty when not sent to a device). */
    public List<DeviceFigures> devices() {
        return devices;
    }

    /** Verdict per budget (build-machine mAP50 for a candidate rejected there; empty when not measured). */
    public List<BudgetResult> budgets() {
        return budgets;
    }

    public Status status() {
        return status;
    }

    /** Why it was skipped, failed or lost, in a sentence. */
    public String reason() {
        return reason;
    }

    public boolean passed() {
        return status == Status.WINNER || status == Status.PASSED;
    }
}
