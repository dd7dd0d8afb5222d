package io.github.edgeprune.prune.channels;

import java.util.List;

/**
 * Convolutions whose output channels shrink together: one convolution, or several tied by residual
 * additions. {@code classes[i]} is the tie class of channel i in every member (members list their
 * channels in the same tied order), so removing class {@code classes[i]} removes one channel from
 * each member.
 *
 * @param convs the member convolution nodes, in graph order
 * @param classes the tie class (an atom id) of each channel, in the first member's order
 * @param prunable false where a channel reaches a reshape, a graph output or another op that keeps
 *     the set whole (the Detect head's outputs, for one)
 */
public record ChannelGroup(List<String> convs, int[] classes, boolean prunable) {

    public ChannelGroup {
        convs = List.copyOf(convs);
        classes = classes.clone();
    }

    public int channels() {
        return classes.length;
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    /** The first member's name, for tables and messages. */
    public String name() {
        return convs.size() == 1 ? convs.get(0) : convs.get(0) + " (+" + (convs.size() - 1) + " tied)";
    }
}
