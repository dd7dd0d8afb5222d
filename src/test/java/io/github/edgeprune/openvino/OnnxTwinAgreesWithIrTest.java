package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.util.Log;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export goal's two products of the real yolov5n.pt at 320, run by two different engines on
 * Ultralytics' pre-processed reference images: the ONNX twin by ONNX Runtime (someone else's
 * engine), the FP32 IR read back by our reader and run by our executor. They must agree within
 * 1e-4, and both must still give Ultralytics' own output.
 */
class OnnxTwinAgreesWithIrTest {

    @Test
    void onnxRuntimeOnTheTwinAgreesWithOurExecutorOnTheIr(@TempDir Path dir) throws Exception {
        Path data = IrTestSupport.data();
        Path reference = data.resolve("reference/yolov5n-320");
        ExportJob.Result exported = ExportJob.run(new ExportJob.Settings(
                data.resolve("models/yolov5n.pt").toString(), Path.of("."), dir, "yolov5n", 320, IrPrecision.FP32, true),
                Log.silent());
        Graph ir = IrReader.read(exported.ir().xml());

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(exported.onnx().toString(), new OrtSession.SessionOptions())) {
            assertEquals("images", session.getInputNames().iterator().next());
            for (String image : new String[] {"000000000009", "000000000034"}) {
                float[] input = IrTestSupport.floats(reference.resolve(image + ".input.f32"));
                float[] ultralytics = IrTestSupport.floats(reference.resolve(image + ".output.f32"));
                float[] ours = IrTestSupport.run(ir, input, 320, 320);
                float[] onnxRuntime;
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, 320, 320});
                        OrtSession.Result out = session.run(Map.of("images", in))) {
                    OnnxTensor y = (OnnxTensor) out.get("output0").orElseThrow();
                    assertArrayEquals(new long[] {1, 6300, 85}, y.getInfo().getShape());
                    onnxRuntime = new float[(int) y.getInfo().getNumElements()];
                    y.getFloatBuffer().get(onnxRuntime);
                }
                double twinVsIr = IrTestSupport.maxScaled(onnxRuntime, ours);
                double twinVsUltralytics = IrTestSupport.maxScaled(ultralytics, onnxRuntime);
                System.out.printf(Locale.ROOT, "%s at 320: ONNX Runtime (twin) vs our executor (IR read back) %.2e;"
                        + " ONNX Runtime vs Ultralytics %.2e (max |Δ|/max(1,|y|))%n", image, twinVsIr, twinVsUltralytics);
                assertTrue(twinVsIr < 1e-4, image + ": ONNX Runtime vs IR " + twinVsIr);
                assertTrue(twinVsUltralytics < 1e-4, image + ": ONNX Runtime vs Ultralytics " + twinVsUltralytics);
                assertEquals(IrTestSupport.topDetection(ultralytics), IrTestSupport.topDetection(onnxRuntime));
            }
        }
    }
}
