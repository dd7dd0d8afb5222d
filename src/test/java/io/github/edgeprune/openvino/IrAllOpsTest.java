package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.Log;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every op type of the graph, and every branch of the writer, through IR and back. */
class IrAllOpsTest {

    static Graph graph() {
        SplittableRandom r = new SplittableRandom(3);
        Map<String, Parameter> p = new LinkedHashMap<>();
        param(p, "c1.weight", r, 6, 2, 3, 3);
        param(p, "c1.bias", r, 6);
        param(p, "bn.weight", r, 6);
        param(p, "bn.bias", r, 6);
        param(p, "bn.running_mean", r, 6);
        p.put("bn.running_var", new Parameter("bn.running_var", HostTensor.ofFloats(new float[] {1, 2, 0.5f, 1.5f, 1, 3}, 6),
                Parameter.Kind.BUFFER));
        param(p, "shift", r, 1, 6, 1, 1);
        p.put("two", new Parameter("two", HostTensor.ofFloats(new float[] {2}, 1), Parameter.Kind.CONSTANT));
        List<Node> n = List.of(
                new Node("c1", new Op.Conv2d(new long[] {1, 1}, new long[] {0, 1}, new long[] {1, 1}, new long[] {1, 1}, 2),
                        List.of("x", "c1.weight", "c1.bias"), "c1"),
                new Node("relu", new Op.Relu(), List.of("c1"), "relu"),
                new Node("silu", new Op.Silu(), List.of("c1"), "silu"),
                new Node("add", new Op.Binary(Op.Binary.Kind.ADD), List.of("relu", "silu"), "add"),
                new Node("bn", new Op.BatchNorm(1e-3, 0.03), List.of("add", "bn.weight", "bn.bias", "bn.running_mean",
                        "bn.running_var"), "bn"),
                new Node("sig", new Op.Sigmoid(), List.of("bn"), "sig"),
                new Node("sub", new Op.Binary(Op.Binary.Kind.SUB), List.of("sig", "shift"), "sub"),
                new Node("div", new Op.Binary(Op.Binary.Kind.DIV), List.of("sub", "two"), "div"),
                new Node("pow", new Op.Binary(Op.Binary.Kind.POW), List.of("div", "two"), "pow"),
                new Node("mul", new Op.Binary(Op.Binary.Kind.MUL), List.of("pow", "sig"), "mul"),
                new Node("up", new Op.ResizeNearest(2, 3), List.of("mul"), "up"),
                new Node("pool", Op.MaxPool.square(2, 2, 0), List.of("up"), "pool"),
                new Node("cat", new Op.Concat(-3), List.of("pool", "pool"), "cat"),
                new Node("view", new Op.Reshape(new long[] {0, 3, -1}), List.of("cat"), "view"),
                new Node("perm", new Op.Transpose(new int[] {0, 2, 1}), List.of("view"), "perm"),
                new Node("slice", new Op.Slice(new int[] {1}, new long[] {1}, new long[] {-1}, new long[] {2}),
                        List.of("perm"), "slice"),
                new Node("split", new Op.Split(2, new long[] {1, 2}), List.of("slice"), List.of("s0", "s1")),
                new Node("out", new Op.Concat(2), List.of("s1", "s0"), "out"));
        return new Graph("all-ops", List.of(new GraphInput("x", new long[] {-1, 4, 8, 8})), List.of("out"), n, p,
                Map.of("names", "[\"a\",\"b\"]"));
    }

    private static void param(Map<String, Parameter> p, String name, SplittableRandom r, long... shape) {
        float[] v = new float[(int) HostTensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        p.put(name, new Parameter(name, HostTensor.ofFloats(v, shape), Parameter.Kind.WEIGHT));
    }

    static float[] run(Graph g, float[] x) {
        try (ai.djl.ndarray.NDManager m = io.github.edgeprune.executor.Engines.newManager();
                io.github.edgeprune.executor.GraphExecutor ex = new io.github.edgeprune.executor.GraphExecutor(g, m)) {
            return ex.forward(m.create(x, new ai.djl.ndarray.types.Shape(1, 4, 8, 8)),
                    io.github.edgeprune.executor.GraphExecutor.Mode.INFERENCE).get(0).toFloatArray();
        }
    }

    @Test
    void everyOpSurvivesTheRoundTrip(@TempDir Path dir) throws Exception {
        Graph g = graph();
        float[] x = new float[4 * 64];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        float[] expected = run(g, x);
        assertEquals(167 * 3, expected.length);
        OpenVinoExporter ex = new OpenVinoExporter(Log.silent());
        OpenVinoExporter.Result r32 = ex.export(g, dir.resolve("fp32"), "all", IrPrecision.FP32);
        Graph back = IrReader.read(r32.xml());
        float[] actual = run(back, x);
        double d = IrTestSupport.maxScaled(expected, actual);
        assertTrue(d < 1e-5, "FP32 round trip " + d);
        // the read graph has the same kinds of ops (BatchNorm comes back as its Multiply + Add)
        Set<String> before = g.nodes().stream().map(nd -> nd.op().type()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> after = back.nodes().stream().map(nd -> nd.op().type()).collect(Collectors.toCollection(TreeSet::new));
        before.remove("BatchNorm2d");
        assertEquals(before, after);

        OpenVinoExporter.Result r16 = ex.export(g, dir.resolve("fp16"), "all", IrPrecision.FP16);
        float[] half = run(IrReader.read(r16.xml()), x);
        // the writer's BatchNorm scale/shift are rounded to f16 after they are computed: compare loosely
        assertTrue(IrTestSupport.maxScaled(expected, half) < 1e-2);

        IrXmlModel m = IrXmlModel.parse(r32.xml());
        Set<String> types = m.layers().stream().map(IrXmlModel.Layer::key).collect(Collectors.toCollection(TreeSet::new));
        for (String t : List.of("GroupConvolution/opset1", "ReLU/opset1", "Swish/opset4", "Subtract/opset1",
                "Divide/opset1", "Power/opset1", "Interpolate/opset4", "MaxPool/opset8", "Slice/opset8",
                "VariadicSplit/opset1", "Transpose/opset1", "Reshape/opset1", "Sigmoid/opset1")) {
            assertTrue(types.contains(t), "writes " + t);
        }
        for (IrXmlModel.Layer l : m.layers()) {
            IrStructureTest.Spec s = IrStructureTest.SPEC.get(l.key());
            assertNotNull(s, l.key());
            assertEquals(s.attributes(), l.data().keySet(), l.key());
        }
        IrXmlModel.Layer conv = m.layers().stream().filter(l -> l.type().equals("GroupConvolution")).findFirst().get();
        assertEquals("0, 1", conv.data().get("pads_begin"));
        assertEquals("1, 1", conv.data().get("pads_end"));
        assertEquals("2, 3, 2, 3, 3", m.producer(conv, 1).data().get("shape"));
        assertEquals("1", m.byName("cat").data().get("axis"));
    }
}
