package io.github.edgeprune.device.verify;

import java.util.Locale;

/**
 * One budget checked against its measurement.
 *
 * @param metric     stable id: {@code map50}, {@code latencyMs}, {@code memoryMb}
 * @param label      for people: "mAP50", "latency (median)", "peak memory"
 * @param property   the property that set it, e.g. {@code prune.minMap50}
 * @param comparison {@code >=} (a minimum) or {@code <=} (a maximum)
 * @param budget     the budget
 * @param measured   the measurement, NaN when it was not measured
 * @param unit       "", "ms" or "MB"
 * @param passed     whether the measurement meets the budget (false when not measured)
 */
public record BudgetResult(String metric, String label, String property, String comparison, double budget,
                           double measured, String unit, boolean passed) {

    public boolean measuredAtAll() {
        return !Double.isNaN(measured);
    }

    /** "PASSED", "FAILED" or "NOT MEASURED". */
    public String verdict() {
        return passed ? "PASSED" : measuredAtAll() ? "FAILED" : "NOT MEASURED";
    }

    public String budgetText() {
        return comparison + " " + format(budget, unit);
    }

    public String measuredText() {
        return measuredAtAll() ? format(measured, unit) : "-";
    }

    /** A sentence for a failed budget, e.g. "mAP50 0.431 is below the budget 0.450 (prune.minMap50)". */
    public String explanation() {
        if (passed) {
            return label + " " + measuredText() + " meets the budget " + budgetText() + " (" + property + ")";
        }
        if (!measuredAtAll()) {
            return label + " was not measured, so the budget " + budgetText() + " (" + property + ") cannot be met";
        }
        String how = comparison.equals(">=") ? "is below the minimum" : "is above the maximum";
        return label + " " + measuredText() + " " + how + " " + format(budget, unit) + " (" + property + ")";
    }

    static String format(double v, String unit) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return switch (unit) {
            // small budgets keep their digits: "0.001 ms", not "0.0 ms"
            case "ms", "MB" -> Math.abs(v) >= 1 || v == 0 ? String.format(Locale.ROOT, "%.1f %s", v, unit)
                    : new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString()
                            + " " + unit;
            default -> String.format(Locale.ROOT, "%.3f", v);
        };
    }
}
