package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.checkpoint.Safetensors;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.train.ShapesDataset;
import io.github.edgeprune.yolo.ModelBundle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build stopped from outside (a real SIGTERM to a goal running in its own JVM: the JVM treats it as
 * Ctrl-C's SIGINT, running the same shutdown path, but a build started in the background, as CI's is,
 * inherits SIGINT ignored, so SIGINT alone did not stop it there), then run again.
 * What must hold does not depend on the moment the signal lands: what is on disk is complete
 * (earlier outputs or finished new ones, never a part under a final name), and the run after it
 * ends exactly where an uninterrupted one ends.
 */
class InterruptedBuildTest {

    @TempDir
    Path tmp;

    /** A goal in a child JVM; {@code killWhen} (may be null) sends SIGTERM at the first log line it accepts. */
    private static Run runGoal(String goal, Path project, Map<String, String> props, Predicate<String> killWhen)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                "-Dedgeprune.data=" + TestData.root(), GoalMain.class.getName(), goal, project.toString()));
        props.forEach((k, v) -> cmd.add(k + "=" + v));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        boolean killed = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (!killed && killWhen != null && killWhen.test(line)) {
                    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
                    killed = true;
                }
            }
        }
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), goal + " did not end");
        return new Run(p.exitValue(), lines, killed);
    }

    private record Run(int exit, List<String> log, boolean killed) {
        String text() {
            return String.join("\n", log);
        }
    }

    @Test
    void trainingStoppedMidRunResumesToTheUninterruptedEnd() throws Exception {
        Path data = ShapesDataset.generate(tmp.resolve("shapes"), 48, 16, 64, 3);
        Path yaml = ShapesDataset.writeTinyModelYaml(tmp.resolve("tiny.yaml"), 3);
        Map<String, String> props = new LinkedHashMap<>(Map.of("prune.model", yaml.toString(), "prune.data", data.toString(),
                "prune.epochs", "12", "prune.imgsz", "64", "prune.batch", "16", "prune.seed", "3", "prune.plots", "false"));

        Path whole = Files.createDirectories(tmp.resolve("whole"));
        Run a = runGoal("train-dynamic", whole, props, null);
        assertEquals(0, a.exit(), a.text());

        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Run b = runGoal("train-dynamic", broken, props, line -> line.contains("epoch 2/12"));
        // 12 epochs of about a second each, the signal sent as epoch 2 starts: it lands long before
        // the end even on a loaded machine (with 4 epochs a busy CI machine finished the run first)
        assertTrue(b.killed(), "the run was interrupted: " + b.text());
        assertTrue(b.exit() != 0, "an interrupted run does not exit 0: " + b.text());
        Path out = broken.resolve("target/prune/train");
        // on disk: the epochs that completed, whole
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        assertTrue(rows.size() >= 2 && rows.size() < 13, rows.toString());
        for (String row : rows.subList(1, rows.size())) {
            assertEquals(rows.get(0).split(",").length, row.split(",").length, "a complete row: " + row);
        }
        ModelBundle.read(out.resolve("last")); // a complete bundle
        System.out.println("[interrupt] training stopped after " + (rows.size() - 1) + " epoch(s), exit " + b.exit());

        Path broken2 = tmp.resolve("broken-copy"); // the same interrupted state, to resume a second time if needed
        copyTree(broken, broken2);
        Map<String, String> resume = new LinkedHashMap<>(props);
        resume.put("prune.resume", "true");
        Run c = runGoal("train-dynamic", broken, resume, null);
        assertEquals(0, c.exit(), c.text());
        assertTrue(c.text().contains("Resuming training from"), c.text());
        Path ref = whole.resolve("target/prune/train");
        byte[] uninterrupted = Files.readAllBytes(ref.resolve("results.csv"));
        byte[] resumed = Files.readAllBytes(out.resolve("results.csv"));
        if (!Arrays.equals(uninterrupted, resumed)) {
            // a broken resume ends apart consistently; the known gap (docs/training.md) does not:
            // now and then, under load, a same-seed run in a fresh JVM ends elsewhere. Run both again.
            Path again = Files.createDirectories(tmp.resolve("whole-again"));
            assertEquals(0, runGoal("train-dynamic", again, props, null).exit());
            Run c2 = runGoal("train-dynamic", broken2, resume, null);
            assertEquals(0, c2.exit(), c2.text());
            byte[] wholeAgain = Files.readAllBytes(again.resolve("target/prune/train/results.csv"));
            byte[] resumedAgain = Files.readAllBytes(broken2.resolve("target/prune/train/results.csv"));
            boolean consistent = Arrays.equals(uninterrupted, wholeAgain) && Arrays.equals(resumed, resumedAgain);
            Assumptions.assumeTrue(consistent, "not a resume defect: the runs themselves did not repeat (results.csv"
                    + " of two uninterrupted runs " + uninterrupted.length + "/" + wholeAgain.length + " bytes, of two"
                    + " resumes " + resumed.length + "/" + resumedAgain.length + "), the repeatability gap in"
                    + " docs/training.md");
        }
        assertArrayEquals(uninterrupted, resumed, "results.csv after resume");
        assertEquals(Safetensors.read(ref.resolve("last/weights.safetensors")).tensors().keySet(),
                Safetensors.read(out.resolve("last/weights.safetensors")).tensors().keySet());
        assertArrayEquals(Files.readAllBytes(ref.resolve("last/weights.safetensors")),
                Files.readAllBytes(out.resolve("last/weights.safetensors")), "last weights after resume");
    }

    @Test
    void exportStoppedMidWriteLeavesNoPartAndTheNextRunWritesItWhole() throws Exception {
        Map<String, String> fp16 = Map.of("prune.model", TestData.yolov5n().toString(), "prune.imgsz", "320",
                "prune.attach", "false");
        Map<String, String> fp32 = new LinkedHashMap<>(fp16);
        fp32.put("prune.precision", "FP32");

        Path ref = Files.createDirectories(tmp.resolve("ref"));
        assertEquals(0, runGoal("export-openvino", ref, fp32, null).exit());
        Map<String, byte[]> reference = files(ref.resolve("target/prune/openvino"));

        Path project = Files.createDirectories(tmp.resolve("project"));
        Run earlier = runGoal("export-openvino", project, fp16, null);
        assertEquals(0, earlier.exit(), earlier.text());
        Path dir = project.resolve("target/prune/openvino");
        Map<String, byte[]> before = files(dir);

        // the FP32 export replaces the FP16 one; stopped as soon as it starts writing
        Run b = runGoal("export-openvino", project, fp32, line -> line.contains("ONNX twin") || line.contains("IR written"));
        System.out.println("[interrupt] export: killed " + b.killed() + ", exit " + b.exit());
        Map<String, byte[]> after = files(dir);
        for (String name : List.of("yolov5n.xml", "yolov5n.bin", "yolov5n.onnx")) {
            byte[] now = after.get(name);
            assertTrue(now == null || Arrays.equals(now, before.get(name))
                    || Arrays.equals(now, reference.get(name)), name + " is the earlier file or the finished new one");
        }
        boolean complete = after.containsKey("yolov5n.fingerprint");
        if (complete) {
            // a fingerprint says the set is whole: xml and bin are one export's pair
            boolean old = Arrays.equals(after.get("yolov5n.xml"), before.get("yolov5n.xml"));
            assertArrayEquals(old ? before.get("yolov5n.bin") : reference.get("yolov5n.bin"), after.get("yolov5n.bin"));
        }

        Run again = runGoal("export-openvino", project, fp32, null);
        assertEquals(0, again.exit(), again.text());
        Map<String, byte[]> done = files(dir);
        for (String name : List.of("yolov5n.xml", "yolov5n.bin", "yolov5n.onnx", "metadata.yaml")) {
            assertArrayEquals(reference.get(name), done.get(name), name + " after the next run");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> hidden = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".yolov5n.")).toList();
            assertEquals(List.of(), hidden, "no staging folder is left after the next run");
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** The regular files directly in {@code dir}, by name. */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return m;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }
}
