package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which channels of a graph must be removed together: the pass that makes channel pruning a
 * property of the graph rather than of YOLO's layer names (Torch-Pruning's DependencyGraph).
 *
 * <p>Every convolution's output channels are a <em>space</em>. Each value of the graph carries a
 * channel map: for each position on its channel axis, the space channel it comes from. Ops that
 * keep channels (BatchNorm, activations, pooling, upsampling) pass the map on; a Concat on the
 * channel axis joins its inputs' maps, so a consumer knows the offset of every channel; a residual
 * {@code Add} ties position i of one operand to position i of the other (union-find), because both
 * must keep the same set. Where a channel reaches an op that does not keep channels apart
 * (Reshape, Transpose, Split, Slice, a Concat on another axis, a grouped convolution) or a graph
 * output, it is <em>fixed</em>: it can never be removed. That is how the Detect head's final
 * convolutions (their outputs are reshaped into anchors × (5 + nc)) and the image input stay
 * whole without any YOLO-specific rule.
 */
public final class ChannelDependencies {

    /** A convolution's output channels (or a graph input's): {@code first} is its first atom id. */
    public record Space(String node, String weight, int size, int first) {
    }

    private final Graph graph;
    private final List<Space> spaces = new ArrayList<>();
    private final Map<String, Integer> spaceOfNode = new LinkedHashMap<>();
    private final Map<String, int[]> maps = new HashMap<>();
    private final Map<String, long[]> shapes;
    private int[] parent = new int[0];
    private boolean[] fixed = new boolean[0];

    private ChannelDependencies(Graph graph) {
        this.graph = graph;
        this.shapes = ShapeInference.inferWithBatchOne(graph);
    }

    /** Traces every channel of the graph. */
    public static ChannelDependencies of(Graph graph) {
        ChannelDependencies d = new ChannelDependencies(graph);
        d.trace();
        return d;
    }

    private void trace() {
        for (GraphInput in : graph.inputs()) {
            if (in.shape().length == 4 && in.shape()[1] > 0) {
                int[] map = newSpace(null, null, (int) in.shape()[1]);
                fix(map);
                maps.put(in.name(), map);
            }
        }
        for (Node n : graph.nodes()) {
            propagate(n);
        }
        for (String out : graph.outputs()) {
            fix(maps.get(out));
        }
    }

    private void propagate(Node n) {
        Op op = n.op();
        int[] x = maps.get(n.input(0));
        if (op instanceof Op.Conv2d c) {
            boolean plain = c.groups() == 1;
            if (!plain) {
                fix(x); // a grouped convolution ties its input and output channels in blocks: kept whole
            }
            long out = graph.parameter(n.input(1)).tensor().shape()[0];
            int[] map = newSpace(n.name(), n.input(1), (int) out);
            if (!plain) {
                fix(map);
            }
            spaceOfNode.put(n.name(), spaces.size() - 1);
            maps.put(n.output(), map);
        } else if (op instanceof Op.BatchNorm || op instanceof Op.Silu || op instanceof Op.Sigmoid
                || op instanceof Op.Relu || op instanceof Op.MaxPool || op instanceof Op.ResizeNearest) {
            if (x != null) {
                maps.put(n.output(), x);
            }
        } else if (op instanceof Op.Binary) {
            binary(n);
        } else if (op instanceof Op.Concat cat && channelAxis(cat.axis(), n)) {
            List<int[]> parts = new ArrayList<>();
            for (String in : n.inputs()) {
                parts.add(maps.get(in));
            }
            if (parts.contains(null)) {
                parts.forEach(this::fix);
                return;
            }
            int total = parts.stream().mapToInt(p -> p.length).sum();
            int[] joined = new int[total];
            int o = 0;
            for (int[] p : parts) {
                System.arraycopy(p, 0, joined, o, p.length);
                o += p.length;
            }
            maps.put(n.output(), joined);
        } else {
            // Reshape, Transpose, Split, Slice, a Concat on another axis: channels lose their identity
            for (String in : n.inputs()) {
                fix(maps.get(in));
            }
        }
    }

    private void binary(Node n) {
        int[] a = maps.get(n.input(0));
        int[] b = maps.get(n.input(1));
        if (a != null && b != null) {
            if (a.length != b.length) {
                throw new ChannelPruningException("node '" + n.name() + "' (" + n.op().type() + ") combines "
                        + a.length + " and " + b.length + " channels; the pass cannot tie them");
            }
            for (int i = 0; i < a.length; i++) {
                union(a[i], b[i]);
            }
            maps.put(n.output(), a);
            return;
        }
        int[] tracked = a != null ? a : b;
        if (tracked == null) {
            return;
        }
        String other = a != null ? n.input(1) : n.input(0);
        if (spansChannels(shapes.get(other))) {
            // a per-channel constant would have to shrink too; the graphs built here have none
            fix(tracked);
            return;
        }
        maps.put(n.output(), tracked);
    }

    /** Whether a tensor broadcast against an NCHW value has more than one entry along C. */
    private static boolean spansChannels(long[] shape) {
        if (shape == null) {
            return true;
        }
        int axis = shape.length - 3;
        return axis >= 0 && shape[axis] != 1;
    }

    private boolean channelAxis(int axis, Node n) {
        long[] s = shapes.get(n.input(0));
        return s != null && s.length == 4 && (axis == 1 || axis == -3);
    }

    private int[] newSpace(String node, String weight, int size) {
        int first = parent.length;
        spaces.add(new Space(node, weight, size, first));
        parent = Arrays.copyOf(parent, first + size);
        fixed = Arrays.copyOf(fixed, first + size);
        int[] map = new int[size];
        for (int i = 0; i < size; i++) {
            parent[first + i] = first + i;
            map[i] = first + i;
        }
        return map;
    }

    private void fix(int[] map) {
        if (map != null) {
            for (int atom : map) {
                fixed[root(atom)] = true;
            }
        }
    }

    private void union(int a, int b) {
        int ra = root(a);
        int rb = root(b);
        if (ra != rb) {
            parent[rb] = ra;
            fixed[ra] |= fixed[rb];
        }
    }

    /** The representative of an atom's tie class. */
    int root(int atom) {
        int r = atom;
        while (parent[r] != r) {
            r = parent[r];
        }
        while (parent[atom] != r) {
            int next = parent[atom];
            parent[atom] = r;
            atom = next;
        }
        return r;
    }

    /** Whether an atom (a space channel) may never be removed. */
    public boolean isFixed(int atom) {
        return fixed[root(atom)];
    }

    public Graph graph() {
        return graph;
    }

    /** The convolution output spaces (graph inputs excluded), in graph order. */
    public List<Space> convSpaces() {
        return spaces.stream().filter(s -> s.node() != null).toList();
    }

    /** The space a convolution node writes, or null. */
    public Space spaceOf(String convNode) {
        Integer i = spaceOfNode.get(convNode);
        return i == null ? null : spaces.get(i);
    }

    /** The channel map of a value (atom ids along its channel axis), or null where untracked. */
    public int[] channelMap(String value) {
        int[] m = maps.get(value);
        return m == null ? null : m.clone();
    }
}
