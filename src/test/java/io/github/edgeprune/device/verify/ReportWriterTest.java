package io.github.edgeprune.device.verify;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.github.edgeprune.device.DeviceFacts;
import io.github.edgeprune.device.MemoryProfile;
import io.github.edgeprune.device.MemorySample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {

    @TempDir
    Path dir;

    static VerifyReport sample(boolean runFailed) {
        Random rnd = new Random(7);
        double[] lat = new double[128];
        double[] frame = new double[128];
        for (int i = 0; i < lat.length; i++) {
            lat[i] = 180 + 25 * rnd.nextGaussian() + (i % 40 == 0 ? 90 : 0);
            frame[i] = lat[i] + 22 + 3 * rnd.nextDouble();
        }
        List<MemorySample> series = new ArrayList<>();
        for (int t = 0; t <= 30; t++) {
            series.add(new MemorySample(t + 0.02, t < 3 ? 60 + 40 * t : 182 + 3 * Math.sin(t)));
        }
        MemoryProfile mem = new MemoryProfile(series, 186.4, 186.4, 3794.0);
        DeviceFacts facts = new DeviceFacts("ssh://pi@raspberrypi.local:22", "raspberrypi", "aarch64", "6.6.51+rpt-rpi-v8",
                "Debian GNU/Linux 12 (bookworm)", "Raspberry Pi 4 Model B Rev 1.4", "Cortex-A72", 4, 3885056,
                "openjdk version \"17.0.15\" 2025-04-15");
        VerifyReport.Builder b = VerifyReport.builder()
                .createdAt(Instant.parse("2025-06-01T10:15:30Z"))
                .model("yolov5n-pruned-320.xml").backend("openvino").device(facts)
                .map50(0.431).map50_95(0.262)
                .latencySamples(lat).frameSamples(frame).memory(mem)
                .budgets(Budgets.builder().minMap50(0.45).maxLatencyMs(250.0).maxMemoryMb(300.0).build())
                .runSeconds(61.5)
                .note("conv sparsity 0.30, bn sparsity 0.10 <static>");
        if (runFailed) {
            b.failure("the agent was killed by SIGILL (exit 132): illegal instruction\nstack: \u0001 native");
        }
        return b.build();
    }

    @Test
    void writesAllThreeFilesAtomically() throws Exception {
        String keep = System.getProperty("edgeprune.keepSampleReport"); // to look at the sample report
        if (keep != null) {
            ReportWriter.write(Path.of(keep), sample(false));
        }
        ReportWriter.Written w = ReportWriter.write(dir, sample(false));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("TEST-prune-verify.xml", "verify.html", "verify.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left behind");
        }
        assertEquals(dir.resolve("verify.json"), w.json());
    }

    @Test
    void jsonHasEveryField() throws Exception {
        VerifyReport r = sample(false);
        ReportWriter.write(dir, r);
        JsonObject o = JsonParser.parseString(Files.readString(dir.resolve("verify.json"))).getAsJsonObject();
        assertEquals("openvino", o.get("backend").getAsString());
        assertFalse(o.get("emulated").getAsBoolean());
        assertFalse(o.get("passed").getAsBoolean());
        JsonObject device = o.getAsJsonObject("device");
        assertEquals("aarch64", device.get("arch").getAsString());
        assertEquals("Raspberry Pi 4 Model B Rev 1.4", device.get("model").getAsString());
        assertEquals(4, device.get("cores").getAsInt());
        assertEquals(0.431, o.get("map50").getAsDouble());
        assertEquals(0.262, o.get("map50_95").getAsDouble());
        for (String k : List.of("latency", "frame")) {
            JsonObject s = o.getAsJsonObject(k);
            for (String f : List.of("mean", "median", "p90", "p99", "min", "max")) {
                assertTrue(s.has(f) && !s.get(f).isJsonNull(), k + "." + f);
            }
            assertEquals(128, s.get("count").getAsInt());
        }
        assertEquals(r.latency().median(), o.getAsJsonObject("latency").get("median").getAsDouble(), 1e-4);
        JsonObject mem = o.getAsJsonObject("memory");
        assertEquals(186.4, mem.get("peakMb").getAsDouble());
        assertEquals(100 * 186.4 / 3794.0, mem.get("peakPercent").getAsDouble(), 1e-3);
        JsonArray series = mem.getAsJsonArray("series");
        assertEquals(31, series.size());
        assertEquals(0.02, series.get(0).getAsJsonObject().get("t").getAsDouble());
        JsonArray budgets = o.getAsJsonArray("budgets");
        assertEquals(3, budgets.size());
        JsonObject first = budgets.get(0).getAsJsonObject();
        assertEquals("map50", first.get("metric").getAsString());
        assertEquals(0.45, first.get("budget").getAsDouble());
        assertEquals(0.431, first.get("measured").getAsDouble());
        assertFalse(first.get("passed").getAsBoolean());
        assertTrue(budgets.get(1).getAsJsonObject().get("passed").getAsBoolean());
        assertTrue(budgets.get(2).getAsJsonObject().get("passed").getAsBoolean());
        assertEquals(1, o.getAsJsonArray("notes").size());
        assertTrue(o.getAsJsonObject("run").get("completed").getAsBoolean());
    }

    @Test
    void junitXmlIsWellFormedWithOneTestcasePerBudget() throws Exception {
        ReportWriter.write(dir, sample(false));
        Document doc = parse(dir.resolve("TEST-prune-verify.xml"));
        Element suite = (Element) doc.getElementsByTagName("testsuite").item(0);
        assertEquals("4", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        NodeList cases = doc.getElementsByTagName("testcase");
        assertEquals(4, cases.getLength());
        assertEquals("runs on device", ((Element) cases.item(0)).getAttribute("name"));
        assertEquals(0, ((Element) cases.item(0)).getElementsByTagName("failure").getLength());
        Element map = (Element) cases.item(1);
        assertEquals("mAP50 budget (prune.minMap50)", map.getAttribute("name"));
        Element failure = (Element) map.getElementsByTagName("failure").item(0);
        assertEquals("mAP50 0.431 is below the minimum 0.450 (prune.minMap50)", failure.getAttribute("message"));
        assertEquals(0, ((Element) cases.item(2)).getElementsByTagName("failure").getLength());
        assertEquals(0, ((Element) cases.item(3)).getElementsByTagName("failure").getLength());
        assertEquals(1, doc.getElementsByTagName("failure").getLength());
    }

    @Test
    void aFailedRunFailsTheRunTestcaseAndSkipsTheBudgets() throws Exception {
        ReportWriter.write(dir, sample(true));
        Document doc = parse(dir.resolve("TEST-prune-verify.xml")); // control characters were cleaned
        NodeList cases = doc.getElementsByTagName("testcase");
        Element run = (Element) cases.item(0);
        Element failure = (Element) run.getElementsByTagName("failure").item(0);
        assertEquals("the agent was killed by SIGILL (exit 132): illegal instruction", failure.getAttribute("message"));
        assertEquals(3, doc.getElementsByTagName("skipped").getLength());
        JsonObject o = JsonParser.parseString(Files.readString(dir.resolve("verify.json"))).getAsJsonObject();
        assertFalse(o.getAsJsonObject("run").get("completed").getAsBoolean());
        assertTrue(Files.readString(dir.resolve("verify.html")).contains("The run on the device failed"));
    }

    @Test
    void htmlShowsVerdictsDeviceAndBothCharts() throws Exception {
        ReportWriter.write(dir, sample(false));
        String html = Files.readString(dir.resolve("verify.html"));
        // written as well-formed XHTML-compatible markup, so an XML parser reads it
        Document doc = parse(dir.resolve("verify.html"));
        NodeList svgs = doc.getElementsByTagName("svg");
        assertEquals(2, svgs.getLength());
        assertTrue(doc.getElementsByTagName("rect").getLength() > 5, "histogram bars");
        assertEquals(1, doc.getElementsByTagName("polyline").getLength(), "memory line");
        assertTrue(html.contains("id=\"verdict\">FAILED<"));
        assertTrue(html.contains("<td class=\"fail\">FAILED</td>"));
        assertEquals(2, count(html, "<td class=\"pass\">PASSED</td>"));
        assertTrue(html.contains("Raspberry Pi 4 Model B Rev 1.4"));
        assertTrue(html.contains("Cortex-A72"));
        assertTrue(html.contains("&lt;static&gt;"), "notes are escaped");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "no external assets");
        assertTrue(html.contains("budget 250 ms"));
        assertTrue(html.contains("budget 300 MB"));
    }

    @Test
    void emptyMeasurementsStillMakeAReadableReport() throws Exception {
        VerifyReport r = VerifyReport.builder().backend("onnxruntime").emulated(true).build();
        ReportWriter.write(dir, r);
        parse(dir.resolve("verify.html"));
        parse(dir.resolve("TEST-prune-verify.xml"));
        JsonObject o = JsonParser.parseString(Files.readString(dir.resolve("verify.json"))).getAsJsonObject();
        assertTrue(o.get("map50").isJsonNull());
        assertTrue(o.get("emulated").getAsBoolean());
        assertTrue(o.get("passed").getAsBoolean());
        assertTrue(Files.readString(dir.resolve("verify.html")).contains("no memory samples were taken"));
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    @Test
    void aWrittenReportReadsBackToTheSameReport() throws Exception {
        for (boolean failed : new boolean[] {false, true}) {
            VerifyReport original = sample(failed);
            ReportWriter.write(dir, original);
            VerifyReport read = ReportReader.read(dir.resolve(ReportWriter.JSON));
            assertEquals(ReportWriter.json(original), ReportWriter.json(read), "failed run: " + failed);
            assertEquals(List.copyOf(original.device().keySet()), List.copyOf(read.device().keySet()),
                    "device facts keep their order");
        }
    }

    @Test
    void aReportWrittenAgainWithOtherBudgetsKeepsItsFigures() throws Exception {
        VerifyReport original = sample(false);
        List<BudgetResult> looser = Budgets.builder().minMap50(0.40).build().check(original.map50(), original.latency(),
                original.memory().peakMb());
        VerifyReport again = ReportReader.read(ReportWriter.write(dir, original).json()).toBuilder().budgetResults(looser)
                .build();
        assertTrue(again.passed(), "0.431 meets 0.40");
        // the figures come back at the JSON's precision (latency 4 decimals)
        assertEquals(original.latency().median(), again.latency().median(), 5e-5);
        assertEquals(original.latency().p90(), again.latency().p90(), 5e-5);
        assertEquals(original.memory().peakMb(), again.memory().peakMb(), 5e-3);
        assertEquals(original.map50(), again.map50());
        assertEquals(1, again.budgets().size());
    }

    @Test
    void aFileThatIsNotAReportIsRefusedNamingIt() throws Exception {
        Path bad = dir.resolve("verify.json");
        Files.writeString(bad, "{\"passed\": true");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ReportReader.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": not a verify report"), e.getMessage());
        Files.writeString(bad, "{\"schema\": \"something-else/1\"}");
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> ReportReader.read(bad));
        assertTrue(e.getMessage().contains("no edgeprune-verify schema"), e.getMessage());
    }

    @Test
    void restatingWritesOnlyWhenTheVerdictsChangeAndAddsItsNoteOnce() throws Exception {
        VerifyReport original = sample(false);
        ReportWriter.write(dir, original);
        assertFalse(ReportWriter.restate(dir, original.budgets(), "reused"), "same verdicts: nothing written");
        List<BudgetResult> looser = Budgets.builder().minMap50(0.40).build().check(original.map50(), original.latency(),
                original.memory().peakMb());
        assertTrue(ReportWriter.restate(dir, looser, "reused"));
        VerifyReport now = ReportReader.read(dir.resolve(ReportWriter.JSON));
        assertTrue(now.passed());
        assertEquals(1, now.notes().stream().filter("reused"::equals).count());
        assertFalse(ReportWriter.restate(dir, looser, "reused"), "the verdicts read back equal the ones given");
        assertTrue(ReportWriter.restate(dir, original.budgets(), "reused"));
        assertEquals(1, ReportReader.read(dir.resolve(ReportWriter.JSON)).notes().stream().filter("reused"::equals)
                .count(), "the note is not repeated");
    }
}
