package io.github.edgeprune.device.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The budgets a build must meet on the device: {@code prune.minMap50}, {@code prune.maxLatencyMs}
 * (against {@code prune.latencyStatistic}, median by default) and {@code prune.maxMemoryMb}. Each
 * is optional. {@link Builder#build()} refuses bad values before anything runs, naming the
 * property; {@link #check} checks every budget, never stopping at the first miss.
 */
public final class Budgets {

    private final Double minMap50;
    private final Double maxLatencyMs;
    private final LatencyStatistic latencyStatistic;
    private final Double maxMemoryMb;

    private Budgets(Double minMap50, Double maxLatencyMs, LatencyStatistic latencyStatistic, Double maxMemoryMb) {
        this.minMap50 = minMap50;
        this.maxLatencyMs = maxLatencyMs;
        this.latencyStatistic = latencyStatistic;
        this.maxMemoryMb = maxMemoryMb;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No budgets: every check passes trivially (the report still shows the measurements). */
    public static Budgets none() {
        return new Budgets(null, null, LatencyStatistic.MEDIAN, null);
    }

    /** The minimum mAP50, or null when not set. */
    public Double minMap50() {
        return minMap50;
    }

    /** The maximum latency in ms, or null when not set. */
    public Double maxLatencyMs() {
        return maxLatencyMs;
    }

    /** Which latency figure the latency budget is checked against. */
    public LatencyStatistic latencyStatistic() {
        return latencyStatistic;
    }

    /** The maximum peak memory in MB, or null when not set. */
    public Double maxMemoryMb() {
        return maxMemoryMb;
    }

    public boolean isEmpty() {
        return minMap50 == null && maxLatencyMs == null && maxMemoryMb == null;
    }

    /**
     * Checks every budget that is set.
     *
     * @param map50        measured mAP50 (0..1), NaN when not measured
     * @param latency      measured inference latencies
     * @param peakMemoryMb measured peak resident memory in MB, NaN when not measured
     * @return one result per budget set, in the order mAP50, latency, memory
     */
    public List<BudgetResult> check(double map50, LatencyStats latency, double peakMemoryMb) {
        List<BudgetResult> results = new ArrayList<>();
        if (minMap50 != null) {
            results.add(new BudgetResult("map50", "mAP50", "prune.minMap50", ">=", minMap50, map50, "",
                    !Double.isNaN(map50) && map50 >= minMap50));
        }
        if (maxLatencyMs != null) {
            double v = latency == null ? Double.NaN : latency.get(latencyStatistic);
            results.add(new BudgetResult("latencyMs", "latency (" + latencyStatistic.id() + ")", "prune.maxLatencyMs",
                    "<=", maxLatencyMs, v, "ms", !Double.isNaN(v) && v <= maxLatencyMs));
        }
        if (maxMemoryMb != null) {
            results.add(new BudgetResult("memoryMb", "peak memory", "prune.maxMemoryMb", "<=", maxMemoryMb,
                    peakMemoryMb, "MB", !Double.isNaN(peakMemoryMb) && peakMemoryMb <= maxMemoryMb));
        }
        return results;
    }

    public static boolean allPassed(List<BudgetResult> results) {
        return results.stream().allMatch(BudgetResult::passed);
    }

    /**
     * A plain-text table for the console:
     * <pre>
     * metric            budget       measured  verdict
     * mAP50             &gt;= 0.450     0.431     FAILED
     * </pre>
     */
    public static String table(List<BudgetResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"metric", "budget", "measured", "verdict"});
        for (BudgetResult r : results) {
            rows.add(new String[] {r.label(), r.budgetText(), r.measuredText(), r.verdict()});
        }
        if (results.isEmpty()) {
            rows.add(new String[] {"(no budgets set)", "", "", ""});
        }
        int[] w = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            String line = String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %s",
                    row[0], row[1], row[2], row[3]);
            sb.append(line.stripTrailing()).append('\n');
            if (k == 0) {
                sb.append("-".repeat(w[0] + w[1] + w[2] + w[3] + 6)).append('\n');
            }
        }
        return sb.toString();
    }

    /** Collects budget settings; {@link #build()} validates them all at once. */
    public static final class Builder {
        private final List<String> problems = new ArrayList<>();
        private Double minMap50;
        private Double maxLatencyMs;
        private LatencyStatistic latencyStatistic = LatencyStatistic.MEDIAN;
        private Double maxMemoryMb;

        private Builder() {
        }

        /** mAP50 as a fraction in [0, 1]; null for no budget. */
        public Builder minMap50(Double value) {
            this.minMap50 = value;
            if (value != null && (!Double.isFinite(value) || value < 0 || value > 1)) {
                String hint = Double.isFinite(value) && value > 1 && value <= 100
                        ? " (did you mean " + trim(value / 100) + "?)" : "";
                problems.add("prune.minMap50 must be a number from 0 to 1 (mAP50 is a fraction, e.g. 0.45), got "
                        + text(value) + hint);
            }
            return this;
        }

        public Builder minMap50(String text) {
            return minMap50(parse("prune.minMap50", text));
        }

        /** Milliseconds, positive; null for no budget. */
        public Builder maxLatencyMs(Double value) {
            this.maxLatencyMs = value;
            if (value != null && (!Double.isFinite(value) || value <= 0)) {
                problems.add("prune.maxLatencyMs must be a positive number of milliseconds, got " + text(value));
            }
            return this;
        }

        public Builder maxLatencyMs(String text) {
            return maxLatencyMs(parse("prune.maxLatencyMs", text));
        }

        public Builder latencyStatistic(LatencyStatistic statistic) {
            this.latencyStatistic = statistic == null ? LatencyStatistic.MEDIAN : statistic;
            return this;
        }

        public Builder latencyStatistic(String text) {
            try {
                return latencyStatistic(LatencyStatistic.parse(text));
            } catch (BudgetException e) {
                problems.add(e.getMessage());
                return this;
            }
        }

        /** Megabytes (MiB), positive; null for no budget. */
        public Builder maxMemoryMb(Double value) {
            this.maxMemoryMb = value;
            if (value != null && (!Double.isFinite(value) || value <= 0)) {
                problems.add("prune.maxMemoryMb must be a positive number of megabytes (MiB), got " + text(value));
            }
            return this;
        }

        public Builder maxMemoryMb(String text) {
            return maxMemoryMb(parse("prune.maxMemoryMb", text));
        }

        /**
         * The budgets, or a {@link BudgetException} listing every bad setting (one per line).
         */
        public Budgets build() {
            if (!problems.isEmpty()) {
                throw new BudgetException(String.join("\n", problems));
            }
            return new Budgets(minMap50, maxLatencyMs, latencyStatistic, maxMemoryMb);
        }

        private Double parse(String property, String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return Double.valueOf(text.strip());
            } catch (NumberFormatException e) {
                problems.add(property + " must be a number, got '" + text + "'");
                return null;
            }
        }

        private static String text(double v) {
            return Double.isNaN(v) ? "NaN" : Double.toString(v);
        }

        private static String trim(double v) {
            return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
    }
}
