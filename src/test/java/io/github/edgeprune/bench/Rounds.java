package io.github.edgeprune.bench;

import java.util.List;
import java.util.Locale;

/** The benchmarks' figures of interleaved rounds of latency medians. */
final class Rounds {

    private Rounds() {
    }

    /** The lowest of the rounds' medians: the round least disturbed by the rest of the machine. */
    static double best(List<Double> medians) {
        return medians.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** Every round's median, "46.6 / 74.8". */
    static String join(List<Double> medians) {
        StringBuilder sb = new StringBuilder();
        for (double d : medians) {
            sb.append(sb.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f", d));
        }
        return sb.toString();
    }
}
