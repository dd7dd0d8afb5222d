package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.openvino.IrReader;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.train.ShapesDataset;
import io.github.edgeprune.yolo.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A channel-pruned bundle goes through every later goal with its own shapes: train-dynamic
 * fine-tunes it (schedule none), evaluate measures it, export-openvino writes an IR with the
 * pruned widths, verify-on-device runs that IR on the local device, and prune-channels cuts the
 * fine-tuned result again.
 */
class PrunedBundleGoalsTest {

    @TempDir
    Path tmp;

    @Test
    void aChannelPrunedBundleFineTunesEvaluatesExportsAndVerifies() throws Exception {
        Path shapes = ShapesDataset.generate(tmp.resolve("shapes"), 16, 8, 64, 3);
        Path tiny = ShapesDataset.writeTinyModelYaml(tmp.resolve("tiny.yaml"), 3);
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path out = project.resolve("target/prune");

        GoalHarness.Outcome pruned = GoalHarness.run("prune-channels", project, Map.of("prune.model", tiny.toString(),
                "prune.channelRatio", "0.3", "prune.imgsz", "64", "prune.verbose", "true"), false);
        assertNull(pruned.failure(), pruned.userOutput());
        assertTrue(pruned.userOutput().contains("After:  "), pruned.userOutput());
        Path bundle = out.resolve("channels");
        Graph cut = ModelBundle.read(bundle).graph(64);
        long cutParams = GraphStats.of(cut).parameters();

        GoalHarness.Outcome trained = GoalHarness.run("train-dynamic", project, Map.of("prune.model", bundle.toString(),
                "prune.data", shapes.toString(), "prune.epochs", "1", "prune.imgsz", "64", "prune.batch", "8",
                "prune.plots", "false", "prune.schedule", "none"), false);
        assertNull(trained.failure(), trained.userOutput());
        Path last = out.resolve("train/last");
        Graph fineTuned = ModelBundle.read(last).graph(64);
        assertEquals(cutParams, GraphStats.of(fineTuned).parameters(), "fine-tuning keeps the pruned shapes");
        for (String name : cut.parameters().keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(cut.parameter(name).tensor().shape(),
                    fineTuned.parameter(name).tensor().shape(), name);
        }

        PruneRecord fineTunedRecord = PruneRecord.fromJson(Files.readString(last.resolve(ModelBundle.PRUNE_JSON)), "x");
        assertEquals("channels", fineTunedRecord.extra().get("structure"), "the fine-tuned bundle says it is channel-pruned");

        GoalHarness.Outcome evaluated = GoalHarness.run("evaluate", project, Map.of("prune.model", last.toString(),
                "prune.data", shapes.toString(), "prune.imgsz", "64"), false);
        assertNull(evaluated.failure(), evaluated.userOutput());
        assertTrue(Files.isRegularFile(out.resolve("evaluate.json")));

        GoalHarness.Outcome exported = GoalHarness.run("export-openvino", project, Map.of("prune.model", last.toString(),
                "prune.imgsz", "64", "prune.attach", "false", "prune.onnx", "false"), false);
        assertNull(exported.failure(), exported.userOutput());
        Path xml;
        try (var s = Files.list(out.resolve("openvino"))) {
            xml = s.filter(p -> p.toString().endsWith(".xml")).findFirst().orElseThrow();
        }
        Graph ir = IrReader.read(xml);
        assertEquals("channels", ir.metadata().get("pruning.structure"), ir.metadata().toString());
        assertEquals(GraphStats.gflops(io.github.edgeprune.graph.FoldBatchNorm.apply(cut)), GraphStats.gflops(ir), 1e-6,
                "the IR has the pruned widths");

        GoalHarness.Outcome verified = GoalHarness.run("verify-on-device", project, Map.of("prune.model", xml.toString(),
                "prune.data", shapes.toString(), "prune.maxImages", "2", "prune.warmup", "1", "prune.iterations", "2",
                "prune.backend", "djl"), false);
        assertNull(verified.failure(), verified.userOutput());
        assertTrue(Files.isRegularFile(out.resolve("reports/verify.json")));

        GoalHarness.Outcome again = GoalHarness.run("prune-channels", project, Map.of("prune.model", last.toString(),
                "prune.channelRatio", "0.2", "prune.roundTo", "4", "prune.imgsz", "64", "prune.channelsOutput", "target/prune/channels2"), false);
        assertNull(again.failure(), again.userOutput());
        PruneRecord twice = PruneRecord.fromJson(Files.readString(out.resolve("channels2/prune.json")), "prune.json");
        assertEquals(cutParams, twice.channels().parametersBefore(), "the second cut starts from the fine-tuned widths");
        assertTrue(twice.channels().parametersAfter() < cutParams, again.userOutput());
    }
}
