package io.github.edgeprune.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.yolo.ModelZoo;
import io.github.edgeprune.yolo.RandomWeights;
import io.github.edgeprune.yolo.YoloGraphBuilder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our graph's semantics checked by someone else's engine: ONNX Runtime runs the twin. */
class OnnxWriterTest {

    @Test
    void onnxRuntimeAgreesWithTheExecutorOnARandomYolov5n() throws Exception {
        Graph graph = YoloGraphBuilder.build(ModelZoo.architecture("yolov5n"), new RandomWeights(7), 160, 160);
        byte[] onnx = OnnxWriter.toBytes(graph, "test");
        float[] image = new float[3 * 160 * 160];
        Random r = new Random(1);
        for (int i = 0; i < image.length; i++) {
            image[i] = r.nextFloat();
        }
        float[] ours;
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(graph, m)) {
            ours = ex.forward(m.create(image, new Shape(1, 3, 160, 160)), GraphExecutor.Mode.INFERENCE).get(0)
                    .toFloatArray();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 3, 160, 160});
                OrtSession.Result out = session.run(Map.of("images", in))) {
            OnnxTensor y = (OnnxTensor) out.get("output0").orElseThrow();
            assertArrayEquals(new long[] {1, 3 * (400 + 100 + 25), 85}, y.getInfo().getShape());
            float[] theirs = new float[(int) y.getInfo().getNumElements()];
            y.getFloatBuffer().get(theirs);
            double worst = 0;
            for (int i = 0; i < theirs.length; i++) {
                double scale = Math.max(1, Math.abs(theirs[i]));
                worst = Math.max(worst, Math.abs(theirs[i] - ours[i]) / scale);
            }
            assertTrue(worst < 1e-4, "max relative difference " + worst);
            assertEquals("images", session.getInputNames().iterator().next());
        }
    }
}
