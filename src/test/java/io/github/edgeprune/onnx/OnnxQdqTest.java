package io.github.edgeprune.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.graph.ShapeInference;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The INT8 ONNX twin: a real yolov5n (BatchNorm folded, 320) quantized by hand as the INT8 pass
 * will quantize it, written in QDQ form and run by ONNX Runtime against our executor.
 */
class OnnxQdqTest {

    private static final int IMGSZ = 320;
    private static final long[] INPUT_SHAPE = {1, 3, IMGSZ, IMGSZ};

    private static Graph floatGraph;
    private static Graph int8Graph;
    private static byte[] int8Onnx;
    private static float[] image;

    @BeforeAll
    static void quantizeYolov5n() {
        floatGraph = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent()).fusedGraph(IMGSZ);
        Path reference = TestData.reference();
        // calibrated on one COCO image, run on another: some values saturate, as they do in use
        float[] calibration = TestData.floats(reference.resolve("000000000009.input.f32"));
        image = TestData.floats(reference.resolve("000000000034.input.f32"));
        // conv outputs quantized too: ONNX Runtime fuses a convolution into QLinearConv only when a
        // QuantizeLinear follows it (with the data inputs alone quantized it keeps all 60 in float)
        int8Graph = HandQuantization.quantize(floatGraph, calibration, true);
        int8Onnx = OnnxWriter.toBytes(int8Graph, "test");
    }

    /**
     * The real equivalence check: each quantized convolution (input FakeQuantize, weight
     * FakeQuantize, Conv, output FakeQuantize) run alone on the same input, which ONNX Runtime runs
     * as one QLinearConv. Both land on the output's uint8 grid; they may differ only where the
     * exact result lies within rounding noise of a grid boundary: our executor accumulates in
     * float (error about 1e-5 of the result), QLinearConv in int32 with the bias rounded to
     * x_scale · w_scale and one float requantization. So at most one step, on few values:
     * measured at most 0.14% of a layer's values (ORT 1.23.2, x86-64 with AVX-512 VNNI).
     */
    @Test
    void eachQuantizedConvolutionDiffersFromTheExecutorByAtMostOneStepAtRoundingTies(@TempDir Path tmp)
            throws Exception {
        List<Node> convolutions = int8Graph.nodesOf(Op.Conv2d.class);
        Map<String, float[]> layerInputs = executorValues(int8Graph, image,
                convolutions.stream().map(c -> int8Graph.producer(c.input(0)).input(0)).distinct().toList());
        Map<String, long[]> shapes = ShapeInference.inferWithBatchOne(int8Graph);
        double worstShare = 0;
        for (Node conv : convolutions) {
            Graph layer = singleLayer(conv, shapes);
            String input = layer.inputs().get(0).name();
            float[] x = layerInputs.get(input);
            float[] ours = executorValues(layer, Map.of(input, x), layer.outputs()).get(layer.outputs().get(0));
            Path optimized = tmp.resolve(conv.name() + ".onnx");
            float[] theirs = onnxRuntime(OnnxWriter.toBytes(layer, "test"), input, x, shapes.get(input), optimized);
            OnnxContents ops = OnnxContents.read(Files.readAllBytes(optimized));
            assertEquals(1, ops.count("com.microsoft:QLinearConv") + ops.count("QLinearConv"), conv.name() + ": " + ops);
            Node outputQuantizer = int8Graph.consumers(conv.output()).get(0);
            float step = activationStep(outputQuantizer);
            int differing = 0;
            double worst = 0;
            for (int i = 0; i < ours.length; i++) {
                double d = Math.abs(ours[i] - theirs[i]);
                worst = Math.max(worst, d);
                if (d > step / 2) {
                    differing++;
                }
            }
            assertTrue(worst <= step * 1.001, conv.name() + ": a value differs by " + worst / step + " steps");
            double share = (double) differing / ours.length;
            worstShare = Math.max(worstShare, share);
            assertTrue(share < 0.005, conv.name() + ": " + differing + " of " + ours.length + " values differ");
        }
        System.out.printf("%d quantized convolutions alone: at most one step apart, on at most %.3f%% of values%n",
                convolutions.size(), 100 * worstShare);
    }

    /**
     * The whole model. The single-step differences at ties of each layer (above) travel on: a
     * value one step off moves the next layer's results a little, which tips further values
     * over grid boundaries, and so on through 60 requantized layers, so the final outputs differ
     * far more than one step. Measured here (ORT 1.23.2, x86-64 AVX-512 VNNI): max abs diff 25.1
     * (a box height in pixels, through the head's (2·sigmoid)² · anchor), 12.4% of outputs beyond
     * 1e-3, mean abs diff 0.034, while the quantization itself moves the outputs by a mean 0.072
     * from the float model's; ONNX Runtime's INT8 outputs are as far from the float model as ours
     * (mean 0.069). The bounds below leave headroom for other CPUs' rounding.
     */
    @Test
    void onnxRuntimeAgreesWithTheExecutorOnTheWholeQdqTwin() throws Exception {
        float[] ours = executor(int8Graph, image);
        float[] theirs = onnxRuntime(int8Onnx, "images", image, INPUT_SHAPE, null);
        float[] fp32 = executor(floatGraph, image);
        assertEquals(ours.length, theirs.length);
        double worst = 0;
        int beyond = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs(ours[i] - theirs[i]);
            worst = Math.max(worst, d);
            if (d > 1e-3) {
                beyond++;
            }
        }
        double share = (double) beyond / ours.length;
        double disagreement = meanAbsDiff(ours, theirs);
        double ourQuantizationError = meanAbsDiff(ours, fp32);
        double theirQuantizationError = meanAbsDiff(theirs, fp32);
        System.out.printf("INT8 twin vs executor: max abs diff %.4g, %.2f%% of %d outputs beyond 1e-3, mean %.4g;"
                + " quantization error (mean abs vs FP32) ours %.4g, ONNX Runtime %.4g%n", worst, 100 * share,
                ours.length, disagreement, ourQuantizationError, theirQuantizationError);
        assertTrue(worst < 40, "max abs diff " + worst);
        assertTrue(share < 0.2, "share beyond 1e-3 " + share);
        assertTrue(disagreement < ourQuantizationError, disagreement + " vs " + ourQuantizationError);
        assertEquals(ourQuantizationError, theirQuantizationError, 0.1 * ourQuantizationError);
    }

    @Test
    void onnxRuntimeFusesEveryQuantizedConvolutionIntoQLinearConv(@TempDir Path tmp) throws Exception {
        Path optimized = tmp.resolve("optimized.onnx");
        onnxRuntime(int8Onnx, "images", image, INPUT_SHAPE, optimized);
        OnnxContents ops = OnnxContents.read(Files.readAllBytes(optimized));
        int convolutions = int8Graph.nodesOf(Op.Conv2d.class).size();
        int fused = ops.count("QLinearConv") + ops.count("com.microsoft:QLinearConv");
        System.out.println("optimized by ONNX Runtime (ALL_OPT): " + fused + " QLinearConv for " + convolutions
                + " Conv2d; " + ops.opTypes());
        assertEquals(60, convolutions);
        assertEquals(convolutions, fused);
        assertEquals(0, ops.count("Conv") + ops.count("com.microsoft.nchwc:Conv"), "a convolution left in float");
    }

    @Test
    void theInt8TwinHoldsInt8WeightsOnlyAndIsAboutAQuarterOfTheFp32Twin() throws Exception {
        int fp32 = OnnxWriter.toBytes(floatGraph, "test").length;
        System.out.printf("FP32 twin %d bytes, INT8 twin %d bytes (%.3fx)%n", fp32, int8Onnx.length,
                (double) int8Onnx.length / fp32);
        assertTrue(int8Onnx.length <= 0.35 * fp32, int8Onnx.length + " of " + fp32);
        Map<String, Integer> initializers = OnnxContents.read(int8Onnx).initializerTypes();
        for (Node conv : floatGraph.nodesOf(Op.Conv2d.class)) {
            String weight = conv.input(1);
            assertFalse(initializers.containsKey(weight), weight + " written in float as well");
            assertEquals(OnnxWriter.INT8, initializers.get(weight + ".quantize.int8"), weight);
            assertEquals(OnnxWriter.INT32, initializers.get(conv.name() + ".bias.int32"), conv.name());
        }
    }

    /**
     * FakeQuantize rounds half to even on its level grid, (w - il) / (ih - il) · 254, whose zero
     * is level 127, an odd one: w = 2.5·s is level 129.5, which rounds to 130, int8 3 (not 2, as
     * rounding w / s would give). A channel with the range [0, 0] gives 0 for any weight.
     */
    @Test
    void int8WeightsRoundOnTheFakeQuantizeGridAtTiesAndAnEmptyRangeGivesZero() throws Exception {
        Map<String, Parameter> params = new LinkedHashMap<>();
        addParameter(params, "w", Parameter.Kind.WEIGHT, new float[] {2.5f, 0.7f}, 2, 1, 1, 1);
        addParameter(params, "low", Parameter.Kind.CONSTANT, new float[] {-127f, 0f}, 2, 1, 1, 1);
        addParameter(params, "high", Parameter.Kind.CONSTANT, new float[] {127f, 0f}, 2, 1, 1, 1);
        List<Node> nodes = List.of(
                new Node("w.quantize", new Op.FakeQuantize(255), List.of("w", "low", "high", "low", "high"), "wq"),
                new Node("conv", Op.Conv2d.symmetric(1, 1, 0, 1), List.of("x", "wq"), "y"));
        Graph g = new Graph("tie", List.of(new GraphInput("x", new long[] {1, 1, 1, 1})), List.of("y"), nodes, params,
                Map.of());
        float[] one = {1f};
        float[] ours = executorValues(g, Map.of("x", one), List.of("y")).get("y");
        float[] theirs = onnxRuntime(OnnxWriter.toBytes(g, "test"), "x", one, new long[] {1, 1, 1, 1}, null);
        assertArrayEquals(new float[] {3f, 0f}, theirs, 0f);
        assertArrayEquals(theirs, ours, 1e-5f);
    }

    @Test
    void aFakeQuantizeWithSixteenLevelsIsRefusedNamingTheNode() {
        GraphException e = assertThrows(GraphException.class,
                () -> OnnxWriter.toBytes(activationQuantizer(16, -1f, 1f), "test"));
        assertTrue(e.getMessage().contains("'x.quantize'") && e.getMessage().contains("levels 16"), e.getMessage());
    }

    @Test
    void aRangeWhoseZeroFallsBetweenGridPointsIsRefused() {
        // step 2/255: 0 sits at level 127.5, so no uint8 zero point reproduces the grid
        GraphException e = assertThrows(GraphException.class,
                () -> OnnxWriter.toBytes(activationQuantizer(256, -1f, 1f), "test"));
        assertTrue(e.getMessage().contains("'x.quantize'") && e.getMessage().contains("not zero-point aligned"),
                e.getMessage());
    }

    @Test
    void aRangeComputedInTheGraphIsRefused() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        addParameter(params, "high", Parameter.Kind.CONSTANT, new float[] {1f}, 1, 1, 1, 1);
        Node fq = new Node("x.quantize", new Op.FakeQuantize(256), List.of("x", "low", "high", "low", "high"), "y");
        Graph g = new Graph("computed", List.of(new GraphInput("x", new long[] {1, 1, 2, 2}),
                new GraphInput("low", new long[] {1, 1, 1, 1})), List.of("y"), List.of(fq), params, Map.of());
        GraphException e = assertThrows(GraphException.class, () -> OnnxWriter.toBytes(g, "test"));
        assertTrue(e.getMessage().contains("'x.quantize'") && e.getMessage().contains("'low' is computed"),
                e.getMessage());
    }

    /** x [1, 1, 2, 2] through one FakeQuantize with this per-tensor range. */
    private static Graph activationQuantizer(long levels, float low, float high) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        addParameter(params, "low", Parameter.Kind.CONSTANT, new float[] {low}, 1, 1, 1, 1);
        addParameter(params, "high", Parameter.Kind.CONSTANT, new float[] {high}, 1, 1, 1, 1);
        Node fq = new Node("x.quantize", new Op.FakeQuantize(levels), List.of("x", "low", "high", "low", "high"), "y");
        return new Graph("fq", List.of(new GraphInput("x", new long[] {1, 1, 2, 2})), List.of("y"), List.of(fq),
                params, Map.of());
    }

    private static void addParameter(Map<String, Parameter> params, String name, Parameter.Kind kind, float[] values,
            long... shape) {
        params.put(name, new Parameter(name, HostTensor.ofFloats(values, shape), kind));
    }

    /** One convolution of the INT8 graph with its three FakeQuantize nodes, fed by its input's float value. */
    private static Graph singleLayer(Node conv, Map<String, long[]> shapes) {
        Node input = int8Graph.producer(conv.input(0));
        Node weight = int8Graph.producer(conv.input(1));
        Node output = int8Graph.consumers(conv.output()).get(0);
        List<Node> nodes = List.of(input, weight, conv, output);
        Map<String, Parameter> params = new LinkedHashMap<>();
        for (Node n : nodes) {
            n.inputs().stream().filter(int8Graph::isParameter).forEach(p -> params.put(p, int8Graph.parameter(p)));
        }
        String x = input.input(0);
        return new Graph(conv.name(), List.of(new GraphInput(x, shapes.get(x))), List.of(output.output()), nodes,
                params, Map.of());
    }

    private static float activationStep(Node fakeQuantize) {
        float low = int8Graph.parameter(fakeQuantize.input(1)).tensor().floats()[0];
        float high = int8Graph.parameter(fakeQuantize.input(2)).tensor().floats()[0];
        return (high - low) / 255;
    }

    private static double meanAbsDiff(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    private static float[] executor(Graph graph, float[] input) {
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(graph, m)) {
            return ex.forward(m.create(input, new Shape(INPUT_SHAPE)), GraphExecutor.Mode.INFERENCE).get(0)
                    .toFloatArray();
        }
    }

    private static Map<String, float[]> executorValues(Graph graph, float[] image, List<String> values) {
        return executorValues(graph, Map.of(graph.inputs().get(0).name(), image), values);
    }

    private static Map<String, float[]> executorValues(Graph graph, Map<String, float[]> feeds, List<String> values) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, long[]> shapes = ShapeInference.inferWithBatchOne(graph);
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(graph, m)) {
            Map<String, ai.djl.ndarray.NDArray> inputs = new LinkedHashMap<>();
            feeds.forEach((name, data) -> inputs.put(name, m.create(data, new Shape(shapes.get(name)))));
            ex.run(inputs, values, GraphExecutor.Mode.INFERENCE).forEach((name, a) -> out.put(name, a.toFloatArray()));
        }
        return out;
    }

    /** Runs a one-input model with every graph optimisation; saves the optimised model where asked. */
    private static float[] onnxRuntime(byte[] model, String inputName, float[] input, long[] shape,
            Path optimizedModel) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (optimizedModel != null) {
                options.setOptimizedModelFilePath(optimizedModel.toString());
                // saving an ALL_OPT model warns that its NCHWc ops suit this CPU only: read here, on this CPU
                options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            }
            try (OrtSession session = env.createSession(model, options);
                    OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                    OrtSession.Result out = session.run(Map.of(inputName, in))) {
                OnnxTensor y = (OnnxTensor) out.get(0);
                float[] values = new float[(int) y.getInfo().getNumElements()];
                y.getFloatBuffer().get(values);
                return values;
            }
        }
    }
}
