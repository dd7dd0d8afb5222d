package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.device.SshdServer;
import io.github.edgeprune.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every goal on a corpus of bad inputs, as a user would meet them: each must fail the build with
 * one paragraph that names the file or the property and the problem, no stack trace in what the
 * user sees, and nothing half-written (what an earlier good run left in the output folders stays
 * byte for byte, and nothing new appears). docs/errors.md lists the same cases and messages.
 */
class BadInputCorpusTest {

    @TempDir
    static Path tmp;

    private static Path goodData;
    private static Path ir;
    private static SshdServer sshd;

    /** One bad input: the goal, its -D properties, and what the message must say. */
    private record Case(String id, String goal, Map<String, String> props, List<String> mustSay) {
    }

    @BeforeAll
    static void inputs() throws Exception {
        goodData = dataSet(tmp.resolve("good-data"), 3);
        ir = TestData.file("openvino-ir/yolov5n_openvino_model/yolov5n.xml");
        if (SshdServer.unavailableReason() == null) {
            sshd = SshdServer.start(Files.createDirectories(tmp.resolve("sshd")));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    private static Path dataSet(Path root, int n) throws IOException {
        return TestData.coco128Subset(root, n);
    }

    /** The data set with the first train label file replaced by {@code line}. */
    private static String withLabel(String name, String line) throws IOException {
        Path root = tmp.resolve(name);
        Path yaml = dataSet(root, 3);
        Path labels = root.resolve("labels/train");
        Path first;
        try (Stream<Path> s = Files.list(labels)) {
            first = s.sorted().findFirst().orElseThrow();
        }
        Files.writeString(first, "45 0.5 0.5 0.2 0.2\n" + line + "\n");
        return yaml.toString();
    }

    private static Path file(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve("inputs").resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    private static byte[] head(Path p, int n) throws IOException {
        byte[] all = Files.readAllBytes(p);
        return java.util.Arrays.copyOf(all, Math.min(n, all.length));
    }

    private static Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path p = tmp.resolve("inputs").resolve(name);
        Files.createDirectories(p.getParent());
        try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    /** An IR folder: the Intel-converted xml changed by {@code edit}, and {@code binBytes} of its .bin (-1: none). */
    private static Path irVariant(String name, java.util.function.UnaryOperator<String> edit, int binBytes) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ir-" + name));
        Path xml = dir.resolve("yolov5n.xml");
        Files.writeString(xml, edit.apply(Files.readString(ir)));
        Path bin = ir.resolveSibling("yolov5n.bin");
        if (binBytes < 0) {
            return xml;
        }
        Files.write(dir.resolve("yolov5n.bin"), binBytes == Integer.MAX_VALUE ? Files.readAllBytes(bin) : head(bin, binBytes));
        return xml;
    }

    private static Map<String, String> props(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<Case> corpus() throws Exception {
        String pt = TestData.yolov5n().toString();
        String data = goodData.toString();
        List<Case> c = new ArrayList<>();
        // --- the model file (prune-static reads it as every model-taking goal does) ---
        Path truncated = file("truncated.pt", head(TestData.yolov5n(), 1_000_000));
        c.add(new Case("truncated .pt", "prune-static", props("prune.model", truncated.toString()),
                List.of("truncated.pt")));
        Path notCkpt = zip("notes.pt", Map.of("notes/readme.txt", "not a model".getBytes(StandardCharsets.UTF_8)));
        c.add(new Case("a zip that is not a checkpoint", "prune-static", props("prune.model", notCkpt.toString()),
                List.of("notes.pt", "data.pkl")));
        // protocol 2; GLOBAL os.system; MARK; SHORT_BINUNICODE "echo pwned"; TUPLE; REDUCE; STOP
        byte[] evil = {(byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', '(', (byte) 0x8c, 10,
                'e', 'c', 'h', 'o', ' ', 'p', 'w', 'n', 'e', 'd', 't', 'R', '.'};
        Path evilPt = zip("evil.pt", Map.of("archive/data.pkl", evil, "archive/version", "3\n".getBytes(StandardCharsets.UTF_8)));
        c.add(new Case("a checkpoint pickle with a refused global", "prune-static", props("prune.model", evilPt.toString()),
                List.of("evil.pt", "refusing to load global 'os.system'")));
        c.add(new Case("a model path that does not exist", "prune-static",
                props("prune.model", tmp.resolve("nowhere/yolov5x.pt").toString()), List.of("yolov5x.pt")));
        Path folder = Files.createDirectories(tmp.resolve("inputs/just-a-folder"));
        c.add(new Case("a model path that is a folder", "prune-static", props("prune.model", folder.toString()),
                List.of("just-a-folder")));
        c.add(new Case("convSparsity 1.5", "prune-static", props("prune.model", pt, "prune.convSparsity", "1.5"),
                List.of("prune.convSparsity", "1.5")));
        c.add(new Case("bnSparsity -0.1", "prune-static", props("prune.model", pt, "prune.bnSparsity", "-0.1"),
                List.of("prune.bnSparsity", "-0.1")));
        c.add(new Case("convSparsity NaN", "prune-static", props("prune.model", pt, "prune.convSparsity", "NaN"),
                List.of("prune.convSparsity", "NaN")));
        c.add(new Case("an unknown scope", "prune-static", props("prune.model", pt, "prune.scope", "sideways"),
                List.of("prune.scope", "sideways")));
        Path blocker = file("a-file", "x".getBytes(StandardCharsets.UTF_8));
        c.add(new Case("an output folder that cannot be created", "prune-static",
                props("prune.model", pt, "prune.staticOutput", blocker.resolve("static").toString()),
                List.of("a-file", "a file is in the way")));

        // --- channel pruning targets ---
        c.add(new Case("targetFlops 1.5", "prune-channels", props("prune.model", pt, "prune.targetFlops", "1.5"),
                List.of("prune.targetFlops", "1.5")));
        c.add(new Case("targetFlops NaN", "prune-channels", props("prune.model", pt, "prune.targetFlops", "NaN"),
                List.of("prune.targetFlops", "NaN")));
        c.add(new Case("both channel targets", "prune-channels",
                props("prune.model", pt, "prune.targetFlops", "0.5", "prune.channelRatio", "0.2"),
                List.of("prune.targetFlops", "prune.channelRatio", "not both")));
        c.add(new Case("channelRatio 1", "prune-channels", props("prune.model", pt, "prune.channelRatio", "1"),
                List.of("prune.channelRatio", "[0, 1)")));
        c.add(new Case("an unknown importance", "prune-channels", props("prune.model", pt, "prune.importance", "fame"),
                List.of("prune.importance", "fame")));
        c.add(new Case("roundTo 0", "prune-channels", props("prune.model", pt, "prune.roundTo", "0"),
                List.of("prune.roundTo", "0")));
        c.add(new Case("a targetFlops that rounding cannot reach", "prune-channels",
                props("prune.model", pt, "prune.targetFlops", "0.01", "prune.imgsz", "320"),
                List.of("prune.targetFlops 0.010 cannot be met", "prune.roundTo=8")));
        c.add(new Case("a channelRatio that rounding cannot reach", "prune-channels",
                props("prune.model", pt, "prune.channelRatio", "0.99", "prune.imgsz", "320"),
                List.of("prune.channelRatio 0.990 cannot be met", "prune.roundTo=8")));

        c.add(new Case("maxMapDrop without data", "prune-channels", props("prune.model", pt, "prune.maxMapDrop", "0.02"),
                List.of("prune.maxMapDrop needs prune.data")));
        c.add(new Case("maxMapDrop 2", "prune-channels",
                props("prune.model", pt, "prune.maxMapDrop", "2", "prune.data", data), List.of("prune.maxMapDrop", "2.0")));

        // --- the data set (train-dynamic checks it before any work) ---
        String[] train = {"prune.model", "yolov5n", "prune.epochs", "1", "prune.imgsz", "64", "prune.workers", "1",
                "prune.plots", "false"};
        Path malformed = file("malformed.yaml", "train: [images/train\nnames: {0: a\n".getBytes(StandardCharsets.UTF_8));
        c.add(new Case("a malformed data yaml", "train-dynamic", withData(train, malformed.toString()),
                List.of("malformed.yaml", "line 2, column 6")));
        Path noImages = file("no-images.yaml", ("path: " + tmp.resolve("inputs/no-such-set") + "\ntrain: images/train\n"
                + "val: images/val\nnc: 1\nnames: [a]\n").getBytes(StandardCharsets.UTF_8));
        c.add(new Case("a data yaml whose image folder is missing", "train-dynamic", withData(train, noImages.toString()),
                List.of("no-images.yaml", "images/train")));
        Path emptyRoot = Files.createDirectories(tmp.resolve("inputs/empty-set/images/train"));
        Files.createDirectories(emptyRoot.resolveSibling("val"));
        Path empty = file("empty.yaml", ("path: " + emptyRoot.getParent().getParent() + "\ntrain: images/train\n"
                + "val: images/val\nnc: 1\nnames: [a]\n").getBytes(StandardCharsets.UTF_8));
        c.add(new Case("a data yaml whose image folder is empty", "train-dynamic", withData(train, empty.toString()),
                List.of("empty.yaml", "no images")));
        c.add(new Case("a label line with 4 fields", "train-dynamic", withData(train, withLabel("l-fields", "3 0.5 0.5 0.1")),
                List.of(".txt:2", "expected 5 fields")));
        c.add(new Case("a label class out of range", "train-dynamic", withData(train, withLabel("l-class", "80 0.5 0.5 0.1 0.1")),
                List.of(".txt", "80")));
        c.add(new Case("a label coordinate outside [0,1]", "train-dynamic",
                withData(train, withLabel("l-coord", "3 1.5 0.5 0.1 0.1")), List.of(".txt", "1.5")));
        c.add(new Case("a NaN in a label", "train-dynamic", withData(train, withLabel("l-nan", "3 NaN 0.5 0.1 0.1")),
                List.of(".txt", "NaN")));
        c.add(new Case("a negative label value", "train-dynamic", withData(train, withLabel("l-neg", "3 0.5 0.5 -0.2 0.1")),
                List.of(".txt", "-0.2")));
        Path fakeRoot = tmp.resolve("fake-jpg");
        Path fakeYaml = dataSet(fakeRoot, 2);
        Files.writeString(fakeRoot.resolve("images/train/zz-not-an-image.jpg"), "<html>this is not a JPEG</html>");
        c.add(new Case("a .jpg that is not an image", "train-dynamic", withData(train, fakeYaml.toString()),
                List.of("zz-not-an-image.jpg")));
        c.add(new Case("imgsz 0", "train-dynamic", withData(set(train, "prune.imgsz", "0"), data),
                List.of("prune.imgsz", "0")));
        c.add(new Case("imgsz negative", "train-dynamic", withData(set(train, "prune.imgsz", "-64"), data),
                List.of("prune.imgsz", "-64")));
        c.add(new Case("epochs 0", "train-dynamic", withData(set(train, "prune.epochs", "0"), data),
                List.of("prune.epochs")));
        c.add(new Case("bnSparsity NaN in training", "train-dynamic", withData(set(train, "prune.bnSparsity", "NaN"), data),
                List.of("prune.bnSparsity", "NaN")));
        c.add(new Case("bnL1 NaN", "train-dynamic", withData(set(train, "prune.bnL1", "NaN"), data),
                List.of("prune.bnL1", "NaN")));
        c.add(new Case("a negative bnL1", "train-dynamic", withData(set(train, "prune.bnL1", "-0.001"), data),
                List.of("prune.bnL1 must be a number >= 0", "-0.001")));
        c.add(new Case("an unknown schedule", "train-dynamic", withData(set(train, "prune.schedule", "weekly"), data),
                List.of("prune.schedule", "weekly")));

        // --- the exported model ---
        c.add(new Case("imgsz not a multiple of 32", "export-openvino", props("prune.model", pt, "prune.imgsz", "100"),
                List.of("prune.imgsz", "100", "32")));
        c.add(new Case("imgsz 0 for export", "export-openvino", props("prune.model", pt, "prune.imgsz", "0"),
                List.of("prune.imgsz", "0")));
        c.add(new Case("an unknown precision", "export-openvino", props("prune.model", pt, "prune.precision", "INT4"),
                List.of("prune.precision", "INT4")));
        c.add(new Case("INT8 without calibration data", "export-openvino", props("prune.model", pt, "prune.precision",
                "INT8"), List.of("prune.precision=INT8 needs calibration data", "prune.data")));
        c.add(new Case("INT8 with 0 calibration images", "export-openvino", props("prune.model", pt, "prune.precision",
                "INT8", "prune.data", data, "prune.calibrationImages", "0"), List.of("prune.calibrationImages", "0")));
        c.add(new Case("an unknown calibration method", "export-openvino", props("prune.model", pt, "prune.precision",
                "INT8", "prune.data", data, "prune.calibration", "entropy"), List.of("prune.calibration", "entropy")));

        // --- an IR read back (evaluate runs it) ---
        Path truncatedXml = irVariant("truncated", x -> x.substring(0, x.length() / 2), Integer.MAX_VALUE);
        c.add(new Case("an IR whose xml is truncated", "evaluate", props("prune.model", truncatedXml.toString(),
                "prune.data", data, "prune.imgsz", "640"), List.of("yolov5n.xml")));
        Path noBin = irVariant("nobin", x -> x, -1);
        c.add(new Case("an IR whose .bin is missing", "evaluate", props("prune.model", noBin.toString(), "prune.data", data,
                "prune.imgsz", "640"), List.of("yolov5n.bin")));
        Path shortBin = irVariant("shortbin", x -> x, 4096);
        c.add(new Case("an IR whose .bin is shorter than its offsets", "evaluate", props("prune.model", shortBin.toString(),
                "prune.data", data, "prune.imgsz", "640"), List.of("yolov5n.bin")));
        Path unknownOp = irVariant("unknownop", x -> x.replaceFirst("type=\"Sigmoid\"", "type=\"FancyActivation\""),
                Integer.MAX_VALUE);
        c.add(new Case("an IR that holds an unknown op", "evaluate", props("prune.model", unknownOp.toString(),
                "prune.data", data, "prune.imgsz", "640"), List.of("yolov5n.xml", "FancyActivation")));
        c.add(new Case("iou NaN", "evaluate", props("prune.model", pt, "prune.data", data, "prune.iou", "NaN"),
                List.of("prune.iou", "NaN")));

        // --- the device and the budgets ---
        String[] verify = {"prune.model", ir.toString(), "prune.data", data};
        c.add(new Case("a NaN budget", "verify-on-device", with(verify, "prune.minMap50", "NaN"),
                List.of("prune.minMap50", "NaN")));
        c.add(new Case("a negative budget", "verify-on-device", with(verify, "prune.maxLatencyMs", "-5"),
                List.of("prune.maxLatencyMs", "-5")));
        c.add(new Case("an unknown device scheme", "verify-on-device", with(verify, "prune.device", "ftp://pi.local"),
                List.of("prune.device", "ftp://pi.local")));
        c.add(new Case("a device named twice in prune.devices", "verify-on-device",
                with(verify, "prune.devices", "local,local"), List.of("prune.devices", "local", "twice")));
        c.add(new Case("an unknown device scheme in prune.devices", "optimize", props("prune.model", pt, "prune.data",
                data, "prune.devices", "local,ftp://pi.local"), List.of("prune.devices", "ftp://pi.local")));
        c.add(new Case("an unknown backend", "verify-on-device", with(verify, "prune.backend", "tensorrt"),
                List.of("prune.backend", "tensorrt")));
        c.add(new Case("an IR to verify that does not exist", "verify-on-device",
                props("prune.model", tmp.resolve("gone/model.xml").toString(), "prune.data", data), List.of("model.xml")));
        if (sshd != null) {
            int closed = freePort();
            c.add(new Case("SSH to a closed port", "verify-on-device", with(verify, "prune.device",
                    "ssh://pi@127.0.0.1:" + closed, "prune.connectTimeout", "5", "prune.identityFile",
                    sshd.userKey().toString()), List.of("127.0.0.1:" + closed, "connection refused")));
            Path wrong = sshd.newKey("corpus_wrong_key");
            Path kh = sshd.writeKnownHosts(tmp.resolve("corpus_known_hosts"));
            c.add(new Case("SSH with a wrong key", "verify-on-device", with(verify, "prune.device",
                    "ssh://" + sshd.user() + "@127.0.0.1:" + sshd.port(), "prune.identityFile", wrong.toString(),
                    "prune.knownHosts", kh.toString()), List.of("corpus_wrong_key", "prune.identityFile")));
        }
        return c;
    }

    private static Map<String, String> withData(String[] base, String data) {
        Map<String, String> m = props(base);
        m.put("prune.data", data);
        return m;
    }

    private static String[] set(String[] base, String key, String value) {
        String[] out = base.clone();
        for (int i = 0; i < out.length; i += 2) {
            if (out[i].equals(key)) {
                out[i + 1] = value;
                return out;
            }
        }
        String[] longer = java.util.Arrays.copyOf(out, out.length + 2);
        longer[out.length] = key;
        longer[out.length + 1] = value;
        return longer;
    }

    private static Map<String, String> with(String[] base, String... kv) {
        Map<String, String> m = props(base);
        m.putAll(props(kv));
        return m;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputGetsAClearErrorAndLeavesEarlierOutputsIntact() throws Exception {
        List<Case> corpus = corpus();
        assertTrue(corpus.size() >= 30, "the corpus has " + corpus.size() + " cases");
        int[] n = {0};
        return corpus.stream().map(c -> DynamicTest.dynamicTest(c.goal() + ": " + c.id(), () -> check(c, n[0]++)));
    }

    private static void check(Case c, int index) throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project-" + index));
        Path out = project.resolve("target/prune");
        // what an earlier, good run left in every goal's folder
        for (String sub : List.of("static", "channels", "train", "openvino", "reports", "eval")) {
            Files.createDirectories(out.resolve(sub));
            Files.writeString(out.resolve(sub).resolve("earlier-good-output.txt"), "kept " + sub);
        }
        Map<String, String> before = snapshot(out);

        GoalHarness.Outcome o = GoalHarness.run(c.goal(), project, c.props());
        System.out.println("[corpus] " + c.goal() + " / " + c.id() + ": " + o.message());

        assertNotNull(o.failure(), c.id() + ": the build passed");
        assertTrue(o.failure() instanceof org.apache.maven.plugin.MojoExecutionException
                || o.failure() instanceof org.apache.maven.plugin.MojoFailureException,
                c.id() + ": " + o.failure().getClass().getName() + " escaped the goal (Maven would print it as an internal"
                        + " error with a trace): " + o.message());
        String m = o.message();
        assertNotNull(m, c.id());
        for (String s : c.mustSay()) {
            assertTrue(m.contains(s), c.id() + ": the message should name '" + s + "': " + m);
        }
        assertFalse(m.contains("\n\n"), c.id() + ": more than one paragraph: " + m);
        assertTrue(m.length() < 1200, c.id() + ": " + m.length() + " characters: " + m);
        String seen = o.userOutput();
        assertFalse(seen.contains("\tat ") || seen.matches("(?s).*\\bat [a-z]+\\.[\\w.$]+\\(.*"),
                c.id() + ": a stack trace in the user's output:\n" + seen);
        assertFalse(seen.matches("(?s).*\\b(java|javax|ai\\.djl|org\\.yaml)\\.[\\w.]*(Exception|Error)\\b.*"),
                c.id() + ": a Java exception class in the user's output:\n" + seen);
        assertEquals(before, snapshot(out), c.id() + ": the output folders changed");
    }

    /** Every regular file under {@code dir} with the SHA-256 of its bytes. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(p).toString(), io.github.edgeprune.util.Fingerprint.sha256(p));
            }
        }
        return files;
    }
}
