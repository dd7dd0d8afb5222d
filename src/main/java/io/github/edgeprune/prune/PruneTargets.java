package io.github.edgeprune.prune;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors the paper prunes: the weight of every Conv2d (the Detect head's convolutions
 * included, as {@code named_modules()} yields them) and the weight (γ) of every BatchNorm2d.
 * Biases, running statistics and anchors are never pruned.
 */
public record PruneTargets(List<String> convWeights, List<String> batchNormWeights) {

    public PruneTargets {
        convWeights = List.copyOf(convWeights);
        batchNormWeights = List.copyOf(batchNormWeights);
    }

    public static PruneTargets of(Graph graph) {
        Set<String> conv = new LinkedHashSet<>();
        Set<String> bn = new LinkedHashSet<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Op.Conv2d && graph.isParameter(n.input(1))) {
                conv.add(n.input(1));
            } else if (n.op() instanceof Op.BatchNorm && graph.isParameter(n.input(1))) {
                bn.add(n.input(1));
            }
        }
        // keep state_dict order so tables read like the model
        List<String> order = new ArrayList<>(graph.parameters().keySet());
        List<String> convOrdered = order.stream().filter(conv::contains).toList();
        List<String> bnOrdered = order.stream().filter(bn::contains).toList();
        return new PruneTargets(convOrdered, bnOrdered);
    }
}
