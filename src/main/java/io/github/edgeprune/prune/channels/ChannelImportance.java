package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.tensor.HostTensor;
import java.util.List;
import java.util.Locale;

/**
 * How much a channel matters. {@code BN_GAMMA} is network slimming's |γ| of the BatchNorm right
 * after the convolution (a convolution without one, as in a graph with BatchNorm folded, falls back
 * to the filter's L1 norm); {@code L1} and {@code L2} are filter norms. Scores are divided by their
 * convolution's mean so that one global threshold compares layers of different scale.
 */
public enum ChannelImportance {
    BN_GAMMA, L1, L2;

    public static ChannelImportance parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "bn-gamma", "gamma", "bn" -> BN_GAMMA;
            case "l1" -> L1;
            case "l2" -> L2;
            default -> throw new ChannelPruningException("prune.importance must be bn-gamma, l1 or l2, got '"
                    + value + "'");
        };
    }

    /** The name a user types and prune.json records. */
    public String id() {
        return this == BN_GAMMA ? "bn-gamma" : name().toLowerCase(Locale.ROOT);
    }

    /** Normalised scores of a convolution's output channels. */
    double[] scores(Graph g, String convNode) {
        Node conv = g.nodes().stream().filter(n -> n.name().equals(convNode)).findFirst().orElseThrow();
        double[] s = null;
        if (this == BN_GAMMA) {
            List<Node> consumers = g.consumers(conv.output());
            if (consumers.size() == 1 && consumers.get(0).op() instanceof Op.BatchNorm) {
                float[] gamma = g.parameter(consumers.get(0).input(1)).tensor().floats();
                s = new double[gamma.length];
                for (int i = 0; i < gamma.length; i++) {
                    s[i] = Math.abs(gamma[i]);
                }
            }
        }
        if (s == null) {
            s = filterNorms(g.parameter(conv.input(1)).tensor(), this == L2 ? 2 : 1);
        }
        double mean = 0;
        for (double v : s) {
            mean += v / s.length;
        }
        for (int i = 0; i < s.length; i++) {
            s[i] = mean > 0 ? s[i] / mean : 0;
        }
        return s;
    }

    private static double[] filterNorms(HostTensor w, int p) {
        int out = (int) w.shape()[0];
        int per = w.size() / out;
        float[] v = w.floats();
        double[] n = new double[out];
        for (int o = 0; o < out; o++) {
            double acc = 0;
            for (int i = 0; i < per; i++) {
                double x = v[o * per + i];
                acc += p == 1 ? Math.abs(x) : x * x;
            }
            n[o] = p == 1 ? acc : Math.sqrt(acc);
        }
        return n;
    }
}
