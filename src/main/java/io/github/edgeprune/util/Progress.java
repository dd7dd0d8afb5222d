package io.github.edgeprune.util;

/**
 * Progress of a long piece of work (validating a data set, pruning layer by layer...). Callers
 * {@link #start} a task, report finished units with {@link #step}, and close it with {@link #done}.
 * Implementations decide how often to show it; none may slow the work down noticeably.
 */
public interface Progress {

    /** Begins a task of {@code total} units ({@code total <= 0}: unknown). */
    void start(String task, long total);

    /** {@code n} more units are finished. */
    void step(long n);

    /** The task is finished (also after a failure; a second call does nothing). */
    void done();

    /** Shows nothing. */
    static Progress silent() {
        return new Progress() {
            @Override
            public void start(String task, long total) {
            }

            @Override
            public void step(long n) {
            }

            @Override
            public void done() {
            }
        };
    }

    /** Writes lines through the log, a few per task (see {@link LogProgress}). */
    static Progress log(Log log) {
        return new LogProgress(log);
    }
}
