package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.graph.ShapeInference;
import io.github.edgeprune.tensor.Half;
import io.github.edgeprune.tensor.HostTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Graph} as OpenVINO IR v11: a pass over the graph that first folds BatchNorm into
 * the convolutions, checks every node, and then lays out layers, edges, rt_info and the weights
 * file in memory ({@link Plan}); nothing touches the disk until the plan is complete, so a graph
 * that cannot be written fails before any file exists.
 *
 * <p>Each construct is written the way OpenVINO's own serializer writes it (compare the Intel
 * IRs): Conv2d → {@code Convolution} (opset1, {@code auto_pad="explicit"}) or
 * {@code GroupConvolution}, its bias as a separate {@code Add} with a [1,C,1,1] constant; SiLU →
 * {@code Swish} (opset4); max pooling → {@code MaxPool} (opset8, two outputs); nearest upsampling →
 * {@code Interpolate} (opset4, {@code scales} mode, as Model Optimizer 2022.1 writes it, so IR
 * runs on OpenVINO 2022.1 and later); Split → {@code VariadicSplit}; Slice → {@code Slice}
 * (opset8); Reshape with {@code special_zero="true"}. Ports carry static dims for batch 1.
 *
 * <p>Constants are 64-byte aligned in the little-endian .bin, never overlap, and are padded with
 * zeros. FP16: float constants are f16 followed by a {@code Convert} to f32 whose rt_info holds
 * the {@code decompression} attribute; shape-like constants (targets, axes, lengths, sizes,
 * scales) are i64 (scales f32) and never compressed. A zero weight is written as +0 (bits
 * 0x0000 / 0x00000000), also where BatchNorm folding turned it into -0.
 */
public final class IrWriter {

    /** Bumped whenever the written IR changes for the same graph (part of the export fingerprint). */
    public static final String FORMAT_VERSION = "1";
    public static final int ALIGNMENT = 64;

    private IrWriter() {
    }

    /** Plans the IR of this graph (BatchNorm is folded first). */
    public static Plan plan(Graph graph, IrPrecision precision, String modelName) {
        return new Builder(graph, precision, modelName).build();
    }

    /** A complete, checked IR held in memory: XML text plus the recipe of the weights file. */
    public static final class Plan {
        private final String xml;
        private final List<Blob> blobs;
        private final long binSize;
        private final Graph exported;
        private final long convWeights;
        private final long convZeros;
        private final List<String> warnings;
        private final List<String> names;
        private final long[] imgsz;

        private Plan(String xml, List<Blob> blobs, long binSize, Graph exported, long convWeights, long convZeros,
                List<String> warnings, List<String> names, long[] imgsz) {
            this.xml = xml;
            this.blobs = blobs;
            this.binSize = binSize;
            this.exported = exported;
            this.convWeights = convWeights;
            this.convZeros = convZeros;
            this.warnings = warnings;
            this.names = names;
            this.imgsz = imgsz;
        }

        public String xml() {
            return xml;
        }

        /** The graph that was written: the input with BatchNorm folded. */
        public Graph exportedGraph() {
            return exported;
        }

        public List<String> warnings() {
            return warnings;
        }

        public List<String> classNames() {
            return names;
        }

        public long[] imgsz() {
            return imgsz.clone();
        }

        /** Elements of all convolution weights written. */
        public long convWeights() {
            return convWeights;
        }

        /** Of those, how many are zero in the .bin. */
        public long convZeros() {
            return convZeros;
        }

        public double gflops() {
            return GraphStats.gflops(exported);
        }

