package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.graph.ShapeInference;
import io.github.edgeprune.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Removes tie classes of channels from a traced graph: a pass producing new, smaller tensors (not
 * masks). A convolution loses the weight rows (and bias entries) of its removed output channels;
 * every consumer of a tracked value loses the matching positions: a convolution's weight columns,
 * a BatchNorm's γ, β, running mean and variance. What a removed input channel contributed on
 * average is kept in the consumer's bias or BatchNorm mean ({@link ChannelCompensation}). The ops
 * themselves carry no channel counts, so they stay as they are.
 */
public final class ChannelRemoval {

    private ChannelRemoval() {
    }

    /** The graph without the channels whose tie class is in {@code removed}. */
    public static Graph apply(ChannelDependencies deps, Set<Integer> removed) {
        return apply(deps, removed, ChannelCompensation.of(deps.graph()));
    }

    /** The same, with the expected channel values of {@code deps}' graph worked out once by the caller. */
    static Graph apply(ChannelDependencies deps, Set<Integer> removed, ChannelCompensation compensation) {
        Graph g = deps.graph();
        for (ChannelDependencies.Space s : deps.convSpaces()) {
            for (int c = 0; c < s.size(); c++) {
                if (deps.isFixed(s.first() + c) && removed.contains(deps.root(s.first() + c))) {
                    throw new ChannelPruningException("channel " + c + " of '" + s.node() + "' cannot be removed: it"
                            + " reaches a reshape, a graph output or another op that keeps its channels whole");
                }
            }
        }
        Map<String, Parameter> params = new LinkedHashMap<>(g.parameters());
        Map<String, String> slicedBy = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Conv2d) {
                String weight = n.input(1);
                ChannelDependencies.Space out = deps.spaceOf(n.name());
                boolean[] keepOut = keep(deps, range(out.first(), out.size()), removed);
                int[] in = deps.channelMap(n.input(0));
                boolean[] keepIn = in == null || ((Op.Conv2d) n.op()).groups() != 1 ? null : keep(deps, in, removed);
                compensation.fold(g, n, keepIn, params); // before anything of this conv is sliced
                HostTensor w = params.get(weight).tensor();
                HostTensor shrunk = select(select(w, 0, keepOut), 1, keepIn);
                claim(slicedBy, weight, n);
                params.put(weight, params.get(weight).withTensor(shrunk));
                if (n.inputs().size() > 2) {
                    String bias = n.input(2);
                    claim(slicedBy, bias, n);
                    params.put(bias, params.get(bias).withTensor(select(params.get(bias).tensor(), 0, keepOut)));
                }
            } else if (n.op() instanceof Op.BatchNorm) {
                int[] in = deps.channelMap(n.input(0));
                if (in == null) {
                    continue;
                }
                boolean[] keepIn = keep(deps, in, removed);
                for (int i = 1; i < 5; i++) {
                    String p = n.input(i);
                    claim(slicedBy, p, n);
                    params.put(p, params.get(p).withTensor(select(params.get(p).tensor(), 0, keepIn)));
                }
            }
        }
        Graph pruned = new Graph(g.name(), g.inputs(), g.outputs(), g.nodes(), params, g.metadata());
        try {
            ShapeInference.inferWithBatchOne(pruned);
        } catch (io.github.edgeprune.graph.GraphException | IllegalArgumentException e) {
            throw new ChannelPruningException("the graph does not hold together after channel removal: "
                    + e.getMessage());
        }
        return pruned;
    }

    /** A parameter read by two nodes would be cut twice, perhaps differently: refused. */
    private static void claim(Map<String, String> slicedBy, String param, Node n) {
        String before = slicedBy.putIfAbsent(param, n.name());
        if (before != null) {
            throw new ChannelPruningException("parameter '" + param + "' is shared by '" + before + "' and '"
                    + n.name() + "'; channel removal needs each to have its own");
        }
    }

    private static int[] range(int first, int size) {
        int[] r = new int[size];
        for (int i = 0; i < size; i++) {
            r[i] = first + i;
        }
        return r;
    }

    private static boolean[] keep(ChannelDependencies deps, int[] atoms, Set<Integer> removed) {
        boolean[] k = new boolean[atoms.length];
        for (int i = 0; i < atoms.length; i++) {
            k[i] = !removed.contains(deps.root(atoms[i]));
        }
        return k;
    }

    /** The tensor with only the kept indices along {@code axis} (null keeps all). */
    static HostTensor select(HostTensor t, int axis, boolean[] keep) {
        long[] shape = t.shape();
        if (keep == null) {
            return t;
        }
        if (keep.length != shape[axis]) {
            throw new ChannelPruningException("a tensor of shape " + java.util.Arrays.toString(shape)
                    + " has no " + keep.length + " channels on axis " + axis);
        }
        int kept = 0;
        for (boolean b : keep) {
            kept += b ? 1 : 0;
        }
        if (kept == keep.length) {
            return t;
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] src = t.floats();
        float[] dst = new float[(int) (outer * kept * inner)];
        int o = 0;
        for (long a = 0; a < outer; a++) {
            for (int c = 0; c < keep.length; c++) {
                if (keep[c]) {
                    System.arraycopy(src, (int) ((a * keep.length + c) * inner), dst, o, (int) inner);
                    o += inner;
                }
            }
        }
        long[] s = shape.clone();
        s[axis] = kept;
        return HostTensor.ofFloats(dst, s);
    }
}
