package io.github.edgeprune.device.emulated;

import java.time.Duration;

/** Elapsed times the way the progress lines print them: {@code 2m05s}, {@code 14.2s}. */
final class Durations {

    private Durations() {
    }

    static String since(long startNanos) {
        return format(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return (s / 60) + "m" + String.format(java.util.Locale.ROOT, "%02d", s % 60) + "s";
    }
}
