package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.prune.channels.ChannelImportance;
import io.github.edgeprune.prune.channels.ChannelPruner;
import io.github.edgeprune.prune.channels.PruneChannelsJob;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import io.github.edgeprune.yolo.ModelLoader;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel-pruned bundle exported: the IR keeps the pruned shapes (fewer GFLOPs than the dense
 * IR), and the bundle (our executor), the IR read back (our executor) and the ONNX twin (ONNX
 * Runtime, someone else's engine) give the same outputs and the same mAP50.
 */
class ChannelPrunedExportTest {

    @TempDir
    static Path tmp;

    private static Path prune(double keepFlops, int imgsz, String name) throws IOException {
        Path out = tmp.resolve(name);
        PruneChannelsJob.run(new PruneChannelsJob.Settings(TestData.yolov5n().toString(), Path.of("."), out,
                new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, Double.NaN, keepFlops), imgsz, false, 0),
                Log.silent());
        return out;
    }

    private static ExportJob.Result export(Path bundle, int imgsz, String name) throws IOException {
        return ExportJob.run(new ExportJob.Settings(bundle.toString(), Path.of("."), tmp.resolve(name), "pruned", imgsz,
                IrPrecision.FP32, true), Log.silent());
    }

    @Test
    void atSixTenthsOfTheGflopsTheIrAndTwinComputeWhatTheBundleComputes() throws Exception {
        Path bundle = prune(0.6, 320, "b060");
        ExportJob.Result exported = export(bundle, 320, "ir060");
        Graph ir = IrReader.read(exported.ir().xml());
        Graph dense = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent()).fusedGraph(320);
        double ratio = GraphStats.gflops(ir) / GraphStats.gflops(dense);
        System.out.printf(Locale.ROOT, "[channels] IR of yolov5n targetFlops 0.6 at 320: %.3f GFLOPs, %.3f of the dense"
                + " IR's (BatchNorm folded in both)%n", GraphStats.gflops(ir), ratio);
        assertEquals(0.6, ratio, 0.03, "the IR does the pruned model's work");
        assertEquals("channels", ir.metadata().get("pruning.structure"), ir.metadata().toString());

        Graph own = ModelBundle.read(bundle).graph(320);
        Path reference = TestData.reference();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(exported.onnx().toString(), new OrtSession.SessionOptions())) {
            for (String image : new String[] {"000000000009", "000000000034"}) {
                float[] input = IrTestSupport.floats(reference.resolve(image + ".input.f32"));
                float[] bundleOut = IrTestSupport.run(own, input, 320, 320);
                float[] irOut = IrTestSupport.run(ir, input, 320, 320);
                float[] onnxOut;
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, 320, 320});
                        OrtSession.Result out = session.run(Map.of("images", in))) {
                    OnnxTensor y = (OnnxTensor) out.get("output0").orElseThrow();
                    assertArrayEquals(new long[] {1, 6300, 85}, y.getInfo().getShape());
                    onnxOut = new float[(int) y.getInfo().getNumElements()];
                    y.getFloatBuffer().get(onnxOut);
                }
                double irVsBundle = IrTestSupport.maxScaled(bundleOut, irOut);
                double onnxVsBundle = IrTestSupport.maxScaled(bundleOut, onnxOut);
                System.out.printf(Locale.ROOT, "[channels] %s: IR vs bundle %.2e, ONNX Runtime vs bundle %.2e%n", image,
                        irVsBundle, onnxVsBundle);
                assertTrue(irVsBundle < 1e-4, image + ": IR vs bundle " + irVsBundle);
                assertTrue(onnxVsBundle < 1e-4, image + ": ONNX twin vs bundle " + onnxVsBundle);
            }
        }
    }

    /**
     * mAP50 agreement needs a model that still detects without fine-tuning; 0.95 of the GFLOPs
     * is such a cut (0.6 without a fine-tune scores about 0: see docs/channel-pruning.md).
     */
    @Test
    void theBundleIrAndTwinScoreTheSameMap50OnCoco128() throws IOException {
        Path bundle = prune(0.95, 640, "b095");
        ExportJob.Result exported = export(bundle, 640, "ir095");
        EvaluationResult viaBundle = IrEvaluationTest.evaluate(bundle.toString(), 640, tmp.resolve("e-bundle"));
        EvaluationResult viaIr = IrEvaluationTest.evaluate(exported.ir().xml().toString(), 640, tmp.resolve("e-ir"));
        EvaluationResult viaOnnx = IrEvaluationTest.evaluate(exported.onnx().toString(), 640, tmp.resolve("e-onnx"));
        System.out.printf(Locale.ROOT, "[channels] yolov5n targetFlops 0.95 (no fine-tune), COCO128@640 mAP50: bundle"
                + " %.4f, IR (our executor) %.4f, ONNX twin (ONNX Runtime) %.4f%n", viaBundle.map50(), viaIr.map50(),
                viaOnnx.map50());
        assertTrue(viaBundle.map50() > 0.1, "the cut model still detects: " + viaBundle.map50());
        assertEquals(viaBundle.map50(), viaIr.map50(), 0.002, "IR");
        assertEquals(viaBundle.map50(), viaOnnx.map50(), 0.002, "ONNX twin");
    }
}
