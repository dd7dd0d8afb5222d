package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The groups of a traced graph: convolutions joined where any of their channels are tied. */
public final class ChannelGroups {

    private ChannelGroups() {
    }

    public static List<ChannelGroup> of(ChannelDependencies deps) {
        List<ChannelDependencies.Space> spaces = deps.convSpaces();
        // spaces sharing a tie class belong to one group: union them through the classes they hold
        Map<Integer, Integer> classOwner = new LinkedHashMap<>();
        int[] group = new int[spaces.size()];
        for (int i = 0; i < spaces.size(); i++) {
            group[i] = i;
        }
        for (int i = 0; i < spaces.size(); i++) {
            ChannelDependencies.Space s = spaces.get(i);
            for (int c = 0; c < s.size(); c++) {
                int cls = deps.root(s.first() + c);
                Integer owner = classOwner.putIfAbsent(cls, i);
                if (owner != null) {
                    join(group, owner, i);
                }
            }
        }
        Map<Integer, List<Integer>> members = new TreeMap<>();
        for (int i = 0; i < spaces.size(); i++) {
            members.computeIfAbsent(find(group, i), k -> new ArrayList<>()).add(i);
        }
        List<ChannelGroup> out = new ArrayList<>();
        for (List<Integer> m : members.values()) {
            ChannelDependencies.Space first = spaces.get(m.get(0));
            int[] classes = new int[first.size()];
            boolean prunable = true;
            for (int c = 0; c < first.size(); c++) {
                classes[c] = deps.root(first.first() + c);
                prunable &= !deps.isFixed(first.first() + c);
            }
            // every member must hold each class exactly once (residual ties are one to one);
            // anything else (a tie through part of a Concat) is kept whole rather than guessed at
            for (int idx : m) {
                ChannelDependencies.Space s = spaces.get(idx);
                if (s.size() != first.size()) {
                    prunable = false;
                    continue;
                }
                Set<Integer> seen = new HashSet<>();
                for (int c = 0; c < s.size(); c++) {
                    int cls = deps.root(s.first() + c);
                    prunable &= seen.add(cls) && !deps.isFixed(s.first() + c);
                }
                for (int cls : classes) {
                    prunable &= seen.contains(cls);
                }
            }
            List<String> convs = m.stream().map(i -> spaces.get(i).node()).toList();
            out.add(new ChannelGroup(convs, classes, prunable));
        }
        return out;
    }

    private static int find(int[] g, int i) {
        while (g[i] != i) {
            g[i] = g[g[i]];
            i = g[i];
        }
        return i;
    }

    private static void join(int[] g, int a, int b) {
        int ra = find(g, a);
        int rb = find(g, b);
        if (ra != rb) {
            g[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    /**
     * The BatchNorm weights (γ) that network slimming's sparsity term acts on: those right after a
     * convolution of a prunable group, so a residual-tied group's BatchNorms are all included (they
     * are cut together) and a convolution whose channels are fixed (the Detect head, which has no
     * BatchNorm, or one feeding a reshape) is left alone.
     */
    public static List<String> slimmableBatchNormWeights(Graph graph) {
        List<String> out = new ArrayList<>();
        for (ChannelGroup g : of(ChannelDependencies.of(graph))) {
            if (!g.prunable()) {
                continue;
            }
            for (String conv : g.convs()) {
                Node n = graph.nodes().stream().filter(x -> x.name().equals(conv)).findFirst()
                        .orElseThrow();
                List<Node> readers = graph.consumers(n.output());
                if (readers.size() == 1 && readers.get(0).op() instanceof Op.BatchNorm) {
                    out.add(readers.get(0).input(1));
                }
            }
        }
        return out;
    }
}
