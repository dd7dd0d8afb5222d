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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a graph as an ONNX model (IR version 7, opset 13, FP32): the "ONNX twin" of an
 * exported IR, with the same input and output names and static shapes, so an independent
 * runtime (ONNX Runtime) can check our graph's semantics and run it on devices without
 * OpenVINO. BatchNorm is folded first, as in the IR.
 *
 * <p>Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto).
 */
public final class OnnxWriter {

    public static final int OPSET = 13;
    static final int IR_VERSION = 7;

    // TensorProto.DataType
    static final int FLOAT = 1;
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

    private OnnxWriter(Graph graph) {
        this.graph = graph;
        this.shapes = ShapeInference.inferWithBatchOne(graph);
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
        graph.parameters().forEach((name, p) -> {
            if (!graph.consumers(name).isEmpty()) {
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
            node("Conv", n.name(), n.inputs(), n.outputs(),
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
        } else {
            throw new GraphException("node '" + n.name() + "': no ONNX form for op " + op.type());
        }
    }

    private void node(String type, String name, List<String> inputs, List<String> outputs, Proto... attributes) {
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