        /** Writes the .bin: each constant at its offset, zeros in between. */
        public void writeBin(OutputStream out) throws IOException {
            long at = 0;
            byte[] zeros = new byte[ALIGNMENT];
            for (Blob b : blobs) {
                while (at < b.offset) {
                    int n = (int) Math.min(zeros.length, b.offset - at);
                    out.write(zeros, 0, n);
                    at += n;
                }
                b.write(out);
                at += b.size();
            }
            if (at != binSize) {
                throw new IllegalStateException("wrote " + at + " bytes, planned " + binSize);
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    /** Data of one Const: float (possibly compressed) or int64. */
    static final class Blob {
        final long offset;
        final ElementType type;
        final float[] floats;
        final long[] longs;

        Blob(long offset, ElementType type, float[] floats, long[] longs) {
            this.offset = offset;
            this.type = type;
            this.floats = floats;
            this.longs = longs;
        }

        long elements() {
            return floats != null ? floats.length : longs.length;
        }

        long size() {
            return elements() * type.bytes();
        }

        /** Float values that are stored as zero (in FP16 also those that underflow). */
        long zeros() {
            long z = 0;
            for (float f : floats) {
                if (type == ElementType.F16 ? (Half.fromFloat(f) & 0x7fff) == 0 : f == 0f) {
                    z++;
                }
            }
            return z;
        }

        void write(OutputStream out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) elements();
            for (int i = 0; i < n; i++) {
                if (buf.remaining() < 8) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                switch (type) {
                    case F16 -> {
                        short h = Half.fromFloat(floats[i]);
                        buf.putShort((h & 0x7fff) == 0 ? 0 : h); // -0 → +0
                    }
                    case F32 -> buf.putFloat(floats[i] == 0f ? 0f : floats[i]); // -0 → +0
                    case I64 -> buf.putLong(longs[i]);
                    case I8 -> buf.put((byte) floats[i]); // integral values in [-127, 127]
                    default -> throw new IllegalStateException("cannot write " + type);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** An output port of a layer. */
    private record PortRef(Layer layer, int port, ElementType type, long[] dims) {
    }

    private record Port(int id, ElementType type, long[] dims, String names) {
    }

    private static final class Layer {
        final int id;
        final String name;
        final String type;
        final String version;
        Map<String, String> data;
        final List<Port> inputs = new ArrayList<>();
        final List<Port> outputs = new ArrayList<>();
        final List<String> rtAttributes = new ArrayList<>();

        Layer(int id, String name, String type, String version) {
            this.id = id;
            this.name = name;
            this.type = type;
            this.version = version;
        }
    }

    private record Edge(int fromLayer, int fromPort, int toLayer, int toPort) {
    }

    private static final class Builder {
        private final Graph source;
        private final IrPrecision precision;
        private final String modelName;
        private Graph graph;
        private Map<String, long[]> shapes;
        private final List<Layer> layers = new ArrayList<>();
        private final List<Edge> edges = new ArrayList<>();
        private final Map<String, PortRef> values = new HashMap<>();
        private final Map<String, PortRef> constCache = new HashMap<>();
        private final Set<String> layerNames = new HashSet<>();
        private final Set<String> tensorNames = new HashSet<>();
        private final List<Blob> blobs = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private long binSize;
        private long convWeights;
        private long convZeros;

        Builder(Graph graph, IrPrecision precision, String modelName) {
            this.source = graph;
            this.precision = precision;
            this.modelName = modelName == null || modelName.isBlank() ? graph.name() : modelName;
        }

        Plan build() {
            if (precision == IrPrecision.INT8 && source.nodesOf(Op.FakeQuantize.class).isEmpty()) {
                throw new IrExportException("precision INT8 needs a quantized graph (FakeQuantize nodes from the INT8"
                        + " pass: export-openvino -Dprune.precision=INT8 -Dprune.data=<data yaml>); this one has none");
            }
            checkParameters(source);
            shapes = inferShapes(source);
            for (Node n : source.nodes()) {
                check(source, n, shapes);
            }
            try {
                graph = FoldBatchNorm.apply(source);
            } catch (RuntimeException e) {
                throw new IrExportException("folding BatchNorm into the convolutions failed: " + e.getMessage(), e);
            }
            shapes = inferShapes(graph);
            for (Node n : graph.nodes()) {
                check(graph, n, shapes);
            }
            for (GraphInput in : graph.inputs()) {
                emitInput(in);
            }
            for (Node n : graph.nodes()) {
                try {
                    emit(n);
                } catch (GraphException | IllegalArgumentException | IllegalStateException e) {
                    throw new IrExportException("node '" + n.name() + "' (" + n.op().type() + "): " + e.getMessage(), e);
                }
            }
            for (String out : graph.outputs()) {
                Layer r = layer(out + "/sink_port_0", "Result", "opset1");
                connect(valueRef(out), r);
            }
            List<String> names;
            try {
                names = IrMetadata.names(graph.metadata(), defaultNc());
            } catch (IllegalArgumentException e) {
                throw new IrExportException(e.getMessage(), e);
            }
            String nc = graph.metadata().get("nc");
            if (nc != null && graph.metadata().containsKey("names") && !nc.trim().equals(Integer.toString(names.size()))) {
                throw new IrExportException("metadata has " + names.size() + " class names for nc=" + nc.trim());
            }
            long[] imgsz = imgsz();
            RtInfo rt = IrMetadata.toRtInfo(graph.metadata(), names, imgsz, precision);
            String xml = new XmlOut().write(modelName, layers, edges, rt);
            return new Plan(xml, List.copyOf(blobs), binSize, graph, convWeights, convZeros, List.copyOf(warnings),
                    names, imgsz);
        }

        private int defaultNc() {
            if (graph.outputs().size() == 1) {
                long[] s = shapes.get(graph.outputs().get(0));
                if (s != null && s.length == 3 && s[2] > 5) {
                    return (int) (s[2] - 5);
                }
            }
            return 0;
        }

        private long[] imgsz() {
            for (GraphInput in : graph.inputs()) {
                long[] s = shapes.get(in.name());
                if (s.length == 4) {
                    return new long[] {s[2], s[3]};
                }
            }
            long[] meta = IrMetadata.parseLongs(graph.metadata().get("imgsz"));
            return meta;
        }

        // ---- checks ----

        private static void checkParameters(Graph g) {
            for (Node n : g.nodes()) {
                for (String in : n.inputs()) {
                    Parameter p = g.parameters().get(in);
                    if (p != null && p.tensor() == null) {
                        throw new IrExportException("node '" + n.name() + "' (" + n.op().type() + ") reads parameter '" + in
                                + "', which has no tensor");
                    }
                }
            }
        }

        private static Map<String, long[]> inferShapes(Graph g) {
            try {
                return ShapeInference.inferWithBatchOne(g);
            } catch (GraphException e) {
                throw new IrExportException(e.getMessage(), e);
            }
        }

        private static void check(Graph g, Node n, Map<String, long[]> shapes) {
            String where = "node '" + n.name() + "' (" + n.op().type() + ")";
            List<long[]> in = new ArrayList<>();
            for (String s : n.inputs()) {
                in.add(shapes.get(s));
            }
            Op op = n.op();
            for (int i = 0; i < n.inputs().size(); i++) {
                Parameter p = g.parameters().get(n.input(i));
                if (p != null && p.tensor().dtype() != HostTensor.DType.FLOAT32) {
                    throw new IrExportException(where + " reads int64 parameter '" + p.name() + "' as float data");
                }
            }
            if (op instanceof Op.Conv2d c) {
                long[] x = in.get(0);
                long[] w = in.get(1);
                if (x.length != 4 || w.length != 4) {
                    throw new IrExportException(where + ": needs a 4-D input and 4-D weights, got input "
                            + Arrays.toString(x) + " and weights " + Arrays.toString(w));
                }
                if (c.groups() < 1 || w[0] % c.groups() != 0 || x[1] != w[1] * c.groups()) {
                    throw new IrExportException(where + ": weights " + Arrays.toString(w) + " with groups " + c.groups()
                            + " do not fit an input of " + x[1] + " channels " + Arrays.toString(x));
                }
                if (in.size() == 3 && !(in.get(2).length == 1 && in.get(2)[0] == w[0])) {
                    throw new IrExportException(where + ": bias " + Arrays.toString(in.get(2)) + " does not match "
                            + w[0] + " output channels");
                }
                checkWindow(where, c.strides(), c.padsBegin(), c.padsEnd(), c.dilations());
                checkPositive(where, shapes.get(n.output()));
            } else if (op instanceof Op.BatchNorm b) {
                long[] x = in.get(0);
                for (int i = 1; i < 5; i++) {
                    if (x.length < 2 || in.get(i).length != 1 || in.get(i)[0] != x[1]) {
                        throw new IrExportException(where + ": parameter '" + n.input(i) + "' has shape "
                                + Arrays.toString(in.get(i)) + " but the input has " + (x.length < 2 ? "no" : x[1])
                                + " channels");
                    }
                }
            } else if (op instanceof Op.Concat c) {
                long[] first = in.get(0);
                int a = c.axis() < 0 ? c.axis() + first.length : c.axis();
                for (long[] s : in) {
                for (int d = 0; d < first.length; d++) {
                    if (s.length != first.length || d != a && s[d] != first[d]) {
                        throw new IrExportException(where + ": inputs " + Arrays.toString(first) + " and "
                                + Arrays.toString(s) + " differ outside axis " + c.axis());
                    }
                }
                }
            } else if (op instanceof Op.MaxPool p) {
                if (in.get(0).length != 4) {
                throw new IrExportException(where + ": needs a 4-D input, got " + Arrays.toString(in.get(0)));
                }
                checkWindow(where, p.strides(), p.padsBegin(), p.padsEnd(), new long[] {1, 1});
                for (long k : p.kernel()) {
                if (k < 1) {
                    throw new IrExportException(where + ": kernel " + Arrays.toString(p.kernel()) + " cannot be expressed");
                }
                }
                checkPositive(where, shapes.get(n.output()));
            } else if (op instanceof Op.ResizeNearest r) {
                if (in.get(0).length != 4 || r.scaleH() < 1 || r.scaleW() < 1) {
                throw new IrExportException(where + ": nearest upsampling of " + Arrays.toString(in.get(0))
                        + " by " + r.scaleH() + "x" + r.scaleW() + " cannot be expressed as Interpolate (needs a 4-D"
                        + " input and integer scales >= 1)");
                }
            } else if (op instanceof Op.Transpose t) {
                int[] perm = t.perm();
                boolean[] seen = new boolean[perm.length];
                for (int p : perm) {
                if (p < 0 || p >= perm.length || seen[p]) {
                    throw new IrExportException(where + ": " + Arrays.toString(perm) + " is not a permutation");
                }
                seen[p] = true;
                }
                if (perm.length != in.get(0).length) {
                throw new IrExportException(where + ": permutation " + Arrays.toString(perm) + " for rank "
                        + in.get(0).length);
                }
            } else if (op instanceof Op.Slice s) {
                if (s.axes().length != s.begin().length || s.axes().length != s.end().length
                    || s.axes().length != s.step().length) {
                throw new IrExportException(where + ": axes, begin, end and step differ in length");
                }
                for (long st : s.step()) {
                if (st == 0) {
                    throw new IrExportException(where + ": step 0 cannot be expressed as Slice-8");
                }
                }
            } else if (op instanceof Op.Split s) {
                for (long size : s.sizes()) {
                if (size < 0) {
                    throw new IrExportException(where + ": negative part size in " + Arrays.toString(s.sizes()));
                }
                }
            }
        }

        private static void checkWindow(String where, long[] strides, long[] pb, long[] pe, long[] dil) {
            if (strides.length != 2 || pb.length != 2 || pe.length != 2 || dil.length != 2) {
                throw new IrExportException(where + ": needs two spatial strides, pads and dilations");
            }
            for (int i = 0; i < 2; i++) {
                if (strides[i] < 1 || dil[i] < 1 || pb[i] < 0 || pe[i] < 0) {
                throw new IrExportException(where + ": strides " + Arrays.toString(strides) + ", pads "
                        + Arrays.toString(pb) + "/" + Arrays.toString(pe) + ", dilations " + Arrays.toString(dil)
                        + " cannot be expressed");
                }
            }
        }

        private static void checkPositive(String where, long[] shape) {
            for (long d : shape) {
                if (d < 1) {
                throw new IrExportException(where + ": output shape " + Arrays.toString(shape) + " is empty");
                }
            }
        }

        // ---- emission ----

        private Layer layer(String name, String type, String version) {
            String unique = name;
            for (int i = 1; !layerNames.add(unique); i++) {
                unique = name + "_" + i;
            }
            Layer l = new Layer(layers.size(), unique, type, version);
            layers.add(l);
            return l;
        }

        private static Map<String, String> data(String... kv) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                m.put(kv[i], kv[i + 1]);
            }
            return m;
        }

        /** Adds an input port to the layer fed by this output port. */
        private void connect(PortRef from, Layer to) {
            if (!to.outputs.isEmpty()) {
                throw new IllegalStateException("inputs must be added before outputs");
            }
            int port = to.inputs.size();
            to.inputs.add(new Port(port, from.type(), from.dims(), null));
            edges.add(new Edge(from.layer().id, from.port(), to.id, port));
        }

        private PortRef output(Layer l, ElementType type, long[] dims, String tensorName) {
            int port = l.inputs.size() + l.outputs.size();
            String names = null;
            if (tensorName != null && tensorNames.add(tensorName)) {
                names = tensorName;
            }
            l.outputs.add(new Port(port, type, dims, names));
            return new PortRef(l, port, type, dims);
        }

        private void emitInput(GraphInput in) {
            Layer p = layer(in.name(), "Parameter", "opset1");
            long[] s = shapes.get(in.name());
            p.data = data("shape", IrMetadata.join(s), "element_type", "f32");
            values.put(in.name(), output(p, ElementType.F32, s, in.name()));
        }

        /** The port that carries a value: a graph input, a node output, or a parameter (as a constant). */
        private PortRef valueRef(String value) {
            PortRef r = values.get(value);
            if (r != null) {
                return r;
            }
            Parameter p = graph.parameters().get(value);
            if (p == null) {
                throw new IllegalStateException("value '" + value + "' is not defined");
            }
            return floatConst(p.name(), p.tensor().floats(), p.tensor().shape(), false);
        }

        /**
         * A float constant (a parameter, possibly seen in another shape): f16 Const + decompression
         * Convert in FP16, one f32 Const in FP32. Written once per (parameter, shape).
         */
        private PortRef floatConst(String name, float[] data, long[] shape, boolean convWeight) {
            String key = name + "\u0000" + Arrays.toString(shape);
            PortRef cached = constCache.get(key);
            if (cached != null) {
                return cached;
            }
            for (float f : data) {
                if (!Float.isFinite(f)) {
                throw new IrExportException("parameter '" + name + "' holds " + f + " values; refusing to export it");
                }
            }
            boolean compress = precision != IrPrecision.FP32;
            if (compress) {
                for (float f : data) {
                if (Math.abs(f) > Half.MAX_VALUE) {
                    compress = false;
                    warnings.add("parameter '" + name + "' holds values beyond the FP16 range (" + f
                            + "); it stays FP32");
                    break;
                }
                }
            }
            PortRef ref;
            if (compress) {
                Layer c = layer(name + "_compressed", "Const", "opset1");
                Blob b = blob(c, ElementType.F16, data, null, shape, convWeight);
                c.data = constData(ElementType.F16, shape, b);
                PortRef half = output(c, ElementType.F16, shape, null);
                Layer cv = layer(name, "Convert", "opset1");
                cv.data = data("destination_type", "f32");
                cv.rtAttributes.add("decompression");
                connect(half, cv);
                ref = output(cv, ElementType.F32, shape, name);
            } else {
                Layer c = layer(name, "Const", "opset1");
                Blob b = blob(c, ElementType.F32, data, null, shape, convWeight);
                c.data = constData(ElementType.F32, shape, b);
                ref = output(c, ElementType.F32, shape, name);
            }
            constCache.put(key, ref);
            return ref;
        }

        /** An f32 constant that must stay f32 (Interpolate scales). */
        private PortRef plainF32(String name, float[] data) {
            return constLayer(name, ElementType.F32, data, new long[] {data.length}, false);
        }

        /** A Const layer holding these values as {@code type} (f32, or integral values as i8), never compressed. */
        private PortRef constLayer(String name, ElementType type, float[] data, long[] shape, boolean convWeight) {
            Layer c = layer(name, "Const", "opset1");
            Blob b = blob(c, type, data, null, shape, convWeight);
            c.data = constData(type, shape, b);
            return output(c, type, shape, null);
        }

        /** An i64 shape-like constant (never compressed). A null shape means a scalar. */
        private PortRef i64(String name, long[] data, boolean scalar) {
            Layer c = layer(name, "Const", "opset1");
            long[] shape = scalar ? new long[0] : new long[] {data.length};
            Blob b = blob(c, ElementType.I64, null, data, shape, false);
            c.data = constData(ElementType.I64, shape, b);
            return output(c, ElementType.I64, shape, null);
        }

        private Blob blob(Layer l, ElementType type, float[] f, long[] i, long[] shape, boolean convWeight) {
            long offset = (binSize + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
            Blob b = new Blob(offset, type, f, i);
            if (b.elements() != HostTensor.elementCount(shape)) {
                throw new IllegalStateException("constant '" + l.name + "' has " + b.elements() + " values for shape "
                    + Arrays.toString(shape));
            }
            blobs.add(b);
            binSize = offset + b.size();
            if (convWeight) {
                convWeights += b.elements();
                convZeros += b.zeros();
            }
            return b;
        }

        private static Map<String, String> constData(ElementType type, long[] shape, Blob b) {
            return data("element_type", type.irName(), "shape", joinSpaced(shape), "offset", Long.toString(b.offset),
                "size", Long.toString(b.size()));
        }

        private void emit(Node n) {
            Op op = n.op();
            if (op instanceof Op.Conv2d c) {
                emitConv(n, c);
            } else if (op instanceof Op.BatchNorm b) {
                emitBatchNorm(n, b);
            } else if (op instanceof Op.Silu) {
                unary(n, "Swish", "opset4");
            } else if (op instanceof Op.Sigmoid) {
                unary(n, "Sigmoid", "opset1");
            } else if (op instanceof Op.Relu) {
                unary(n, "ReLU", "opset1");
            } else if (op instanceof Op.Binary b) {
                emitBinary(n, b);
            } else if (op instanceof Op.Concat c) {
                Layer l = layer(n.output(), "Concat", "opset1");
                long[] out = shapes.get(n.output());
                l.data = data("axis", Integer.toString(c.axis() < 0 ? c.axis() + out.length : c.axis()));
                for (String in : n.inputs()) {
                    connect(valueRef(in), l);
                }
                values.put(n.output(), output(l, ElementType.F32, out, n.output()));
            } else if (op instanceof Op.MaxPool p) {
                Layer l = layer(n.output(), "MaxPool", "opset8");
                l.data = data("strides", joinSpaced(p.strides()), "dilations", "1, 1", "pads_begin",
                        joinSpaced(p.padsBegin()), "pads_end", joinSpaced(p.padsEnd()), "kernel", joinSpaced(p.kernel()),
                        "rounding_type", "floor", "auto_pad", "explicit", "index_element_type", "i64", "axis", "0");
                connect(valueRef(n.input(0)), l);
                long[] out = shapes.get(n.output());
                values.put(n.output(), output(l, ElementType.F32, out, n.output()));
                output(l, ElementType.I64, out, null); // indices, unused
            } else if (op instanceof Op.ResizeNearest r) {
                long[] out = shapes.get(n.output());
                PortRef x = valueRef(n.input(0));
                PortRef sizes = i64(n.output() + "/sizes", out, false);
                PortRef scales = plainF32(n.output() + "/scales", new float[] {1f, 1f, r.scaleH(), r.scaleW()});
                Layer l = layer(n.output(), "Interpolate", "opset4");
                l.data = data("mode", "nearest", "shape_calculation_mode", "scales", "coordinate_transformation_mode",
                        "asymmetric", "nearest_mode", "floor", "antialias", "false", "pads_begin", "0, 0, 0, 0",
                        "pads_end", "0, 0, 0, 0", "cube_coeff", "-0.75");
                connect(x, l);
                connect(sizes, l);
                connect(scales, l);
                values.put(n.output(), output(l, ElementType.F32, out, n.output()));
            } else if (op instanceof Op.Reshape r) {
                PortRef x = valueRef(n.input(0));
                PortRef target = i64(n.output() + "/target_shape", r.target(), false);
                Layer l = layer(n.output(), "Reshape", "opset1");
                l.data = data("special_zero", "true");
                connect(x, l);
                connect(target, l);
                values.put(n.output(), output(l, ElementType.F32, shapes.get(n.output()), n.output()));
            } else if (op instanceof Op.Transpose t) {
                PortRef x = valueRef(n.input(0));
                PortRef order = i64(n.output() + "/order", Arrays.stream(t.perm()).asLongStream().toArray(), false);
                Layer l = layer(n.output(), "Transpose", "opset1");
                connect(x, l);
                connect(order, l);
                values.put(n.output(), output(l, ElementType.F32, shapes.get(n.output()), n.output()));
            } else if (op instanceof Op.Slice s) {
                PortRef x = valueRef(n.input(0));
                PortRef start = i64(n.output() + "/start", s.begin(), false);
                PortRef stop = i64(n.output() + "/stop", s.end(), false);
                PortRef step = i64(n.output() + "/step", s.step(), false);
                PortRef axes = i64(n.output() + "/axes", Arrays.stream(s.axes()).asLongStream().toArray(), false);
                Layer l = layer(n.output(), "Slice", "opset8");
                connect(x, l);
                connect(start, l);
                connect(stop, l);
                connect(step, l);
                connect(axes, l);
                values.put(n.output(), output(l, ElementType.F32, shapes.get(n.output()), n.output()));
            } else if (op instanceof Op.FakeQuantize q) {
                emitFakeQuantize(n, q);
            } else if (op instanceof Op.Split s) {
                PortRef x = valueRef(n.input(0));
                long[] xs = shapes.get(n.input(0));
                int axis = s.axis() < 0 ? s.axis() + xs.length : s.axis();
                PortRef ax = i64(n.name() + "/axis", new long[] {axis}, true);
                PortRef lengths = i64(n.name() + "/split_lengths", s.sizes(), false);
                Layer l = layer(n.name(), "VariadicSplit", "opset1");
                connect(x, l);
                connect(ax, l);
                connect(lengths, l);
                for (String out : n.outputs()) {
                    values.put(out, output(l, ElementType.F32, shapes.get(out), out));
                }
            } else {
                throw new IllegalArgumentException("the IR writer has no mapping for op " + op.type());
            }
        }

        /**
         * A weight on a symmetric per-channel int8 grid is stored as Intel's INT8 IRs store it
         * (person-vehicle-bike-detection-2003 FP16-INT8): an i8 Const, a Convert to f32 and a
         * Multiply by the f32 scale per output channel; OpenVINO's CPU plugin recognises the
         * pattern as quantized weights. Any other FakeQuantize (activations) is written as the op,
         * its ranges as f32 Consts (never compressed: the grid must be the one calibrated).
         */
        private void emitFakeQuantize(Node n, Op.FakeQuantize q) {
            float[] scales = symmetricWeightScales(n, q);
            if (scales != null) {
                Parameter wp = graph.parameter(n.input(0));
                float[] w = wp.tensor().floats();
                long[] shape = wp.tensor().shape();
                int per = w.length / scales.length;
                float[] levels = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                    levels[i] = (float) Math.max(-127, Math.min(127, Math.rint(w[i] / scales[i / per])));
                }
                PortRef i8 = constLayer(wp.name() + "/quantized", ElementType.I8, levels, shape, true);
                Layer cv = layer(wp.name() + "/quantized/to_f32", "Convert", "opset1");
                cv.data = data("destination_type", "f32");
                connect(i8, cv);
                PortRef f32 = output(cv, ElementType.F32, shape, null);
                PortRef scale = constLayer(n.name() + "/scale", ElementType.F32, scales,
                        new long[] {scales.length, 1, 1, 1}, false);
                Layer mul = layer(n.name() + "/multiply_by_scale", "Multiply", "opset1");
                mul.data = data("auto_broadcast", "numpy");
                connect(f32, mul);
                connect(scale, mul);
                values.put(n.output(), output(mul, ElementType.F32, shape, n.output()));
                return;
            }
            PortRef x = valueRef(n.input(0));
            List<PortRef> ranges = new ArrayList<>();
            for (int i = 1; i < 5; i++) {
                Parameter r = graph.parameters().get(n.input(i));
                if (r == null) {
                    throw new IllegalArgumentException("FakeQuantize range '" + n.input(i) + "' is computed at run time;"
                            + " the IR needs it constant");
                }
                ranges.add(rangeConst(r));
            }
            Layer l = layer(n.name(), "FakeQuantize", "opset1");
            l.data = data("levels", Long.toString(q.levels()), "auto_broadcast", "numpy");
            connect(x, l);
            ranges.forEach(r -> connect(r, l));
            values.put(n.output(), output(l, ElementType.F32, shapes.get(n.output()), n.output()));
        }

        /**
         * The per-channel scales when this FakeQuantize puts a weight parameter on a symmetric
         * 255-level grid (input range = output range = ±127·scale, one per output channel); null
         * otherwise.
         */
        private float[] symmetricWeightScales(Node n, Op.FakeQuantize q) {
            Parameter w = graph.parameters().get(n.input(0));
            if (q.levels() != 255 || w == null || w.kind() != Parameter.Kind.WEIGHT) {
                return null;
            }
            Parameter[] r = new Parameter[4];
            for (int i = 0; i < 4; i++) {
                r[i] = graph.parameters().get(n.input(i + 1));
                if (r[i] == null) {
                    return null;
                }
            }
            float[] il = r[0].tensor().floats();
            float[] ih = r[1].tensor().floats();
            float[] ol = r[2].tensor().floats();
            float[] oh = r[3].tensor().floats();
            long out = w.tensor().dim(0);
            if (il.length != out || !Arrays.equals(il, ol) || !Arrays.equals(ih, oh)) {
                return null;
            }
            float[] scales = new float[il.length];
            for (int o = 0; o < il.length; o++) {
                if (il[o] != -ih[o] || !(ih[o] > 0)) {
                    return null;
                }
                scales[o] = ih[o] / 127;
            }
            return scales;
        }

        /** A FakeQuantize range as an f32 Const of its own shape, written once per parameter. */
        private PortRef rangeConst(Parameter p) {
            String key = "range\u0000" + p.name();
            PortRef cached = constCache.get(key);
            if (cached != null) {
                return cached;
            }
            PortRef ref = constLayer(p.name(), ElementType.F32, p.tensor().floats(), p.tensor().shape(), false);
            constCache.put(key, ref);
            return ref;
        }

        private void unary(Node n, String type, String version) {
            PortRef x = valueRef(n.input(0));
            Layer l = layer(n.output(), type, version);
            connect(x, l);
            values.put(n.output(), output(l, ElementType.F32, shapes.get(n.output()), n.output()));
        }

        private void emitBinary(Node n, Op.Binary b) {
            PortRef a = valueRef(n.input(0));
            PortRef c = valueRef(n.input(1));
            String type = switch (b.kind()) {
                case ADD -> "Add";
                case SUB -> "Subtract";
                case MUL -> "Multiply";
                case DIV -> "Divide";
                case POW -> "Power";
            };
            Layer l = layer(n.output(), type, "opset1");
            l.data = b.kind() == Op.Binary.Kind.DIV ? data("auto_broadcast", "numpy", "m_pythondiv", "true")
                    : data("auto_broadcast", "numpy");
            connect(a, l);
            connect(c, l);
            values.put(n.output(), output(l, ElementType.F32, shapes.get(n.output()), n.output()));
        }

        private void emitConv(Node n, Op.Conv2d c) {
            PortRef x = valueRef(n.input(0));
            long[] wShape = shapes.get(n.input(1));
            boolean grouped = c.groups() > 1;
            PortRef w;
            Parameter wp = graph.parameters().get(n.input(1));
            if (wp != null) {
                long[] shape = grouped
                        ? new long[] {c.groups(), wShape[0] / c.groups(), wShape[1], wShape[2], wShape[3]}
                        : wShape;
                w = floatConst(wp.name(), wp.tensor().floats(), shape, true);
            } else if (!grouped) {
                w = valueRef(n.input(1)); // weights computed at run time
            } else {
                throw new IllegalArgumentException("grouped convolution with run-time weights '" + n.input(1)
                        + "' cannot be expressed");
            }
            boolean bias = n.inputs().size() > 2;
            long[] out = shapes.get(n.output());
            Layer conv = layer(bias ? n.output() + "/WithoutBiases" : n.output(),
                    grouped ? "GroupConvolution" : "Convolution", "opset1");
            conv.data = data("strides", joinSpaced(c.strides()), "dilations", joinSpaced(c.dilations()), "pads_begin",
                    joinSpaced(c.padsBegin()), "pads_end", joinSpaced(c.padsEnd()), "auto_pad", "explicit");
            connect(x, conv);
            connect(w, conv);
            PortRef y = output(conv, ElementType.F32, out, bias ? null : n.output());
            if (bias) {
                PortRef b;
                Parameter bp = graph.parameters().get(n.input(2));
                long[] bShape = {1, wShape[0], 1, 1};
                if (bp != null) {
                    b = floatConst(bp.name(), bp.tensor().floats(), bShape, false);
                } else {
                    throw new IllegalArgumentException("run-time bias '" + n.input(2) + "' cannot be expressed");
                }
                Layer add = layer(n.output(), "Add", "opset1");
                add.data = data("auto_broadcast", "numpy");
                connect(y, add);
                connect(b, add);
                y = output(add, ElementType.F32, out, n.output());
            }
            values.put(n.output(), y);
        }

        /** A BatchNorm that follows no convolution: x·s + t with per-channel s = γ/√(σ²+ε), t = β − μ·s. */
        private void emitBatchNorm(Node n, Op.BatchNorm bn) {
            PortRef x = valueRef(n.input(0));
            long[] xs = shapes.get(n.input(0));
            float[] gamma = graph.parameter(n.input(1)).tensor().floats();
            float[] beta = graph.parameter(n.input(2)).tensor().floats();
            float[] mean = graph.parameter(n.input(3)).tensor().floats();
            float[] var = graph.parameter(n.input(4)).tensor().floats();
            int ch = gamma.length;
            float[] scale = new float[ch];
            float[] shift = new float[ch];
            for (int i = 0; i < ch; i++) {
                double s = gamma[i] / Math.sqrt(var[i] + bn.epsilon());
                scale[i] = (float) s;
                shift[i] = (float) (beta[i] - mean[i] * s);
            }
            long[] cs = new long[xs.length];
            Arrays.fill(cs, 1);
            cs[1] = ch;
            PortRef s = floatConst(n.name() + ".scale", scale, cs, false);
            Layer mul = layer(n.output() + "/scale", "Multiply", "opset1");
            mul.data = data("auto_broadcast", "numpy");
            connect(x, mul);
            connect(s, mul);
            PortRef y = output(mul, ElementType.F32, xs, null);
            PortRef t = floatConst(n.name() + ".shift", shift, cs, false);
            Layer add = layer(n.output(), "Add", "opset1");
            add.data = data("auto_broadcast", "numpy");
            connect(y, add);
            connect(t, add);
            values.put(n.output(), output(add, ElementType.F32, xs, n.output()));
        }
    }

    static String joinSpaced(long[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(v[i]);
        }
        return sb.toString();
    }

    /** The XML text, laid out as OpenVINO's serializer lays it out (tabs, {@code <data ... />}). */
    private static final class XmlOut {
        private final StringBuilder sb = new StringBuilder(1 << 16);

        String write(String name, List<Layer> layers, List<Edge> edges, RtInfo rt) {
            sb.append("<?xml version=\"1.0\"?>\n");
            sb.append("<net name=\"").append(esc(name)).append("\" version=\"11\">\n");
            sb.append("\t<layers>\n");
            for (Layer l : layers) {
                sb.append("\t\t<layer id=\"").append(l.id).append("\" name=\"").append(esc(l.name)).append("\" type=\"")
                        .append(l.type).append("\" version=\"").append(l.version).append("\">\n");
                if (l.data != null) {
                    sb.append("\t\t\t<data");
                    l.data.forEach((k, v) -> sb.append(' ').append(k).append("=\"").append(esc(v)).append('"'));
                    sb.append(" />\n");
                }
                if (!l.rtAttributes.isEmpty()) {
                    sb.append("\t\t\t<rt_info>\n");
                    for (String a : l.rtAttributes) {
                        sb.append("\t\t\t\t<attribute name=\"").append(a).append("\" version=\"0\" />\n");
                    }
                    sb.append("\t\t\t</rt_info>\n");
                }
                ports("input", l.inputs);
                ports("output", l.outputs);
                sb.append("\t\t</layer>\n");
            }
            sb.append("\t</layers>\n");
            sb.append("\t<edges>\n");
            List<Edge> sorted = new ArrayList<>(edges);
            sorted.sort(Comparator.comparingInt(Edge::fromLayer).thenComparingInt(Edge::fromPort)
                    .thenComparingInt(Edge::toLayer).thenComparingInt(Edge::toPort));
            for (Edge e : sorted) {
                sb.append("\t\t<edge from-layer=\"").append(e.fromLayer()).append("\" from-port=\"").append(e.fromPort())
                        .append("\" to-layer=\"").append(e.toLayer()).append("\" to-port=\"").append(e.toPort())
                        .append("\" />\n");
            }
            sb.append("\t</edges>\n");
            sb.append("\t<rt_info>\n");
            rt.children().forEach((k, v) -> rtInfo(k, v, 2));
            sb.append("\t</rt_info>\n");
            sb.append("</net>\n");
            return sb.toString();
        }

        private void rtInfo(String key, RtInfo node, int depth) {
            String indent = "\t".repeat(depth);
            if (node.isLeaf()) {
                sb.append(indent).append('<').append(key).append(" value=\"").append(esc(node.value())).append("\" />\n");
                return;
            }
            sb.append(indent).append('<').append(key).append(">\n");
            node.children().forEach((k, v) -> rtInfo(k, v, depth + 1));
            sb.append(indent).append("</").append(key).append(">\n");
        }

        private void ports(String tag, List<Port> ports) {
            if (ports.isEmpty()) {
                return;
            }
            sb.append("\t\t\t<").append(tag).append(">\n");
            for (Port p : ports) {
                sb.append("\t\t\t\t<port id=\"").append(p.id()).append("\" precision=\"").append(p.type().precision())
                        .append('"');
                if (p.names() != null) {
                    sb.append(" names=\"").append(esc(p.names().replace(",", "\\,"))).append('"');
                }
                if (p.dims().length == 0) {
                    sb.append(" />\n");
                    continue;
                }
                sb.append(">\n");
                for (long d : p.dims()) {
                    sb.append("\t\t\t\t\t<dim>").append(d).append("</dim>\n");
                }
                sb.append("\t\t\t\t</port>\n");
            }
            sb.append("\t\t\t</").append(tag).append(">\n");
        }

        static String esc(String s) {
            StringBuilder o = new StringBuilder(s.length() + 8);
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '&' -> o.append("&amp;");
                    case '<' -> o.append("&lt;");
                    case '>' -> o.append("&gt;");
                    case '"' -> o.append("&quot;");
                    case '\n' -> o.append("&#10;");
                    case '\r' -> o.append("&#13;");
                    case '\t' -> o.append("&#9;");
                    default -> {
                        if (c < 0x20) {
                            o.append('\uFFFD'); // not allowed in XML 1.0
                        } else {
                            o.append(c);
                        }
                    }
                }
            }
            return o.toString();
        }
    }
}
