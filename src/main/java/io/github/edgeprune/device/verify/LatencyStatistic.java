package io.github.edgeprune.device.verify;

import java.util.Locale;

/** Which latency statistic a latency budget is held against ({@code prune.latencyStatistic}). */
public enum LatencyStatistic {
    MEDIAN("median"),
    P90("p90"),
    P99("p99"),
    MEAN("mean");

    private final String id;

    LatencyStatistic(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** "median", "p90", "p99" or "mean" (case-insensitive); null or blank gives the default, median. */
    public static LatencyStatistic parse(String text) {
        if (text == null || text.isBlank()) {
            return MEDIAN;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (LatencyStatistic s : values()) {
            if (s.id.equals(t)) {
                return s;
            }
        }
        throw new BudgetException("prune.latencyStatistic must be one of median, p90, p99, mean, got '" + text + "'");
    }
}
