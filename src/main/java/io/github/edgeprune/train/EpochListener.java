package io.github.edgeprune.train;

/**
 * Told about each finished epoch after its outputs (results.csv, last, best, training state) are
 * safely written. An exception thrown here stops the run as a crash would, leaving a state from
 * which {@code resume} continues.
 */
@FunctionalInterface
public interface EpochListener {

    void epochEnd(EpochRecord record) throws Exception;
}
