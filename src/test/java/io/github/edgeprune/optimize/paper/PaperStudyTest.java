package io.github.edgeprune.optimize.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.optimize.OptimizeException;
import io.github.edgeprune.optimize.OptimizeJob;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.prune.Sparsity;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The paper's study end to end, CI-sized: yolov5n.pt fine-tuned 1 epoch on 8 real COCO128 images at
 * 160 px for each row, exported, and measured on this machine with ONNX Runtime. The second test
 * re-runs it on the first one's folder and must find everything up to date; the third runs it on 4
 * traffic images (5 classes: a transferred model with a new head) at 128 px.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PaperStudyTest {

    @TempDir
    static Path tmp;

    static Path data;
    static PaperStudy.Outcome first;

    static PaperStudy.Settings settings() throws Exception {
        if (data == null) {
            data = TestData.coco128Subset(tmp.resolve("data"), 8);
        }
        OptimizeJob.Device device = OptimizeJob.Device.local("onnxruntime", AgentClassPath.local()).withWarmup(2)
                .withJvmArgs(List.of("-Xmx2g"));
        return PaperStudy.Settings.of(TestData.yolov5n().toString(), Path.of("."), data.toString(), tmp.resolve("optimize"),
                device).withImgsz(160).withEpochs(1).withBatch(8).withSeed(3);
    }

    @Test
    @Order(1)
    void comparesStaticAndDynamicPruningAtThePapersAmounts() throws Exception {
        first = PaperStudy.run(settings(), Log.console());

        assertEquals(List.of(PaperMethod.DYNAMIC, PaperMethod.STATIC, PaperMethod.UNPRUNED),
                first.rows().stream().map(PaperRow::method).toList(), "the paper's columns, then the unpruned row");
        for (PaperMethod m : List.of(PaperMethod.DYNAMIC, PaperMethod.STATIC)) {
            PaperRow r = first.row(m);
            // the paper's yolov5n figures: 20 % of the Conv2d and 9.91 % of the BatchNorm2d weights
            assertEquals("20.00", percent(r.convSparsity()), m + " Conv2d sparsity");
            assertEquals("9.91", percent(r.bnSparsity()), m + " BatchNorm2d sparsity");
            // measured on the fine-tuned weights themselves, not taken from a record
            Sparsity measured = sparsityOf(r.bundle());
            assertEquals("20.00", percent(measured.conv()), m + " Conv2d zeros in the final weights");
            assertEquals("9.91", percent(measured.batchNorm()), m + " BatchNorm2d zeros in the final weights");
            assertTrue(r.irConvZeroShare() > 0.15, m + ": the IR keeps the zeros (" + r.irConvZeroShare() + ")");
        }
        PaperRow unpruned = first.row(PaperMethod.UNPRUNED);
        assertTrue(unpruned.convSparsity() < 0.01 && unpruned.bnSparsity() < 0.01,
                "the unpruned row is not pruned: " + unpruned.convSparsity() + " / " + unpruned.bnSparsity());

        for (PaperRow r : first.rows()) {
            assertTrue(r.map50() >= 0 && r.map50() <= 1, r.method() + " mAP50 " + r.map50());
            assertEquals(8, r.latency().count(), r.method() + ": one latency per val image");
            assertTrue(r.medianMs() > 0, r.method() + " median ms");
            assertTrue(r.peakMemoryMb() > 0, r.method() + " peak memory");
            assertEquals("onnxruntime", r.backend());
            assertTrue(r.trainedNow() && r.measuredNow(), r.method() + " was trained and measured in this run");
            assertTrue(Files.isRegularFile(r.ir()), r.ir().toString());
            assertTrue(r.ir().startsWith(tmp.resolve("optimize/paper").resolve(r.method().id())), r.ir().toString());
        }
        assertEquals(new PaperStudy.Counters(1, 0, 3, 0, 3, 0, 3, 0), first.counters());

        // paper.json: every row with the three measures
        JsonObject json = JsonParser.parseString(Files.readString(first.files().json())).getAsJsonObject();
        JsonArray rows = json.getAsJsonArray("rows");
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            JsonObject r = rows.get(i).getAsJsonObject();
            assertEquals(first.rows().get(i).method().id(), r.get("method").getAsString());
            assertEquals(first.rows().get(i).map50(), r.get("map50").getAsDouble(), 1e-12);
            assertEquals(first.rows().get(i).medianMs(), r.getAsJsonObject("inferenceMs").get("median").getAsDouble(),
                    1e-9);
            assertEquals(first.rows().get(i).peakMemoryMb(), r.get("peakMemoryMb").getAsDouble(), 1e-9);
        }
        assertEquals(1, json.getAsJsonObject("settings").get("epochs").getAsInt());

        // paper.html: well-formed, the table and a bar per row in each of the three charts, no scripts
        String html = Files.readString(first.files().html());
        assertFalse(html.contains("<script"), "no scripts");
        Document doc = parse(first.files().html());
        assertEquals(3, doc.getElementsByTagName("svg").getLength(), "mAP50, ms and memory charts");
        assertEquals(9, html.split("class=\"bar\"", -1).length - 1, "three bars in each chart");
        assertTrue(html.contains("id=\"paper-table\""));
        String md = Files.readString(first.files().markdown());
        assertTrue(md.startsWith("| yolov5n.pt, data.yaml, 160 px, 1 epoch | dynamic pruning | static pruning |"), md);
        assertTrue(md.contains("| mAP50 |") && md.contains("| inference ms (median) |") && md.contains("| peak memory MB |"),
                md);
    }

    @Test
    @Order(2)
    void aRerunTrainsAndMeasuresNothing() throws Exception {
        assertNotNull(first, "needs the first test's run");
        List<String> lines = new java.util.ArrayList<>();
        PaperStudy.Outcome again = PaperStudy.run(settings(), new Log() {
            @Override
            public void info(String message) {
                lines.add(message);
            }

            @Override
            public void warn(String message) {
                lines.add(message);
            }
        });
        assertEquals(new PaperStudy.Counters(0, 1, 0, 3, 0, 3, 0, 3), again.counters());
        assertTrue(again.counters().nothingRedone());
        assertTrue(lines.stream().anyMatch(l -> l.contains("nothing re-trained or re-measured")), "the run says so");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[paper 3/3 dynamic] fine-tuning up to date")), "per row");
        for (int i = 0; i < 3; i++) {
            PaperRow a = first.rows().get(i);
            PaperRow b = again.rows().get(i);
            assertFalse(b.trainedNow() || b.measuredNow(), b.method() + " came from the first run");
            assertEquals(a.map50(), b.map50(), 0, b.method() + " mAP50");
            assertEquals(a.medianMs(), b.medianMs(), 0, b.method() + " median ms");
            assertEquals(a.peakMemoryMb(), b.peakMemoryMb(), 0, b.method() + " peak memory");
            assertEquals(a.convSparsity(), b.convSparsity(), 0, b.method() + " sparsity");
        }
    }

    @Test
    @Order(3)
    void staticPruningOfAnotherNcPrunesTheNewHeadToo() throws Exception {
        // 5 classes against yolov5n's 80: training starts from a transferred model with a new head, and the
        // paper prunes the model training starts from, so the static row's Conv2d zeros are 20 % with the head
        Path traffic = trafficSubset(tmp.resolve("traffic"), 4);
        OptimizeJob.Device device = OptimizeJob.Device.local("onnxruntime", AgentClassPath.local()).withWarmup(1)
                .withJvmArgs(List.of("-Xmx2g"));
        PaperStudy.Outcome out = PaperStudy.run(PaperStudy.Settings.of(TestData.yolov5n().toString(), Path.of("."),
                traffic.toString(), tmp.resolve("optimize-traffic"), device).withImgsz(128).withEpochs(1).withBatch(4),
                Log.console());
        for (PaperMethod m : List.of(PaperMethod.DYNAMIC, PaperMethod.STATIC)) {
            PaperRow r = out.row(m);
            Sparsity measured = sparsityOf(r.bundle());
            assertEquals("20.00", percent(measured.conv()), m + " Conv2d zeros, the 5-class head included");
            assertEquals("9.91", percent(measured.batchNorm()), m + " BatchNorm2d zeros");
            assertEquals(5, ModelLoader.load(r.bundle().toString(), Path.of("."), 0, Log.silent()).architecture().nc());
        }
        assertEquals(3, out.counters().trainings());
    }

    @Test
    @Order(4)
    void refusesBadSettingsNamingTheProperty() throws Exception {
        PaperStudy.Settings s = settings();
        OptimizeException epochs = assertThrows(OptimizeException.class, () -> s.withEpochs(0));
        assertTrue(epochs.getMessage().contains("prune.fineTuneEpochs"), epochs.getMessage());
        OptimizeException size = assertThrows(OptimizeException.class, () -> s.withImgsz(100));
        assertTrue(size.getMessage().contains("prune.imgsz"), size.getMessage());
        OptimizeException amount = assertThrows(OptimizeException.class, () -> s.withAmounts(1.5, 0.1));
        assertTrue(amount.getMessage().contains("prune.convSparsity"), amount.getMessage());

        PaperStudy.Settings noData = PaperStudy.Settings.of(s.model(), s.baseDir(), tmp.resolve("missing.yaml").toString(),
                tmp.resolve("bad"), s.device());
        OptimizeException missing = assertThrows(OptimizeException.class, () -> PaperStudy.run(noData, Log.silent()));
        assertTrue(missing.getMessage().startsWith("prune.data: no such data yaml"), missing.getMessage());
        assertFalse(Files.exists(tmp.resolve("bad/paper")), "refused before anything is written");
    }

    @Test
    @Order(5)
    void usesThePapersAmountsForEachModel() {
        assertEquals(List.of(0.2, 0.1), List.of(PaperStudy.paperAmounts("models/yolov5n.pt")[0],
                PaperStudy.paperAmounts("models/yolov5n.pt")[1]));
        assertEquals(List.of(0.4, 0.3), List.of(PaperStudy.paperAmounts("yolov5m.pt")[0],
                PaperStudy.paperAmounts("yolov5m.pt")[1]));
    }

    /** The first {@code n} traffic train and val images with their labels, and a data yaml of its 5 classes. */
    private static Path trafficSubset(Path root, int n) throws Exception {
        Path traffic = TestData.file("traffic");
        for (String split : List.of("train", "val")) {
            Files.createDirectories(root.resolve("images").resolve(split));
            Files.createDirectories(root.resolve("labels").resolve(split));
            List<Path> images;
            try (var files = Files.list(traffic.resolve("images").resolve(split))) {
                images = files.sorted().limit(n).toList();
            }
            for (Path img : images) {
                Files.copy(img, root.resolve("images").resolve(split).resolve(img.getFileName()));
                String label = img.getFileName().toString().replaceFirst("\\.jpg$", ".txt");
                Path l = traffic.resolve("labels").resolve(split).resolve(label);
                if (Files.exists(l)) {
                    Files.copy(l, root.resolve("labels").resolve(split).resolve(label));
                }
            }
        }
        Path yaml = root.resolve("traffic.yaml");
        Files.writeString(yaml, "path: " + root + "\ntrain: images/train\nval: images/val\nnc: 5\n"
                + "names: ['bus', 'car', 'motorbike', 'person', 'truck']\n");
        return yaml;
    }

    private static Sparsity sparsityOf(Path bundle) {
        YoloModel m = ModelLoader.load(bundle.toString(), Path.of("."), 0, Log.silent());
        return Sparsity.of(m.stateDict(), PruneTargets.of(m.graph(160)));
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.2f", 100 * share);
    }

    static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(file.toFile());
    }
}
