package io.github.edgeprune.checkpoint;

/**
 * A checkpoint or weights file that cannot be read. The message starts with the file name (and,
 * for pickle problems, the archive entry) and says what is wrong.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
