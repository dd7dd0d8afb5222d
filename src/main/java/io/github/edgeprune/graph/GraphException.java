package io.github.edgeprune.graph;

/** A graph that is malformed or cannot be handled; the message names the node or value. */
public class GraphException extends RuntimeException {
    public GraphException(String message) {
        super(message);
    }

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
