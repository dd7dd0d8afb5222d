package io.github.edgeprune.train;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * YOLOv5's {@code smart_optimizer} split of the trainable parameters, in its parameter-group order:
 * group 0 every bias (no weight decay), group 1 the weights of convolutions (with decay), group 2
 * the weights of BatchNorm layers (no decay).
 */
public record ParamGroups(List<String> biases, List<String> weights, List<String> batchNormWeights) {

    /** The index of the bias group (its warm-up starts from warmup_bias_lr). */
    public static final int BIAS = 0;

    public ParamGroups {
        biases = List.copyOf(biases);
        weights = List.copyOf(weights);
        batchNormWeights = List.copyOf(batchNormWeights);
    }

    public static ParamGroups of(Graph graph) {
        Set<String> bnWeights = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Op.BatchNorm) {
                bnWeights.add(n.input(1));
            }
        }
        List<String> b = new ArrayList<>();
        List<String> w = new ArrayList<>();
        List<String> g = new ArrayList<>();
        for (Parameter p : graph.parameters().values()) {
            if (p.kind() != Parameter.Kind.WEIGHT) {
                continue;
            }
            if (p.name().endsWith(".bias")) {
                b.add(p.name());
            } else if (bnWeights.contains(p.name())) {
                g.add(p.name());
            } else {
                w.add(p.name());
            }
        }
        return new ParamGroups(b, w, g);
    }

    public List<String> all() {
        List<String> out = new ArrayList<>(biases);
        out.addAll(weights);
        out.addAll(batchNormWeights);
        return out;
    }
}
