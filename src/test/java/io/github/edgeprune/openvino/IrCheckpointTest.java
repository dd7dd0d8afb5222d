package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.prune.PruneScope;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.prune.StaticPruning;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.YoloModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real model: yolov5n.pt read without Python, exported by us, compared with Ultralytics' own
 * output (reference/yolov5n-320); pruned by the plugin and exported. (The comparison with the IRs
 * Intel's tools made from the same weights is in {@link IntelIrTest}.)
 */
class IrCheckpointTest {

    static YoloModel model;
    static Path reference;

    @BeforeAll
    static void load() {
        Path data = IrTestSupport.data();
        model = ModelLoader.load(data.resolve("models/yolov5n.pt").toString(), Path.of("."), 0, Log.silent());
        reference = data.resolve("reference/yolov5n-320");
    }


    /** Our IR of yolov5n.pt, read back and run on Ultralytics' pre-processed input, gives Ultralytics' output. */
    @Test
    void ourIrOfYolov5nReproducesUltralytics(@TempDir Path dir) {
        OpenVinoExporter ex = new OpenVinoExporter(Log.silent());
        Graph graph = model.graph(320);
        Graph fp32 = IrReader.read(ex.export(graph, dir.resolve("fp32"), "yolov5n", IrPrecision.FP32).xml());
        Graph fp16 = IrReader.read(ex.export(graph, dir.resolve("fp16"), "yolov5n", IrPrecision.FP16).xml());
        for (String image : new String[] {"000000000009", "000000000034"}) {
            float[] input = IrTestSupport.floats(reference.resolve(image + ".input.f32"));
            float[] expected = IrTestSupport.floats(reference.resolve(image + ".output.f32"));
            float[] y32 = IrTestSupport.run(fp32, input, 320, 320);
            float[] y16 = IrTestSupport.run(fp16, input, 320, 320);
            double d32 = IrTestSupport.maxScaled(expected, y32);
            double d16 = IrTestSupport.maxScaled(expected, y16);
            double conf16 = IrTestSupport.maxConfidenceDiff(expected, y16);
            System.out.printf(Locale.ROOT, "%s at 320 vs Ultralytics: FP32 IR %.2e, FP16 IR %.2e (scaled); FP16 IR max"
                    + " |Δ objectness/score| %.2e, max |Δ xywh| %.3f px%n", image, d32, d16, conf16, IrTestSupport.maxBoxDiff(expected, y16));
            assertTrue(d32 < 1e-4, "FP32 IR vs Ultralytics " + d32);
            // FP16: f16 rounding of the weights only (see intelIrAndOurGraphAgreeOnARealImage for the bounds)
            assertTrue(conf16 < 0.02, "FP16 IR scores vs Ultralytics " + conf16);
            assertTrue(d16 < 0.03, "FP16 IR vs Ultralytics " + d16);
        }
    }

    /** yolov5n.pt pruned by the plugin's own static pruning: the IR holds its zeros and its pruning record. */
    @Test
    void prunedCheckpointKeepsItsZerosAndRecord(@TempDir Path dir) throws Exception {
        Graph graph = model.graph(160);
        PruneTargets targets = PruneTargets.of(graph);
        Map<String, HostTensor> weights = model.copyStateDict();
        StaticPruning.apply(weights, targets, new StaticPruning.Amounts(0.3, 0.0, PruneScope.LAYER));
        PruneRecord record = PruneRecord.measure("static", "once", "layer", 0.3, 0.0, weights, targets, Map.of());
        YoloModel pruned = model.withStateDict(weights).withMetadata(ModelBundle.pruningMetadata(record));
        OpenVinoExporter.Result r = new OpenVinoExporter(Log.silent()).export(pruned.graph(160), dir, "yolov5n-pruned",
                IrPrecision.FP16);
        System.out.printf(Locale.ROOT, "pruned yolov5n.pt: record conv sparsity %.6f, IR zero conv weights %.6f (%d of %d),"
                + " %s%n", record.convSparsity(), r.zeroShare(), r.zeroConvWeights(), r.convWeights(), r.summary());
        assertEquals(1_861_888, r.convWeights());
        // every pruned zero is a zero in the .bin; f16 may add a handful of underflows, never remove one
        assertTrue(r.zeroShare() >= record.convSparsity() && r.zeroShare() < record.convSparsity() + 1e-5);
        Graph back = IrReader.read(r.xml());
        ModelBundle.pruningMetadata(record).forEach((k, v) -> assertEquals(v, back.metadata().get(k), k));
        assertEquals(IrMetadata.namesJson(model.names()), back.metadata().get("names"));
    }




}
