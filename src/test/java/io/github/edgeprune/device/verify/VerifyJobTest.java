package io.github.edgeprune.device.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.SshdServer;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify-on-device end to end: yolov5n IR at 320 on 8 COCO128 images, djl backend. */
class VerifyJobTest {

    @TempDir
    static Path tmp;

    static Path ir;
    static EvaluationResult evaluated;

    @BeforeAll
    static void exportAndEvaluate() throws Exception {
        ir = ExportJob.run(new ExportJob.Settings(TestData.yolov5n().toString(), Path.of("."), tmp.resolve("ir"), null,
                320, IrPrecision.FP16, true), Log.silent()).ir().xml();
        evaluated = EvaluateJob.run(new EvaluateJob.Settings(ir.toString(), TestData.coco128().toString(), Path.of("."),
                tmp.resolve("eval"), EvalSettings.defaults().withImgsz(320), false, false, false, "val", 8), Log.silent());
    }

    static VerifyJob.Settings settings(DeviceSettings device, String backend, Budgets budgets, Path reports,
            boolean jarsOnly) {
        return settings(device, backend, budgets, reports, jarsOnly, 0);
    }

    static VerifyJob.Settings settings(DeviceSettings device, String backend, Budgets budgets, Path reports,
            boolean jarsOnly, int iterations) {
        List<Path> cp = jarsOnly ? AgentClassPath.jarsOnly(tmp) : AgentClassPath.local();
        return new VerifyJob.Settings(ir, ir.resolveSibling("yolov5n.onnx"), TestData.coco128(), "val", 8, device,
                backend, 2, iterations, budgets, reports, arch -> cp, null, "java", List.of("-Xmx2g"), Duration.ofMinutes(10),
                false, Map.of());
    }

    @Test
    void eachBackendGetsOnlyTheModelFilesItReads() {
        assertTrue(VerifyJob.readsIr("openvino") && VerifyJob.readsIr("djl") && VerifyJob.readsIr("auto"));
        assertFalse(VerifyJob.readsIr("onnxruntime"));
        assertTrue(VerifyJob.readsOnnx("onnxruntime") && VerifyJob.readsOnnx("auto"));
        assertFalse(VerifyJob.readsOnnx("openvino") || VerifyJob.readsOnnx("djl"));
    }

    @Test
    void localDeviceWithLooseBudgetsPassesAndMatchesEvaluate() throws Exception {
        Path reports = tmp.resolve("reports-local");
        Budgets budgets = Budgets.builder().minMap50(0.1).maxLatencyMs(60_000.0).maxMemoryMb(16_000.0).build();
        VerifyJob.Outcome out = VerifyJob.run(settings(DeviceSettings.builder("local").build(), "djl", budgets, reports,
                false), Log.console());
        assertTrue(out.passed(), Budgets.table(out.budgets()));
        assertEquals("djl", out.report().backend());
        assertEquals(evaluated.map50(), out.report().map50(), 0.001, "device mAP50 equals evaluate of the same IR");
        JsonObject json = JsonParser.parseString(Files.readString(reports.resolve("verify.json"))).getAsJsonObject();
        for (String key : List.of("backend", "device", "map50", "map50_95", "latency", "frame", "memory", "budgets")) {
            assertTrue(json.has(key), "verify.json lacks " + key);
        }
        assertEquals("FP16", json.get("precision").getAsString(), "the report names what the IR computes in");
        assertTrue(json.getAsJsonObject("memory").get("peakMb").getAsDouble() > 50, "a JVM running a model uses memory");
        assertEquals(3, json.getAsJsonArray("budgets").size());
        assertTrue(Files.isRegularFile(reports.resolve("verify.html")));
        assertTrue(Files.readString(reports.resolve("TEST-prune-verify.xml")).contains("<testcase"));
        assertTrue(Files.readString(reports.resolve("TEST-prune-verify.xml")).contains("name=\"precision\" value=\"FP16\""));
        assertTrue(Files.readString(reports.resolve("verify.html")).contains("precision <b>FP16</b>"));
    }

    @Test
    void fewerIterationsThanImagesStillScoresEveryImage() throws Exception {
        // prune.iterations=3 with 8 images: found by running the goal by hand, it failed with
        // "the agent returned detections for 3 of 8 images"; mAP50 needs each image once
        Budgets budgets = Budgets.builder().minMap50(0.1).build();
        VerifyJob.Outcome out = VerifyJob.run(settings(DeviceSettings.builder("local").build(), "djl", budgets,
                tmp.resolve("reports-few"), false, 3), Log.silent());
        assertTrue(out.passed(), Budgets.table(out.budgets()));
        assertEquals(evaluated.map50(), out.report().map50(), 0.001);
        assertEquals(8, out.report().latencySamples().length, "one measured frame per image at least");
    }

    @Test
    void aMissedLatencyBudgetIsReportedAndNamed() throws Exception {
        Budgets budgets = Budgets.builder().minMap50(0.1).maxLatencyMs(0.001).build();
        VerifyJob.Outcome out = VerifyJob.run(settings(DeviceSettings.builder("local").build(), "djl", budgets,
                tmp.resolve("reports-tight"), false), Log.silent());
        assertFalse(out.passed());
        String table = Budgets.table(out.budgets());
        assertTrue(table.contains("latency") && table.contains("FAILED"), table);
    }

    @Test
    void overRealOpenSshWithTheDjlBackend() throws Exception {
        Assumptions.assumeTrue(SshdServer.unavailableReason() == null, SshdServer.unavailableReason());
        try (SshdServer sshd = SshdServer.start(Files.createDirectories(tmp.resolve("sshd")))) {
            DeviceSettings device = sshd.settings(sshd.writeKnownHosts(tmp.resolve("known_hosts"))).build();
            Budgets budgets = Budgets.builder().minMap50(0.1).build();
            Path reports = tmp.resolve("reports-ssh");
            VerifyJob.Outcome out = VerifyJob.run(settings(device, "djl", budgets, reports, true), Log.console());
            assertTrue(out.passed(), Budgets.table(out.budgets()));
            assertEquals(evaluated.map50(), out.report().map50(), 0.001);
            assertTrue(out.report().device().get("name").toString().startsWith("ssh://"), out.report().device().toString());
        }
    }
}
