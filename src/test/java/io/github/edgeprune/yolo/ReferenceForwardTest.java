package io.github.edgeprune.yolo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * yolov5n.pt read without Python and run by our executor gives the raw output Ultralytics v7.0
 * computed for the same input tensor (reference/yolov5n-320).
 */
class ReferenceForwardTest {

    private static YoloModel model;

    @BeforeAll
    static void load() {
        // read once: inference leaves the model's tensors untouched (the executor copies them)
        model = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent());
    }

    @ParameterizedTest(name = "{0} fused={1}")
    @CsvSource({"000000000009, true", "000000000034, true", "000000000009, false"})
    void forwardMatchesUltralytics(String image, boolean fused) {
        Graph graph = fused ? model.fusedGraph(320) : model.graph(320);
        Path dir = TestData.file("reference/yolov5n-320");
        float[] input = TestData.floats(dir.resolve(image + ".input.f32"));
        float[] expected = TestData.floats(dir.resolve(image + ".output.f32"));
        float[] actual;
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(graph, m)) {
            actual = ex.forward(m.create(input, new Shape(1, 3, 320, 320)), GraphExecutor.Mode.INFERENCE).get(0)
                    .toFloatArray();
        }
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double rel = Math.abs(actual[i] - expected[i]) / Math.max(1.0, Math.abs(expected[i]));
            worst = Math.max(worst, rel);
        }
        System.out.printf("%s fused=%s: max relative difference %.2e%n", image, fused, worst);
        assertTrue(worst <= 1e-3, "max relative difference " + worst);
    }
}
