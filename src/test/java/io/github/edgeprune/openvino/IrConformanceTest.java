package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.ShapeInference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every IR under {@code conformance/} either loads (and then runs) or is refused with the error
 * naming its first unsupported layer — nothing crashes, nothing is skipped silently. The expected
 * outcomes are the list in docs/openvino-ir.md.
 */
class IrConformanceTest {

    static final String LOADS = "loads";

    /** File (relative to conformance/) → "loads" or the refusal after "file.xml: ". */
    static final Map<String, String> EXPECTED = Map.of(
            "openvino-core-tests/add_abc.xml", LOADS,
            "openvino-core-tests/conv_with_rt_info.xml", LOADS,
            "openvino-core-tests/shape_of.xml", LOADS,
            "openvino-core-tests/dynamic_variable.xml",
            "layer 2 'ReadValue_3' of type ReadValue (opset6) is not supported",
            "openvino-core-tests/experimental_detectron_detection_output_opset6.xml",
            "layer 4 'DO' of type ExperimentalDetectronDetectionOutput (opset6) is not supported",
            "omz-intel/person-vehicle-bike-detection-2000/FP16-INT8/person-vehicle-bike-detection-2000.xml", LOADS,
            "omz-intel/person-vehicle-bike-detection-2003/FP16-INT8/person-vehicle-bike-detection-2003.xml",
            "layer 1268 'TopK_691' of type TopK (opset3) is not supported",
            "omz-intel/person-vehicle-bike-detection-crossroad-0078/FP16/person-vehicle-bike-detection-crossroad-0078.xml",
            "layer 30 'bottleneck1_1/dim_red/fn' of type Elu (opset1) is not supported");

    @Test
    void everyConformanceIrLoadsOrIsRefusedNamingItsFirstUnsupportedLayer() throws IOException {
        Path root = IrTestSupport.data().resolve("openvino-ir/conformance");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
        }
        Map<String, String> actual = new TreeMap<>();
        for (Path xml : files) {
            String rel = root.relativize(xml).toString().replace('\\', '/');
            String outcome;
            try {
                Graph g = IrReader.read(xml);
                runOnce(g);
                outcome = LOADS;
            } catch (IrFormatException e) {
                String prefix = xml.getFileName() + ": ";
                assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
                outcome = e.getMessage().substring(prefix.length());
            }
            actual.put(rel, outcome);
            System.out.println("conformance " + rel + " -> " + outcome);
        }
        assertEquals(new TreeMap<>(EXPECTED), actual);
    }

    /** The refusal comes from the type check alone: the weights file is never needed for it. */
    @Test
    void refusalNeedsNoWeights() {
        Path xml = IrTestSupport.data().resolve("openvino-ir/conformance/omz-intel/person-vehicle-bike-detection-2003/"
                + "FP16-INT8/person-vehicle-bike-detection-2003.xml");
        try {
            IrReader.read(xml, xml.resolveSibling("does-not-exist.bin"));
        } catch (IrFormatException e) {
            assertEquals("person-vehicle-bike-detection-2003.xml: "
                    + EXPECTED.get("omz-intel/person-vehicle-bike-detection-2003/FP16-INT8/person-vehicle-bike-detection-2003.xml"),
                    e.getMessage());
            return;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void loadedModelsComputeWhatTheyShould() {
        Path dir = IrTestSupport.data().resolve("openvino-ir/conformance/openvino-core-tests");
        // add_abc: Y = (A + B) + C
        assertEquals(6, IrReader.check(dir.resolve("add_abc.xml")), "check() parses and checks support only");
        Graph add = IrReader.read(dir.resolve("add_abc.xml"));
        assertEquals(List.of("A", "B", "C"), add.inputs().stream().map(GraphInput::name).toList());
        assertEquals(List.of("Y"), add.outputs());
        Map<String, float[]> out = runOnce(add);
        assertArrayEquals(new float[] {6f}, out.get("Y")); // inputs are 1, 2, 3
        // shape_of: the ShapeOf feeding Reshape is evaluated at read time; Relu then identity reshape
        Graph shapeOf = IrReader.read(dir.resolve("shape_of.xml"));
        assertEquals(List.of("Reshape_71"), shapeOf.outputs());
        assertEquals(2, shapeOf.nodes().size());
        // conv_with_rt_info: weights come from a Parameter; auto_pad SAME_LOWER on a 1x1 kernel
        Graph conv = IrReader.read(dir.resolve("conv_with_rt_info.xml"));
        assertArrayEquals(new long[] {1, 490, 34, 60}, ShapeInference.inferWithBatchOne(conv).get(conv.outputs().get(0)));
    }

    /** Runs a graph with input i filled with i + 1; returns its outputs. */
    static Map<String, float[]> runOnce(Graph g) {
        Map<String, float[]> result = new LinkedHashMap<>();
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(g, m)) {
            Map<String, NDArray> feeds = new HashMap<>();
            for (int i = 0; i < g.inputs().size(); i++) {
                GraphInput in = g.inputs().get(i);
                feeds.put(in.name(), m.ones(new Shape(in.shape())).mul(i + 1));
            }
            Map<String, NDArray> out = ex.run(feeds, g.outputs(), GraphExecutor.Mode.INFERENCE);
            Map<String, long[]> shapes = ShapeInference.inferWithBatchOne(g);
            for (String o : g.outputs()) {
                assertArrayEquals(shapes.get(o), out.get(o).getShape().getShape(), "shape of output " + o);
                result.put(o, out.get(o).toFloatArray());
            }
        }
        return result;
    }
}
