package io.github.edgeprune.checkpoint;

/** A pickle stream that is corrupt or uses something this reader does not support. */
public class PickleException extends CheckpointException {
    public PickleException(String message) {
        super(message);
    }
}
