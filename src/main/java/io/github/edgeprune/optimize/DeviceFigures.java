package io.github.edgeprune.optimize;

import io.github.edgeprune.device.verify.BudgetResult;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.LatencyStats;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One candidate measured on one device: what verify-on-device measured there (from the cache or
 * from a new run) and the verdict per budget, or why the device could not measure it.
 *
 * @param latencyMs the statistic the budget and the ranking use
 * @param peakMemoryPercent the peak as a share of the device's memory (NaN in figures cached before it was kept)
 * @param report the folder of this device's verify-on-device report for the candidate
 * @param error why the device did not measure the candidate (null when it did)
 */
public record DeviceFigures(String spec, double map50, double map50_95, LatencyStats latency, double latencyMs,
        double peakMemoryMb, double peakMemoryPercent, String backend, boolean cached, Map<String, Object> facts, List<BudgetResult> budgets,
        Path report, String error) {

    public boolean measured() {
        return error == null && latency != null;
    }

    public boolean passed() {
        return measured() && Budgets.allPassed(budgets);
    }

    static DeviceFigures failed(String spec, Path report, String error) {
        return new DeviceFigures(spec, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN, Double.NaN, null, false,
                Map.of(),
                List.of(), report, error);
    }
}
