package io.github.edgeprune.prune.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prune-channels job on the real yolov5n.pt: a bundle with smaller tensors and a record of
 * what went, skipped when nothing changed, and pruned again (the export of a pruned bundle:
 * openvino.ChannelPrunedExportTest).
 */
class PruneChannelsJobTest {

    @TempDir
    static Path tmp;

    private static Path bundle;
    private static List<String> firstLog;

    private static PruneChannelsJob.Settings settings(Path out, boolean verbose) {
        return new PruneChannelsJob.Settings(TestData.yolov5n().toString(), Path.of("."), out,
                new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, Double.NaN, 0.6), 640, verbose, 0);
    }

    private static Log capture(List<String> lines) {
        return new Log() {
            @Override
            public void info(String m) {
                lines.add(m);
            }

            @Override
            public void warn(String m) {
                lines.add(m);
            }
        };
    }

    @BeforeAll
    static void prune() throws IOException {
        bundle = tmp.resolve("channels");
        firstLog = new ArrayList<>();
        PruneChannelsJob.Result r = PruneChannelsJob.run(settings(bundle, true), capture(firstLog));
        assertFalse(r.skipped());
    }

    @Test
    void theBundleHasTheNewShapesAndSaysWhatWasRemoved() throws IOException {
        PruneRecord record = PruneRecord.fromJson(Files.readString(bundle.resolve(ModelBundle.PRUNE_JSON)), "prune.json");
        assertEquals("channels", record.method());
        ChannelRecord c = record.channels();
        assertNotNull(c, "prune.json has a channels record");
        assertEquals("bn-gamma", c.importance());
        assertEquals("targetFlops", c.target());
        assertEquals(0.6, c.flopsRatio(), 0.6 * ChannelPruner.FLOPS_TOLERANCE);
        assertEquals(4.56, c.gflopsBefore(), 0.01, "yolov5n at 640 (Ultralytics prints 4.5)");

        Graph read = ModelBundle.read(bundle).graph(640);
        GraphStats stats = GraphStats.of(read);
        assertEquals(c.parametersAfter(), stats.parameters(), "the weights are as small as the record says");
        assertEquals(c.gflopsAfter(), stats.gflops(), 1e-9);
        assertTrue(stats.parameters() < 0.75 * c.parametersBefore(), stats.toString());
        int narrower = 0;
        for (ChannelPruner.Layer l : c.layers()) {
            long[] w = read.parameter(l.name() + ".weight").tensor().shape();
            assertEquals(l.after(), w[0], l.name());
            narrower += l.after() < l.before() ? 1 : 0;
        }
        assertTrue(narrower > 20, narrower + " layers narrowed");
        assertEquals("channels", read.metadata().get("pruning.structure"));

        String log = String.join("\n", firstLog);
        assertTrue(log.contains("Before: YOLOv5n summary") && log.contains("After:  YOLOv5n summary"), log);
        assertTrue(log.contains("GFLOPs at 640: 4.5"), log);
        assertTrue(log.contains("model.2.cv1.conv"), "-Dprune.verbose prints the per-layer table: " + log);
    }

    @Test
    void aSecondRunWithTheSameInputsIsSkipped() throws IOException {
        List<String> lines = new ArrayList<>();
        PruneChannelsJob.Result again = PruneChannelsJob.run(settings(bundle, false), capture(lines));
        assertTrue(again.skipped(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("up to date"), lines.get(0));
    }

    @Test
    void theBundleCanBePrunedAgain() throws IOException {
        Path twice = tmp.resolve("twice");
        PruneChannelsJob.run(new PruneChannelsJob.Settings(bundle.toString(), Path.of("."), twice,
                new ChannelPruner.Settings(ChannelImportance.L1, 8, Double.NaN, 0.8), 640, false, 0), Log.silent());
        ChannelRecord c = PruneRecord.fromJson(Files.readString(twice.resolve(ModelBundle.PRUNE_JSON)), "x").channels();
        ChannelRecord first = PruneRecord.fromJson(Files.readString(bundle.resolve(ModelBundle.PRUNE_JSON)), "x")
                .channels();
        assertEquals(first.gflopsAfter(), c.gflopsBefore(), 1e-9, "the second cut starts where the first ended");
        assertEquals(0.8, c.flopsRatio(), 0.8 * ChannelPruner.FLOPS_TOLERANCE);
    }

    @Test
    void maxMapDropStopsTheCutBeforeTheMeasuredMap50FallsFurther() throws IOException {
        Path data = TestData.coco128Subset(tmp.resolve("coco16"), 16);
        Path out = tmp.resolve("limited");
        List<String> lines = new ArrayList<>();
        PruneChannelsJob.run(new PruneChannelsJob.Settings(TestData.yolov5n().toString(), Path.of("."), out,
                new ChannelPruner.Settings(ChannelImportance.L1, 8, Double.NaN, 0.6), 320, false, 0, data.toString(),
                0.1), capture(lines));
        PruneRecord record = PruneRecord.fromJson(Files.readString(out.resolve(ModelBundle.PRUNE_JSON)), "prune.json");
        double before = Double.parseDouble(record.extra().get("map50_before"));
        double after = Double.parseDouble(record.extra().get("map50_after"));
        long evaluations = lines.stream().filter(l -> l.startsWith("maxMapDrop: keeping")).count();
        System.out.printf(java.util.Locale.ROOT, "[channels] maxMapDrop 0.1 (l1, target 0.6, 16 COCO128 images at 320):"
                + " mAP50 %.4f -> %.4f keeping %.3f of the GFLOPs, %d evaluations%n", before, after,
                record.channels().flopsRatio(), evaluations);
        assertTrue(before - after <= 0.1 + 1e-9, before + " -> " + after);
        assertTrue(record.channels().flopsRatio() > 0.65, "stopped well before the 0.6 target: "
                + record.channels().flopsRatio());
        assertTrue(evaluations >= 2 && evaluations <= 16, evaluations + " evaluations:\n" + String.join("\n", lines));
        // the bundle written measures what the search measured
        io.github.edgeprune.eval.EvaluationResult check = io.github.edgeprune.eval.EvaluateJob.run(
                new io.github.edgeprune.eval.EvaluateJob.Settings(out.toString(), data.toString(), Path.of("."),
                        tmp.resolve("limited-eval"), io.github.edgeprune.eval.EvalSettings.defaults().withImgsz(320),
                        false, false, false, "val", 0), Log.silent());
        assertEquals(after, check.map50(), 2e-4);
    }
}
