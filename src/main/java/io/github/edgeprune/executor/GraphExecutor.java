package io.github.edgeprune.executor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.graph.ShapeInference;
import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs any {@link Graph} on DJL NDArrays (PyTorch engine): batched inference, training with
 * autograd (run inside a DJL GradientCollector with {@link Mode#TRAINING}), and IR that was read
 * back. Parameters are copied into engine memory once and stay there; training updates them
 * there ({@link #parameter(String)}), and the trainer reads them back when it saves.
 *
 * <p>Only the nodes needed for the requested values run, and every intermediate value is
 * released after its last use, so peak memory stays near that of the widest layer.
 */
public final class GraphExecutor implements AutoCloseable {

    /** BatchNorm uses running statistics (INFERENCE) or batch statistics and updates them (TRAINING). */
    public enum Mode { INFERENCE, TRAINING }

    private final Graph graph;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, long[]> shapesAtBatchOne;

    public GraphExecutor(Graph graph, NDManager parent) {
        // Shapes are checked up front: a mis-shaped tensor handed to libtorch can take the JVM down
        // instead of raising an exception.
        this.shapesAtBatchOne = ShapeInference.inferWithBatchOne(graph);
        this.graph = graph;
        this.manager = parent.newSubManager();
        graph.parameters().forEach((name, p) -> parameters.put(name, toEngine(p.tensor(), manager)));
    }

    public Graph graph() {
        return graph;
    }

    /** The static shape of a value of the graph for a batch of one (checked when this executor was made). */
    public long[] shapeAtBatchOne(String value) {
        long[] shape = shapesAtBatchOne.get(value);
        if (shape == null) {
            throw new GraphException("graph has no value '" + value + "'");
        }
        return shape.clone();
    }

    /** The engine-side tensor of a parameter (shared: in-place updates change the model). */
    public NDArray parameter(String name) {
        NDArray a = parameters.get(name);
        if (a == null) {
            throw new GraphException("graph has no parameter '" + name + "'");
        }
        return a;
    }

    /** Names of the trainable parameters (kind WEIGHT), in state_dict order. */
    public List<String> trainableParameters() {
        return graph.parameters().values().stream()
                .filter(p -> p.kind() == Parameter.Kind.WEIGHT)
                .map(Parameter::name)
                .toList();
    }

    /** Attaches (or detaches) gradients to every trainable parameter. */
    public void setRequiresGradient(boolean requiresGradient) {
        for (String name : trainableParameters()) {
            parameters.get(name).setRequiresGradient(requiresGradient);
        }
    }

    /** Runs the graph for its declared outputs. */
    public NDList forward(NDArray images, Mode mode) {
        Map<String, NDArray> result = run(Map.of(graph.inputs().get(0).name(), images), graph.outputs(), mode);
        NDList out = new NDList();
        for (String o : graph.outputs()) {
            out.add(result.get(o));
        }
        return out;
    }

    /**
     * Computes the requested values from the given inputs. Returned arrays belong to the
     * inputs' manager; everything else computed on the way is closed.
     */
    public Map<String, NDArray> run(Map<String, NDArray> feeds, Collection<String> fetches, Mode mode) {
        for (GraphInput in : graph.inputs()) {
            if (!feeds.containsKey(in.name())) {
                throw new GraphException("no value given for graph input '" + in.name() + "'");
            }
        }
        List<Node> schedule = schedule(fetches);
        Map<String, Integer> remainingUses = new HashMap<>();
        for (Node n : schedule) {
            for (String in : n.inputs()) {
                remainingUses.merge(in, 1, Integer::sum);
            }
        }
        Set<String> keep = new HashSet<>(fetches);
        Map<String, NDArray> values = new HashMap<>(feeds);
        for (Node node : schedule) {
            NDArray[] inputs = new NDArray[node.inputs().size()];
            for (int i = 0; i < inputs.length; i++) {
                String name = node.input(i);
                NDArray v = values.get(name);
                inputs[i] = v != null ? v : parameters.get(name);
            }
            NDArray[] outputs;
            try {
                outputs = Kernels.execute(node.op(), inputs, mode);
            } catch (RuntimeException e) {
                throw new GraphException("node '" + node.name() + "' (" + node.op().type() + ") failed on inputs "
                        + Arrays.stream(inputs).map(a -> a.getShape().toString()).toList() + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < outputs.length; i++) {
                values.put(node.outputs().get(i), outputs[i]);
            }
            for (String in : node.inputs()) {
                if (remainingUses.merge(in, -1, Integer::sum) == 0 && !keep.contains(in) && !feeds.containsKey(in)
                        && !parameters.containsKey(in)) {
                    NDArray done = values.remove(in);
                    if (done != null) {
                        done.close();
                    }
                }
            }
            for (String out : node.outputs()) {
                if (!remainingUses.containsKey(out) && !keep.contains(out)) {
                    values.remove(out).close(); // an unused output of a multi-output node
                }
            }
        }
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (String f : fetches) {
            NDArray v = values.get(f);
            if (v == null) {
                v = parameters.get(f);
            }
            if (v == null) {
                throw new GraphException("graph has no value '" + f + "'");
            }
            result.put(f, v);
        }
        return result;
    }

    /** The nodes needed for these values, in graph order. */
    private List<Node> schedule(Collection<String> fetches) {
        Set<String> needed = new HashSet<>(fetches);
        List<Node> reversed = new ArrayList<>();
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(needed::contains)) {
                reversed.add(n);
                needed.addAll(n.inputs());
            }
        }
        List<Node> order = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            order.add(reversed.get(i));
        }
        return order;
    }

    private static NDArray toEngine(HostTensor t, NDManager manager) {
        Shape shape = new Shape(t.shape());
        if (t.dtype() == HostTensor.DType.FLOAT32) {
            return OwnedArrays.of(manager, t.floats(), shape);
        }
        return OwnedArrays.of(manager, t.longs(), shape);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The DJL implementation of each op. */
    static final class Kernels {

        private Kernels() {
        }

        static NDArray[] execute(Op op, NDArray[] in, Mode mode) {
            if (op instanceof Op.Conv2d c) {
                return one(conv(c, in));
            } else if (op instanceof Op.BatchNorm bn) {
                boolean training = mode == Mode.TRAINING;
                // DJL passes (1 - momentum) to torch.batch_norm, whose momentum weights the new batch
                return one(BatchNorm.batchNorm(in[0], in[3], in[4], in[1], in[2], 1, (float) (1 - bn.momentum()),
                        (float) bn.epsilon(), training).singletonOrThrow());
            } else if (op instanceof Op.Silu) {
                return one(in[0].mul(in[0].getNDArrayInternal().sigmoid()));
            } else if (op instanceof Op.Sigmoid) {
                return one(in[0].getNDArrayInternal().sigmoid());
            } else if (op instanceof Op.Relu) {
                return one(in[0].getNDArrayInternal().relu());
            } else if (op instanceof Op.Binary b) {
                return one(switch (b.kind()) {
                    case ADD -> in[0].add(in[1]);
                    case SUB -> in[0].sub(in[1]);
                    case MUL -> in[0].mul(in[1]);
                    case DIV -> in[0].div(in[1]);
                    case POW -> in[0].pow(in[1]);
                });
            } else if (op instanceof Op.Concat c) {
                return one(NDArrays.concat(new NDList(in), c.axis()));
            } else if (op instanceof Op.MaxPool p) {
                return one(maxPool(p, in[0]));
            } else if (op instanceof Op.ResizeNearest r) {
                return one(in[0].repeat(2, r.scaleH()).repeat(3, r.scaleW()));
            } else if (op instanceof Op.Reshape r) {
                return one(in[0].reshape(new Shape(Op.resolveReshape(in[0].getShape().getShape(), r.target()))));
            } else if (op instanceof Op.Transpose t) {
                return one(in[0].transpose(t.perm()));
            } else if (op instanceof Op.Slice s) {
                return one(slice(s, in[0]));
            } else if (op instanceof Op.Split s) {
                return split(s, in[0]);
            } else if (op instanceof Op.FakeQuantize q) {
                return one(fakeQuantize(q, in));
            } else if (op instanceof Op.Clamp c) {
                return one(in[0].clip(c.min(), c.max()));
            } else if (op instanceof Op.Exp) {
                return one(in[0].exp());
            } else if (op instanceof Op.Softmax sm) {
                return one(in[0].softmax(Op.normalizeAxis(sm.axis(), in[0].getShape().dimension())));
            } else if (op instanceof Op.Mvn m) {
                return one(mvn(m, in[0]));
            } else if (op instanceof Op.Reduce r) {
                return one(reduce(r, in[0]));
            } else if (op instanceof Op.DetectionOutput d) {
                return one(detectionOutput(d, in));
            }
            throw new GraphException("the executor has no kernel for op " + op.type());
        }

        /**
         * OpenVINO's reference FakeQuantize, step for step in float32 (its CPU plugin computes the
         * same grid): torch.round rounds half to even, as nearbyint does.
         */
        private static NDArray fakeQuantize(Op.FakeQuantize q, NDArray[] in) {
            NDManager home = in[0].getManager();
            try (NDManager scope = home.newSubManager()) {
                // every intermediate lands in scope, the inputs go back to their managers after; an array
                // given twice (input and output range are often the same) is attached once, or the
                // second attach would record scope as its home and close it with scope
                java.util.Set<NDArray> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                for (NDArray a : in) {
                    if (distinct.add(a)) {
                        a.tempAttach(scope);
                    }
                }
                NDArray x = in[0];
                NDArray il = in[1];
                NDArray ih = in[2];
                NDArray ol = in[3];
                NDArray oh = in[4];
                NDArray steps = scope.create((float) (q.levels() - 1));
                NDArray grid = x.sub(il).div(ih.sub(il)).mul(steps).round().div(steps).mul(oh.sub(ol)).add(ol);
                NDArray below = x.lte(il).logicalAnd(x.lte(ih));
                NDArray above = x.gt(il).logicalAnd(x.gt(ih));
                NDArray out = NDArrays.where(below, ol.broadcast(x.getShape()),
                        NDArrays.where(above, oh.broadcast(x.getShape()), grid));
                out.attach(home);
                return out;
            }
        }

        private static int[] axes(int[] axes, int rank) {
            return Arrays.stream(axes).map(a -> Op.normalizeAxis(a, rank)).distinct().sorted().toArray();
        }

        /**
         * A reduction over several axes, one axis at a time (libtorch through DJL reduces max, min
         * and mean over a single axis only; one axis after another gives the same result, the mean
         * included since every group has the same size), then the reduced axes dropped unless kept.
         */
        private static NDArray reduce(Op.Reduce.Kind kind, NDArray x, int[] rawAxes, boolean keepDims) {
            long[] shape = x.getShape().getShape();
            int[] axes = axes(rawAxes, shape.length);
            NDArray cur = x;
            for (int i = axes.length - 1; i >= 0; i--) {
                int[] one = {axes[i]};
                NDArray next = switch (kind) {
                    case MAX -> cur.max(one, true);
                    case MIN -> cur.min(one, true);
                    case SUM -> cur.sum(one, true);
                    case MEAN -> cur.mean(one, true);
                    case PROD -> cur.prod(one, true);
                };
                if (cur != x) {
                    cur.close();
                }
                cur = next;
            }
            if (cur == x) {
                return x.duplicate();
            }
            if (!keepDims) {
                NDArray dropped = cur.reshape(new Shape(Op.reducedShape(shape, axes, false)));
                cur.close();
                cur = dropped;
            }
            return cur;
        }

        private static NDArray reduce(Op.Reduce r, NDArray x) {
            return reduce(r.kind(), x, r.axes(), r.keepDims());
        }

        /** MVN-6: (x - mean) / sqrt(var + eps) or / (sqrt(var) + eps), biased variance over the axes. */
        private static NDArray mvn(Op.Mvn m, NDArray x) {
            int[] axes = axes(m.axes(), x.getShape().dimension());
            NDManager home = x.getManager();
            try (NDManager scope = home.newSubManager()) {
                x.tempAttach(scope);
                NDArray centred = x.sub(reduce(Op.Reduce.Kind.MEAN, x, axes, true));
                NDArray out = centred;
                if (m.normalizeVariance()) {
                    NDArray var = reduce(Op.Reduce.Kind.MEAN, centred.square(), axes, true);
                    NDArray denom = m.epsInsideSqrt() ? var.add((float) m.eps()).sqrt() : var.sqrt().add((float) m.eps());
                    out = centred.div(denom);
                }
                out.attach(home);
                return out;
            }
        }

        /** DetectionOutput-8 on the host (it is a few thousand boxes), see {@link DetectionOutputKernel}. */
        private static NDArray detectionOutput(Op.DetectionOutput d, NDArray[] in) {
            long[] locShape = in[0].getShape().getShape();
            long[] confShape = in[1].getShape().getShape();
            long[] priorShape = in[2].getShape().getShape();
            float[] out = DetectionOutputKernel.run(d, in[0].toFloatArray(), in[1].toFloatArray(), in[2].toFloatArray(),
                    (int) locShape[0], (int) d.priors(priorShape), (int) d.classes(confShape, priorShape),
                    (int) priorShape[0]);
            return OwnedArrays.of(in[0].getManager(), out, new Shape(1, 1, locShape[0] * d.keepTopK(), 7));
        }

        private static NDArray[] one(NDArray a) {
            return new NDArray[] {a};
        }

        private static NDArray conv(Op.Conv2d c, NDArray[] in) {
            NDArray x = in[0];
            long[] pb = c.padsBegin();
            long[] pe = c.padsEnd();
            Shape pad = new Shape(pb[0], pb[1]);
            if (!c.symmetricPadding()) {
                // pad the extra on the end side explicitly, then convolve with the common part
                x = x.pad(new Shape(0, pe[1] - pb[1], 0, pe[0] - pb[0]), 0);
            }
            NDArray bias = in.length > 2 ? in[2] : null;
            NDArray w = in[1];
            NDArray padded = x;
            long[] ws = w.getShape().getShape();
            int channels = (int) ws[1];
            int safe = safeInputChannels(channels, ws[2] * ws[3]);
            if (c.groups() == 1 && safe != channels) {
                long[] xs = x.getShape().getShape();
                try (NDArray zx = x.getManager().zeros(new Shape(xs[0], safe - channels, xs[2], xs[3]), x.getDataType());
                        NDArray zw = w.getManager().zeros(new Shape(ws[0], safe - channels, ws[2], ws[3]), w.getDataType())) {
                    padded = x.concat(zx, 1);
                    w = w.concat(zw, 1);
                }
            }
            NDArray out = x.getNDArrayInternal().convolution(padded, w, bias, new Shape(c.strides()), pad,
                    new Shape(c.dilations()), c.groups()).singletonOrThrow();
            if (w != in[1]) {
                w.close();
            }
            if (padded != x) {
                padded.close();
            }
            if (x != in[0]) {
                x.close();
            }
            return out;
        }

        /**
         * The input channel count a convolution is run with. libtorch 2.7.1's oneDNN kernels for a
         * k×k convolution (k > 1) return wrong sums on this project's AVX-512 CPU when the input has
         * more than 16 channels and not a multiple of 16 (24, 40, 56, …; on AVX2 alone: not a multiple
         * of 8), while 4, 8, 12 and every multiple of 16 are right (GraphExecutorTest measures it). A
         * dense YOLOv5 never meets such a width; a channel-pruned one does. Zero channels added to the
         * input and the weight change no sum and take a kernel that is right.
         */
        static int safeInputChannels(int channels, long kernelArea) {
            return kernelArea > 1 && channels > 16 && channels % 16 != 0 ? (channels + 15) / 16 * 16 : channels;
        }

        private static NDArray maxPool(Op.MaxPool p, NDArray x) {
            long[] pb = p.padsBegin();
            long[] pe = p.padsEnd();
            if (!Arrays.equals(pb, pe)) {
                throw new GraphException("MaxPool with asymmetric padding " + Arrays.toString(pb) + "/" + Arrays.toString(pe)
                        + " is not supported");
            }
            return Pool.maxPool2d(x, new Shape(p.kernel()), new Shape(p.strides()), new Shape(pb), false);
        }

        private static NDArray slice(Op.Slice s, NDArray x) {
            long[] shape = x.getShape().getShape();
            StringBuilder spec = new StringBuilder();
            Map<Integer, String> perAxis = new HashMap<>();
            for (int i = 0; i < s.axes().length; i++) {
                int a = Op.normalizeAxis(s.axes()[i], shape.length);
                long[] range = Op.clampSlice(shape[a], s.begin()[i], s.end()[i]);
                perAxis.put(a, range[0] + ":" + range[1] + (s.step()[i] != 1 ? ":" + s.step()[i] : ""));
            }
            for (int a = 0; a < shape.length; a++) {
                if (a > 0) {
                    spec.append(',');
                }
                spec.append(perAxis.getOrDefault(a, ":"));
            }
            return x.get(new NDIndex(spec.toString()));
        }

        private static NDArray[] split(Op.Split s, NDArray x) {
            int axis = Op.normalizeAxis(s.axis(), x.getShape().dimension());
            long[] indices = new long[s.sizes().length - 1];
            long at = 0;
            for (int i = 0; i < indices.length; i++) {
                at += s.sizes()[i];
                indices[i] = at;
            }
            NDList parts = x.split(indices, axis);
            return parts.toArray(new NDArray[0]);
        }
    }
}
