package io.github.edgeprune.prune.channels;

/** A graph, model or target that channel pruning cannot work with; the message names the layer or value. */
public class ChannelPruningException extends IllegalArgumentException {

    public ChannelPruningException(String message) {
        super(message);
    }
}
