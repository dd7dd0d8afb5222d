package io.github.edgeprune.device;

import java.time.Duration;

/** A command started on the device that has not necessarily ended yet. */
public interface RunningCommand extends AutoCloseable {

    boolean isAlive();

    /**
     * Waits for the command to end.
     *
     * @return how it ended, or null when it is still running after {@code timeout}
     */
    ExecResult waitFor(Duration timeout) throws InterruptedException;

    /** Everything it wrote to stderr so far. */
    String stderrSoFar();

    /**
     * Stops waiting for it: a local process (and its children) is destroyed; an SSH channel is
     * closed. To be sure a remote program stops, signal its PID (see {@link MonitoredRun}).
     */
    void kill();

    /** Kills it if it is still running. */
    @Override
    default void close() {
        if (isAlive()) {
            kill();
        }
    }
}
