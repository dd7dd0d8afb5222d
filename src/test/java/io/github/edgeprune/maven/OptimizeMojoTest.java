package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prune:optimize as Maven configures it: bad input is named before anything runs; a real run without a POM. */
class OptimizeMojoTest {

    @TempDir
    Path tmp;

    private GoalHarness.Outcome run(Map<String, String> extra) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("prune.model", TestData.yolov5n().toString());
        p.put("prune.data", TestData.coco128().toString());
        p.putAll(extra);
        return GoalHarness.run("optimize", tmp, p, false);
    }

    private void refused(Map<String, String> props, String expected) throws Exception {
        GoalHarness.Outcome o = run(props);
        assertTrue(o.failure() instanceof MojoExecutionException, o.userOutput());
        assertTrue(o.message().startsWith("optimize failed: ") && o.message().contains(expected), o.message());
        assertTrue(!Files.exists(tmp.resolve("target/prune/optimize")), "nothing was written");
    }

    @Test
    void badInputNamesTheProperty() throws Exception {
        refused(Map.of("prune.maxLatencyMs", "NaN"), "prune.maxLatencyMs must be a positive number of milliseconds, got NaN");
        refused(Map.of("prune.minMap50", "45"), "did you mean 0.45?");
        refused(Map.of("prune.candidates", "everything"), "prune.candidates: unknown keyword or recipe 'everything'");
        refused(Map.of("prune.imgszChoices", "320,400"), "prune.imgszChoices: every size must be a positive multiple of 32");
        refused(Map.of("prune.searchMargin", "-1"), "prune.searchMargin");
        refused(Map.of("prune.backend", "tflite"), "prune.backend must be one of");
        GoalHarness.Outcome o = GoalHarness.run("optimize", tmp, Map.of("prune.model", TestData.yolov5n().toString()), false);
        assertTrue(o.message() != null && o.message().contains("set prune.data"), o.userOutput());
    }

    @Test
    void withoutAPomTheWinnerBecomesTheBuildsIr() throws Exception {
        Path data = TestData.coco128Subset(tmp.resolve("data"), 4);
        GoalHarness.Outcome o = run(Map.of("prune.data", data.toString(), "prune.candidates", "dense-fp16", "prune.imgsz",
                "160", "prune.backend", "onnxruntime", "prune.warmup", "1", "prune.minMap50", "0.01"));
        assertNull(o.failure(), o.userOutput());
        Path winner = tmp.resolve("target/prune/optimize/winner/yolov5n.xml");
        assertTrue(Files.isRegularFile(winner), o.userOutput());
        assertTrue(Files.isRegularFile(tmp.resolve("target/prune/optimize/optimize.html")));
        assertTrue(o.userOutput().contains("Winner: dense-fp16-160"), o.userOutput());

        GoalHarness.Outcome impossible = run(Map.of("prune.data", data.toString(), "prune.candidates", "dense-fp16",
                "prune.imgsz", "160", "prune.backend", "onnxruntime", "prune.warmup", "1", "prune.maxLatencyMs", "0.001"));
        assertTrue(impossible.failure() instanceof MojoFailureException, impossible.userOutput());
        assertTrue(impossible.message().contains("Closest: dense-fp16-160"), impossible.message());
        assertTrue(impossible.userOutput().contains("Device runs: 0 new, 1 taken from the cache"), impossible.userOutput());
        assertTrue(!Files.exists(winner), "no winner: the previous run's winner is removed, not left to look current");
    }

    @Test
    void aChannelCutIsFineTunedBeforeExportAndNotAgainWhenUpToDate() throws Exception {
        Path data = TestData.coco128Subset(tmp.resolve("data"), 4);
        // the channel cut and the paper's two methods, each trained one epoch; minMap50 keeps them off the device
        Map<String, String> p = Map.of("prune.data", data.toString(), "prune.candidates",
                "flops0.6-fp16,static-fp16,dynamic-fp16", "prune.imgsz", "160", "prune.fineTuneEpochs", "1",
                "prune.minMap50", "0.99", "prune.failOnViolation", "false");
        GoalHarness.Outcome o = run(p);
        assertNull(o.failure(), o.userOutput());
        assertTrue(o.userOutput().contains("[flops0.60-ft1-fp16-160] fine-tuning 1 epochs at 160"), o.userOutput());
        assertTrue(o.userOutput().contains("(schedule none,"), o.userOutput());
        assertTrue(o.userOutput().contains("[static-ft1-fp16-160] fine-tuning 1 epochs at 160"), o.userOutput());
        assertTrue(o.userOutput().contains("(schedule fixed,"), o.userOutput());
        assertTrue(o.userOutput().contains("[dynamic-ft1-fp16-160] training with dynamic pruning 1 epochs"),
                o.userOutput());
        assertTrue(o.userOutput().contains("Fine-tunes run: 3"), o.userOutput());
        String staticRecord = Files.readString(tmp.resolve("target/prune/optimize/candidates/_bundles/static/prune.json"));
        assertTrue(staticRecord.contains("\"static\""), "prune-static's bundle: " + staticRecord);
        Path tuned = tmp.resolve("target/prune/optimize/candidates/_bundles/flops0.60-ft1-160");
        java.util.List<String> rows = Files.readAllLines(tuned.resolve("results.csv"));
        assertTrue(rows.size() == 2, "a header and one epoch: " + rows);
        assertTrue(Files.readString(tmp.resolve("target/prune/optimize/optimize.json"))
                .contains("\"id\": \"flops0.60-ft1-fp16-160\""));

        GoalHarness.Outcome again = run(p);
        assertNull(again.failure(), again.userOutput());
        assertTrue(again.userOutput().contains("Fine-tunes run: 0"), again.userOutput());
        assertTrue(again.userOutput().contains("is up to date"), again.userOutput());
    }

    @Test
    void thePaperPresetRunsTheStudyAsAGoal() throws Exception {
        Path data = TestData.coco128Subset(tmp.resolve("data"), 4);
        GoalHarness.Outcome twoDevices = run(Map.of("prune.data", data.toString(), "prune.candidates", "paper",
                "prune.devices", "local,ssh://pi@pi4"));
        assertTrue(twoDevices.failure() instanceof MojoExecutionException, twoDevices.userOutput());
        assertTrue(twoDevices.message().contains("prune.candidates=paper measures its rows on one device"),
                twoDevices.message());

        GoalHarness.Outcome o = run(Map.of("prune.data", data.toString(), "prune.candidates", "paper", "prune.imgsz",
                "128", "prune.fineTuneEpochs", "1", "prune.batch", "4", "prune.backend", "onnxruntime", "prune.warmup", "1",
                "prune.minMap50", "0.5"));
        assertNull(o.failure(), o.userOutput());
        assertTrue(o.userOutput().contains("the budgets are not applied to its rows"), o.userOutput());
        Path paper = tmp.resolve("target/prune/optimize/paper");
        String json = Files.readString(paper.resolve("paper.json"));
        for (String row : java.util.List.of("dynamic", "static", "unpruned")) {
            assertTrue(json.toLowerCase(java.util.Locale.ROOT).contains("\"" + row + "\""), row + " row in " + json);
        }
        assertTrue(Files.isRegularFile(paper.resolve("paper.html")) && Files.isRegularFile(paper.resolve("paper.md")));
        assertTrue(o.userOutput().contains("Paper study: " + paper.resolve("paper.html")), o.userOutput());
    }
}
