package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.edgeprune.train.ShapesDataset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where outputs go: without a POM under ./target/prune of the current folder (never a folder
 * named after an unfilled ${...}), and every goal's own folder follows prune.outputDirectory.
 */
class OutputPathsTest {

    @TempDir
    Path tmp;

    @TempDir
    static Path inputs;

    private static Path tinyYaml;
    private static Path shapes;
    private static Path ir;

    @BeforeAll
    static void inputs() throws Exception {
        shapes = ShapesDataset.generate(inputs.resolve("shapes"), 16, 8, 64, 3);
        tinyYaml = ShapesDataset.writeTinyModelYaml(inputs.resolve("tiny.yaml"), 3);
        GoalHarness.Outcome o = GoalHarness.run("export-openvino", inputs, Map.of("prune.model",
                TestData.yolov5n().toString(), "prune.imgsz", "320", "prune.attach", "false", "prune.onnx", "false",
                "prune.outputDirectory", inputs.resolve("ir").toString()));
        assertNull(o.failure(), o.userOutput());
        ir = inputs.resolve("ir/openvino/yolov5n.xml");
    }

    /** What each goal is given, the smallest run that still writes its usual outputs. */
    private static Map<String, String> propsFor(String goal) {
        return switch (goal) {
            case "prune-static" -> Map.of("prune.model", TestData.yolov5n().toString());
            case "prune-channels" -> Map.of("prune.model", TestData.yolov5n().toString(), "prune.imgsz", "320");
            case "train-dynamic" -> Map.of("prune.model", tinyYaml.toString(), "prune.data", shapes.toString(),
                    "prune.epochs", "1", "prune.imgsz", "64", "prune.batch", "8", "prune.plots", "false");
            case "export-openvino" -> Map.of("prune.model", TestData.yolov5n().toString(), "prune.imgsz", "320",
                    "prune.attach", "false", "prune.onnx", "false");
            case "evaluate" -> Map.of("prune.model", ir.toString(), "prune.data", TestData.coco128Yaml().toString(),
                    "prune.imgsz", "320", "prune.maxImages", "2");
            case "verify-on-device" -> Map.of("prune.model", ir.toString(), "prune.data",
                    TestData.coco128Yaml().toString(), "prune.maxImages", "2", "prune.warmup", "1",
                    "prune.iterations", "2", "prune.backend", "djl");
            default -> throw new IllegalArgumentException(goal);
        };
    }

    /** The file each goal always writes, relative to prune.outputDirectory. */
    private static String outputOf(String goal) {
        return switch (goal) {
            case "prune-static" -> "static/weights.safetensors";
            case "prune-channels" -> "channels/weights.safetensors";
            case "train-dynamic" -> "train/results.csv";
            case "export-openvino" -> "openvino/yolov5n.xml";
            case "evaluate" -> "evaluate.json";
            case "verify-on-device" -> "reports/verify.json";
            default -> throw new IllegalArgumentException(goal);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"prune-static", "prune-channels", "train-dynamic", "export-openvino", "evaluate", "verify-on-device"})
    void everyGoalWithoutAPomWritesUnderTargetPruneOrTheOutputDirectory(String goal) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        GoalHarness.Outcome o = GoalHarness.run(goal, empty, propsFor(goal), false);
        assertNull(o.failure(), o.userOutput());
        assertTrue(Files.isRegularFile(empty.resolve("target/prune").resolve(outputOf(goal))), o.userOutput());
        assertFalse(anyPlaceholderFolder(empty), "a folder named ${...} was created");

        Path other = Files.createDirectories(tmp.resolve("other"));
        Map<String, String> moved = new LinkedHashMap<>(propsFor(goal));
        moved.put("prune.outputDirectory", "out");
        GoalHarness.Outcome m = GoalHarness.run(goal, other, moved, false);
        assertNull(m.failure(), m.userOutput());
        assertTrue(Files.isRegularFile(other.resolve("out").resolve(outputOf(goal))), m.userOutput());
        assertFalse(Files.exists(other.resolve("target")), "nothing under ./target when prune.outputDirectory is set");
    }

    private static boolean anyPlaceholderFolder(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.anyMatch(p -> p.getFileName() != null && p.getFileName().toString().contains("${"));
        }
    }

    @Test
    void withoutAPomOutputsGoUnderTheCurrentFoldersTargetPrune() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-folder"));
        GoalHarness.Outcome o = GoalHarness.run("prune-static", empty,
                Map.of("prune.model", TestData.yolov5n().toString()), false);
        assertNull(o.failure(), o.userOutput());
        assertTrue(Files.isRegularFile(empty.resolve("target/prune/static/weights.safetensors")), o.userOutput());
        assertFalse(anyPlaceholderFolder(empty), "a folder named ${...} was created");
        assertTrue(o.userOutput().contains(empty.resolve("target/prune/static").toString()),
                "the log says where the bundle went: " + o.userOutput());
    }

    @Test
    void outputDirectoryMovesEveryGoalsFolder() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("elsewhere"));
        GoalHarness.Outcome o = GoalHarness.run("prune-static", empty,
                Map.of("prune.model", TestData.yolov5n().toString(), "prune.outputDirectory", "out"), false);
        assertNull(o.failure(), o.userOutput());
        assertTrue(Files.isRegularFile(empty.resolve("out/static/weights.safetensors")), o.userOutput());
        assertFalse(Files.exists(empty.resolve("target")), "nothing under ./target when prune.outputDirectory is set");

        // with a POM: the same rule under the project's own build folder
        Path project = Files.createDirectories(tmp.resolve("project"));
        GoalHarness.Outcome p = GoalHarness.run("export-openvino", project, Map.of("prune.model",
                TestData.yolov5n().toString(), "prune.imgsz", "320", "prune.attach", "false", "prune.onnx", "false",
                "prune.outputDirectory", project.resolve("moved").toString()));
        assertNull(p.failure(), p.userOutput());
        assertTrue(Files.isRegularFile(project.resolve("moved/openvino/yolov5n.xml")), p.userOutput());
        assertFalse(anyPlaceholderFolder(project));
    }
}
