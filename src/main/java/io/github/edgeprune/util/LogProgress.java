package io.github.edgeprune.util;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as whole log lines, for logs that keep every line (Maven's): no carriage returns.
 * A line such as {@code Validating 64/128 (50%) 3.1 it/s ETA 20 s} is written when at least
 * {@code minInterval} has passed since the last one and the work has moved on by at least a tenth,
 * or when {@code maxInterval} has passed (long tasks, and tasks of unknown size, still show they are
 * alive); {@link #done()}
 * writes the closing line with the total time. So a task writes about ten lines at most, plus
 * one per {@code maxInterval}.
 */
public final class LogProgress implements Progress {

    private static final long SECOND = 1_000_000_000L;

    private final Log log;
    private final LongSupplier clock;
    private final long minIntervalNanos;
    private final long maxIntervalNanos;

    private String task = "";
    private long total;
    private long count;
    private long startNanos;
    private long lastLineNanos;
    private long lastLineCount;
    private boolean running;

    public LogProgress(Log log) {
        this(log, System::nanoTime, 2 * SECOND, 30 * SECOND);
    }

    /** For tests and special cases: a clock in nanoseconds and the two intervals. */
    public LogProgress(Log log, LongSupplier clockNanos, long minIntervalNanos, long maxIntervalNanos) {
        this.log = log;
        this.clock = clockNanos;
        this.minIntervalNanos = minIntervalNanos;
        this.maxIntervalNanos = maxIntervalNanos;
    }

    @Override
    public synchronized void start(String task, long total) {
        this.task = task;
        this.total = total;
        this.count = 0;
        this.startNanos = clock.getAsLong();
        this.lastLineNanos = startNanos;
        this.lastLineCount = 0;
        this.running = true;
    }

    @Override
    public synchronized void step(long n) {
        if (!running) {
            return;
        }
        count += n;
        long now = clock.getAsLong();
        long sinceLine = now - lastLineNanos;
        boolean tenth = total > 0 && (count - lastLineCount) * 10 >= total; // unknown total: maxInterval only
        boolean finished = total > 0 && count >= total;
        if (!finished && ((sinceLine >= minIntervalNanos && tenth) || sinceLine >= maxIntervalNanos)) {
            log.info(line(now, false));
            lastLineNanos = now;
            lastLineCount = count;
        }
    }

    @Override
    public synchronized void done() {
        if (!running) {
            return;
        }
        running = false;
        log.info(line(clock.getAsLong(), true));
    }

    private String line(long now, boolean finished) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = count / seconds;
        StringBuilder sb = new StringBuilder(task).append(' ').append(count);
        if (total > 0) {
            sb.append('/').append(total).append(" (").append(count * 100 / total).append("%)");
        }
        if (count > 0) {
            sb.append(' ').append(rate >= 0.1 ? String.format(Locale.ROOT, "%.1f it/s", rate)
                    : String.format(Locale.ROOT, "%.1f s/it", 1 / rate));
        }
        if (finished) {
            sb.append(" in ").append(duration(seconds));
        } else if (total > 0 && count > 0 && count < total) {
            sb.append(" ETA ").append(duration((total - count) / rate));
        }
        return sb.toString();
    }

    /** "7 s", "3 min 5 s", "2 h 4 min". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
