package io.github.edgeprune.onnx;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.ShapeInference;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a graph as an ONNX model (IR version 7, opset 13, FP32 or QDQ INT8): the "ONNX twin" of an
 * exported IR, with the same input and output names and static shapes, so an independent
 * runtime (ONNX Runtime) can check our graph's semantics and run it on devices without
 * OpenVINO. BatchNorm is folded first, as in the IR.
 *
 * <p>A FakeQuantize is written in QDQ form ({@link QdqForm}): an activation as QuantizeLinear
 * then DequantizeLinear (uint8), a weight as an int8 initializer and a per-channel
 * DequantizeLinear, so the file holds one byte per quantized weight. A convolution between such
 * an activation and weight whose output is quantized again gets its bias as int32 as well, the
 * pattern ONNX Runtime fuses into QLinearConv. Opset 13 is the first with per-axis
 * DequantizeLinear.
 *
 * <p>Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto).
 */
public final class OnnxWriter {

    public static final int OPSET = 13;
    static final int IR_VERSION = 7;

    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;
    static final int INT64 = 7;
    // AttributeProto.AttributeType
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_STRING = 3;
    private static final int ATTR_INTS = 7;

    private final Graph graph;
    private final Map<String, long[]> shapes;
    private final List<Proto> nodes = new ArrayList<>();
    private final Map<String, Proto> initializers = new LinkedHashMap<>();
    /** Every value an emitted ONNX node reads: the graph parameters among them become initializers. */
    private final Set<String> readByOnnxNodes = new HashSet<>();
    /** The QDQ form of each FakeQuantize, by its output value. */
    private final Map<String, QdqForm> qdqForms = new HashMap<>();

    private OnnxWriter(Graph graph) {
        this.graph = graph;
        this.shapes = ShapeInference.inferWithBatchOne(graph);
        for (Node n : graph.nodesOf(Op.FakeQuantize.class)) {
            qdqForms.put(n.output(), QdqForm.of(graph, n));
        }
    }

    /** Serialises the graph (BatchNorm folded, batch 1) to ONNX bytes. */
    public static byte[] toBytes(Graph graph, String producerVersion) {
        return new OnnxWriter(FoldBatchNorm.apply(graph)).model(producerVersion);
    }

    /** Writes the ONNX file atomically. */
    public static void write(Graph graph, Path file, String producerVersion) throws IOException {
        byte[] bytes = toBytes(graph, producerVersion);
        AtomicOutput.writeFile(file, tmp -> Files.write(tmp, bytes));
    }

    private byte[] model(String producerVersion) {
        Proto g = new Proto();
        for (Node n : graph.nodes()) {
            lower(n);
        }
        nodes.forEach(n -> g.message(1, n));
        g.string(2, graph.name());
        // a quantized weight's float tensor and the FakeQuantize ranges are read by no ONNX node: left out
        graph.parameters().forEach((name, p) -> {
            if (readByOnnxNodes.contains(name)) {
                initializers.putIfAbsent(name, tensor(name, p.tensor()));
            }
        });
        initializers.values().forEach(t -> g.message(5, t));
        for (GraphInput in : graph.inputs()) {
            g.message(11, valueInfo(in.name(), shapes.get(in.name())));
        }
        for (String out : graph.outputs()) {
            g.message(12, valueInfo(out, shapes.get(out)));
        }
        Proto m = new Proto();
        m.int64(1, IR_VERSION);
        m.string(2, "prune-maven-plugin");
        m.string(3, producerVersion);
        m.message(7, g);
        m.message(8, new Proto().string(1, "").int64(2, OPSET));
        graph.metadata().forEach((k, v) -> m.message(14, new Proto().string(1, k).string(2, v)));
        return m.toByteArray();
    }

