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

    public static final int BIAS = 0;
    public static final int WEIGHT = 1;
    public static final int BN_WEIGHT = 2;

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

    public List<String> group(int index) {
        return switch (index) {
            case BIAS -> biases;
            case WEIGHT -> weights;
            case BN_WEIGHT -> batchNormWeights;
            default -> throw new IllegalArgumentException("no parameter group " + index);
        };
    }

    public List<String> all() {
        List<String> out = new ArrayList<>(biases);
        out.addAll(weights);
        out.addAll(batchNormWeights);
        return out;
    }
}
