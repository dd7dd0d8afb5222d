package io.github.edgeprune.agent.openvino;

import io.github.edgeprune.tensor.HostTensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real inference with Intel's OpenVINO runtime on an Intel-produced YOLOv5n IR. Runs only where
 * {@code libopenvino_c} is installed (or named by -Dprune.openvinoLib); elsewhere it is skipped
 * and says where it looked.
 */
class OpenVinoRealRuntimeTest {

    @Test
    void runsYolov5nOnCpu() {
        OpenVinoLibrary.Availability a = OpenVinoLibrary.probe(System.getProperty(OpenVinoLibrary.PROPERTY));
        if (!a.available()) {
            System.out.println("[openvino] skipped: " + a.reason());
        }
        Assumptions.assumeTrue(a.available(), "no usable OpenVINO runtime: " + a.reason());
        Path dir = Path.of(System.getProperty("edgeprune.data", "../shared/data"), "openvino-ir", "yolov5n_openvino_model");
        Path xml = dir.resolve("yolov5n.xml");
        Assumptions.assumeTrue(Files.isRegularFile(xml), "the shared IR is not at " + xml);
        try (OpenVinoRuntime rt = OpenVinoRuntime.load(a.library());
             CompiledModel model = rt.compile(xml, dir.resolve("yolov5n.bin"), "CPU");
             InferRequest req = model.createInferRequest()) {
            long[] shape = model.inputShape(0);
            assertEquals(4, shape.length);
            assertEquals(3, shape[1]);
            float[] x = new float[Math.toIntExact(HostTensor.elementCount(shape))];
            Arrays.fill(x, 114f / 255f); // a gray letterbox
            HostTensor y = req.infer(HostTensor.ofFloats(x, shape));
            System.out.println("[openvino] " + rt.version() + " " + Arrays.toString(shape) + " -> " + Arrays.toString(y.shape()));
            assertEquals(3, y.rank());
            assertEquals(85, y.dim(2), "xywh, objectness, 80 class scores");
            for (float v : y.floats()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }
}