    private void lower(Node n) {
        Op op = n.op();
        if (op instanceof Op.Conv2d c) {
            long[] w = shapes.get(n.input(1));
            node("Conv", n.name(), convInputs(n), n.outputs(),
                    ints("kernel_shape", w[2], w[3]), ints("strides", c.strides()),
                    ints("pads", c.padsBegin()[0], c.padsBegin()[1], c.padsEnd()[0], c.padsEnd()[1]),
                    ints("dilations", c.dilations()), integer("group", c.groups()));
        } else if (op instanceof Op.BatchNorm bn) {
            node("BatchNormalization", n.name(), n.inputs(), n.outputs(), real("epsilon", (float) bn.epsilon()),
                    real("momentum", (float) (1 - bn.momentum())));
        } else if (op instanceof Op.Silu) {
            // ONNX opset 13 has no SiLU: x * sigmoid(x)
            String sig = n.name() + ".sigmoid";
            node("Sigmoid", sig, n.inputs(), List.of(sig));
            node("Mul", n.name(), List.of(n.input(0), sig), n.outputs());
        } else if (op instanceof Op.Sigmoid) {
            node("Sigmoid", n.name(), n.inputs(), n.outputs());
        } else if (op instanceof Op.Relu) {
            node("Relu", n.name(), n.inputs(), n.outputs());
        } else if (op instanceof Op.Binary b) {
            String type = switch (b.kind()) {
                case ADD -> "Add";
                case SUB -> "Sub";
                case MUL -> "Mul";
                case DIV -> "Div";
                case POW -> "Pow";
            };
            node(type, n.name(), n.inputs(), n.outputs());
        } else if (op instanceof Op.Concat c) {
            node("Concat", n.name(), n.inputs(), n.outputs(), integer("axis", c.axis()));
        } else if (op instanceof Op.MaxPool p) {
            node("MaxPool", n.name(), n.inputs(), n.outputs(), ints("kernel_shape", p.kernel()),
                    ints("strides", p.strides()),
                    ints("pads", p.padsBegin()[0], p.padsBegin()[1], p.padsEnd()[0], p.padsEnd()[1]));
        } else if (op instanceof Op.ResizeNearest r) {
            String scales = floatConstant(n.name() + ".scales", new float[] {1, 1, r.scaleH(), r.scaleW()});
            // asymmetric + floor: output pixel i reads input pixel floor(i / scale), PyTorch's nearest
            node("Resize", n.name(), List.of(n.input(0), "", scales), n.outputs(),
                    text("mode", "nearest"), text("coordinate_transformation_mode", "asymmetric"),
                    text("nearest_mode", "floor"));
        } else if (op instanceof Op.Reshape r) {
            // allowzero 0 (the default): a 0 copies the input's dimension, as our Reshape does
            node("Reshape", n.name(), List.of(n.input(0), longConstant(n.name() + ".shape", r.target())), n.outputs());
        } else if (op instanceof Op.Transpose t) {
            long[] perm = new long[t.perm().length];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = t.perm()[i];
            }
            node("Transpose", n.name(), n.inputs(), n.outputs(), ints("perm", perm));
        } else if (op instanceof Op.Slice s) {
            long[] axes = new long[s.axes().length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = s.axes()[i];
            }
            node("Slice", n.name(), List.of(n.input(0), longConstant(n.name() + ".starts", s.begin()),
                    longConstant(n.name() + ".ends", s.end()), longConstant(n.name() + ".axes", axes),
                    longConstant(n.name() + ".steps", s.step())), n.outputs());
        } else if (op instanceof Op.Split s) {
            node("Split", n.name(), List.of(n.input(0), longConstant(n.name() + ".split", s.sizes())), n.outputs(),
                    integer("axis", s.axis()));
        } else if (op instanceof Op.FakeQuantize) {
            lowerFakeQuantize(n, qdqForms.get(n.output()));
        } else {
            throw new GraphException("node '" + n.name() + "': no ONNX form for op " + op.type());
        }
    }

    private void lowerFakeQuantize(Node n, QdqForm form) {
        if (form instanceof QdqForm.Activation a) {
            String scale = rawConstant(n.name() + ".scale", FLOAT, new long[0], floatBytes(a.scale()));
            String zeroPoint = rawConstant(n.name() + ".zero_point", UINT8, new long[0],
                    new byte[] {(byte) a.zeroPoint()});
            String quantized = n.output() + ".quantized";
            node("QuantizeLinear", n.name() + ".quantize", List.of(n.input(0), scale, zeroPoint), List.of(quantized));
            node("DequantizeLinear", n.name(), List.of(quantized, scale, zeroPoint), n.outputs());
        } else if (form instanceof QdqForm.Weight w) {
            int channels = w.scales().length;
            String values = rawConstant(n.name() + ".int8", INT8, w.shape(), w.values());
            String scales = rawConstant(n.name() + ".scale", FLOAT, new long[] {channels}, floatBytes(w.scales()));
            String zeroPoints = rawConstant(n.name() + ".zero_point", INT8, new long[] {channels}, new byte[channels]);
            node("DequantizeLinear", n.name(), List.of(values, scales, zeroPoints), n.outputs(), integer("axis", 0));
        }
    }

    /**
     * A convolution's inputs; the bias goes through an int32 DequantizeLinear where that lets
     * ONNX Runtime fuse the convolution into QLinearConv, which takes its bias as int32 at scale
     * x_scale · w_scale. The fusion also needs the data and weight dequantized and the output
     * quantized by a single QuantizeLinear; with a float bias the convolution stays in float.
     * Rounding the bias to that step moves the output by at most half of x_scale · w_scale, far
     * below the output's own quantization step.
     */
    private List<String> convInputs(Node conv) {
        if (conv.inputs().size() < 3 || !fusesToQLinearConv(conv)) {
            return conv.inputs();
        }
        QdqForm.Activation x = (QdqForm.Activation) qdqForms.get(conv.input(0));
        QdqForm.Weight w = (QdqForm.Weight) qdqForms.get(conv.input(1));
        float[] bias = graph.parameter(conv.input(2)).tensor().floats();
        float[] scales = new float[bias.length];
        int[] quantized = new int[bias.length];
        for (int o = 0; o < bias.length; o++) {
            scales[o] = x.scale() * w.scales()[o];
            double q = Math.rint(bias[o] / (double) scales[o]);
            if (!(Math.abs(q) <= Integer.MAX_VALUE)) {
                return conv.inputs(); // the bias would not fit in int32: leave it float (and unfused)
            }
            quantized[o] = (int) q;
        }
        String base = conv.name() + ".bias";
        String values = rawConstant(base + ".int32", INT32, new long[] {bias.length}, intBytes(quantized));
        String scale = rawConstant(base + ".scale", FLOAT, new long[] {bias.length}, floatBytes(scales));
        String dequantized = base + ".dequantized";
        node("DequantizeLinear", base + ".dequantize", List.of(values, scale), List.of(dequantized),
                integer("axis", 0));
        return List.of(conv.input(0), conv.input(1), dequantized);
    }

    private boolean fusesToQLinearConv(Node conv) {
        if (!(qdqForms.get(conv.input(0)) instanceof QdqForm.Activation)
                || !(qdqForms.get(conv.input(1)) instanceof QdqForm.Weight)
                || !graph.isParameter(conv.input(2)) || graph.outputs().contains(conv.output())) {
            return false;
        }
        List<Node> consumers = graph.consumers(conv.output());
        return consumers.size() == 1 && consumers.get(0).input(0).equals(conv.output())
                && qdqForms.get(consumers.get(0).output()) instanceof QdqForm.Activation;
    }

    private void node(String type, String name, List<String> inputs, List<String> outputs, Proto... attributes) {
        readByOnnxNodes.addAll(inputs);
        Proto p = new Proto();
        inputs.forEach(i -> p.string(1, i));
        outputs.forEach(o -> p.string(2, o));
        p.string(3, name);
        p.string(4, type);
        for (Proto a : attributes) {
            p.message(5, a);
        }
        nodes.add(p);
    }

    private static Proto ints(String name, long... values) {
        return new Proto().string(1, name).int32(20, ATTR_INTS).repeatedInt64(8, values);
    }

    private static Proto integer(String name, long value) {
        return new Proto().string(1, name).int32(20, ATTR_INT).int64(3, value);
    }

    private static Proto real(String name, float value) {
        return new Proto().string(1, name).int32(20, ATTR_FLOAT).float32(2, value);
    }

    private static Proto text(String name, String value) {
        return new Proto().string(1, name).int32(20, ATTR_STRING)
                .bytes(4, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private String longConstant(String name, long[] values) {
        initializers.put(name, tensor(name, HostTensor.ofLongs(values.clone(), values.length)));
        return name;
    }

    private String floatConstant(String name, float[] values) {
        initializers.put(name, tensor(name, HostTensor.ofFloats(values.clone(), values.length)));
        return name;
    }

    private String rawConstant(String name, int dataType, long[] shape, byte[] littleEndian) {
        Proto p = new Proto();
        if (shape.length > 0) {
            p.packedInt64(1, shape);
        }
        p.int32(2, dataType);
        p.string(8, name);
        p.bytes(9, littleEndian);
        initializers.put(name, p);
        return name;
    }

    private static byte[] floatBytes(float... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return raw.array();
    }

    private static byte[] intBytes(int... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asIntBuffer().put(values);
        return raw.array();
    }

    static Proto tensor(String name, HostTensor t) {
        Proto p = new Proto();
        p.packedInt64(1, t.shape());
        ByteBuffer raw;
        if (t.dtype() == HostTensor.DType.FLOAT32) {
            p.int32(2, FLOAT);
            raw = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(t.floats());
        } else {
            p.int32(2, INT64);
            raw = ByteBuffer.allocate(t.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
            raw.asLongBuffer().put(t.longs());
        }
        p.string(8, name);
        p.bytes(9, raw.array());
        return p;
    }

    private static Proto valueInfo(String name, long[] shape) {
        Proto dims = new Proto();
        for (long d : shape) {
            dims.message(1, new Proto().int64(1, d));
        }
        Proto tensorType = new Proto().int32(1, FLOAT).message(2, dims);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }
}
