package io.github.edgeprune.optimize;

/** Bad optimize settings (the message names the property), or a search that could not run. */
public class OptimizeException extends IllegalArgumentException {

    public OptimizeException(String message) {
        super(message);
    }
}
