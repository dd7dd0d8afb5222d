package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.openvino.IrReader;
import io.github.edgeprune.train.ShapesDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The goals a user chains for INT8, as the user runs them: a channel-pruned model exported as
 * INT8 (calibrated on the data's train images), then evaluated and verified, each naming the
 * precision; the export is skipped when run again unchanged.
 */
class Int8GoalsTest {

    @TempDir
    static Path tmp;

    @Test
    void aChannelPrunedModelExportsAsInt8AndEveryLaterGoalSaysSo() throws Exception {
        Path shapes = ShapesDataset.generate(tmp.resolve("shapes"), 12, 6, 64, 5);
        Path tiny = ShapesDataset.writeTinyModelYaml(tmp.resolve("tiny.yaml"), 3);
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path out = project.resolve("target/prune");
        GoalHarness.Outcome pruned = GoalHarness.run("prune-channels", project, Map.of("prune.model", tiny.toString(),
                "prune.channelRatio", "0.3", "prune.imgsz", "64"), false);
        assertNull(pruned.failure(), pruned.userOutput());

        Map<String, String> export = Map.of("prune.model", out.resolve("channels").toString(), "prune.imgsz", "64",
                "prune.attach", "false", "prune.precision", "INT8", "prune.data", shapes.toString(),
                "prune.calibrationImages", "8", "prune.int8Exclude", "model.24,model.77");
        GoalHarness.Outcome exported = GoalHarness.run("export-openvino", project, export, false);
        assertNull(exported.failure(), exported.userOutput());
        String log = exported.userOutput();
        assertTrue(log.contains("Calibrating INT8 ranges on 8 images"), log);
        assertTrue(log.contains("kept in float"), log);
        assertTrue(log.contains("prune.int8Exclude: no convolution is named 'model.77'"), log);
        assertTrue(log.contains("INT8 QDQ"), log);
        Path xml;
        try (var files = Files.list(out.resolve("openvino"))) {
            xml = files.filter(p -> p.toString().endsWith(".xml")).findFirst().orElseThrow();
        }
        Graph ir = IrReader.read(xml);
        assertTrue(ir.nodes().stream().anyMatch(n -> n.op() instanceof Op.FakeQuantize), "the IR is quantized");
        assertEquals("channels", ir.metadata().get("pruning.structure"), "the pruning record survives quantization");
        assertEquals("3", ir.metadata().get("quantization.float_convolutions"), "Detect's three stay float");

        GoalHarness.Outcome again = GoalHarness.run("export-openvino", project, export, false);
        assertNull(again.failure(), again.userOutput());
        assertTrue(again.userOutput().contains("up to date"), again.userOutput());
        assertTrue(!again.userOutput().contains("Calibrating"), "nothing is calibrated again: " + again.userOutput());

        GoalHarness.Outcome evaluated = GoalHarness.run("evaluate", project, Map.of("prune.model", xml.toString(),
                "prune.data", shapes.toString()), false);
        assertNull(evaluated.failure(), evaluated.userOutput());
        assertTrue(evaluated.userOutput().contains(xml.getFileName() + ": precision INT8"), evaluated.userOutput());
        assertEquals("INT8", JsonParser.parseString(Files.readString(out.resolve("evaluate.json"))).getAsJsonObject()
                .get("model_precision").getAsString());

        GoalHarness.Outcome verified = GoalHarness.run("verify-on-device", project, Map.of("prune.model", xml.toString(),
                "prune.data", shapes.toString(), "prune.maxImages", "2", "prune.warmup", "1", "prune.iterations", "2",
                "prune.backend", "onnxruntime"), false);
        assertNull(verified.failure(), verified.userOutput());
        assertTrue(verified.userOutput().contains("(INT8)"), verified.userOutput());
        assertEquals("INT8", JsonParser.parseString(Files.readString(out.resolve("reports/verify.json"))).getAsJsonObject()
                .get("precision").getAsString());
    }
}
