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

    @Test
    void severalDevicesRunInParallelAndOneUnreachableDeviceFailsOnlyItself() throws Exception {
        boolean ssh = SshdServer.unavailableReason() == null;
        Path root = tmp.resolve("reports-devices");
        int closed = SshdServer.freePort();
        String unreachable = "ssh://root@127.0.0.1:" + closed;
        Budgets budgets = Budgets.builder().minMap50(0.1).build();
        try (SshdServer sshd = ssh ? SshdServer.start(Files.createDirectories(tmp.resolve("sshd-devices"))) : null) {
            String loopback = ssh ? "ssh://" + sshd.user() + "@127.0.0.1:" + sshd.port() : null;
            Path knownHosts = ssh ? sshd.writeKnownHosts(tmp.resolve("known_hosts_devices")) : null;
            // a key and known_hosts, so that it is the closed port that stops this device, not missing credentials
            Path key = ssh ? sshd.userKey() : newKey(tmp.resolve("unreachable_key"));
            List<String> specs = ssh ? List.of("local", loopback, unreachable) : List.of("local", unreachable);
            MultiDeviceVerify.DeviceRun run = (spec, dir, log) -> {
                DeviceSettings device = spec.equals("local") ? DeviceSettings.local()
                        : spec.equals(loopback) ? sshd.settings(knownHosts).build()
                        : DeviceSettings.builder(spec).identityFile(key).knownHosts(knownHostsFor(knownHosts))
                                .connectTimeout(Duration.ofSeconds(20)).build();
                return VerifyJob.run(settings(device, "djl", budgets, dir, !spec.equals("local")), log);
            };
            MultiDeviceVerify.Outcome out = MultiDeviceVerify.run(DeviceList.parse(specs), 3, root, ir.toString(),
                    budgets, run, Log.console());

            assertFalse(out.passed(), "one device could not be reached");
            assertEquals(specs, out.devices().stream().map(d -> d.device().spec()).toList(), "in the order given");
            for (MultiDeviceVerify.DeviceResult d : out.devices()) {
                if (d.device().spec().equals(unreachable)) {
                    assertEquals("ERROR", d.verdict());
                    assertTrue(d.error().startsWith("could not connect to 127.0.0.1:" + closed), d.error());
                } else {
                    assertEquals("PASSED", d.verdict(), d.device().spec() + ": " + d.error());
                    assertEquals(evaluated.map50(), d.outcome().report().map50(), 0.001, d.device().spec());
                }
                assertTrue(Files.isRegularFile(d.reportDir().resolve("verify.json")), "every device has its report");
                assertTrue(Files.isRegularFile(d.reportDir().resolve("TEST-prune-verify.xml")));
            }
            String message = out.failureMessage();
            assertTrue(message.startsWith("1 of " + specs.size() + " devices did not pass:"), message);
            assertTrue(message.contains(unreachable + ": not verified: "), message);
            assertFalse(message.contains("- local:"), "a device that passed is not listed as failing: " + message);

            // the unreachable device's own report says why; CI sees a failed "runs on device" case
            Path failedDir = out.devices().get(specs.size() - 1).reportDir();
            JsonObject failed = JsonParser.parseString(Files.readString(failedDir.resolve("verify.json"))).getAsJsonObject();
            assertFalse(failed.getAsJsonObject("run").get("completed").getAsBoolean());
            assertTrue(Files.readString(failedDir.resolve("TEST-prune-verify.xml")).contains("type=\"RunFailed\""));

            JsonObject summary = JsonParser.parseString(Files.readString(root.resolve(DevicesReport.JSON)))
                    .getAsJsonObject();
            assertFalse(summary.get("passed").getAsBoolean());
            var devices = summary.getAsJsonArray("devices");
            assertEquals(specs.size(), devices.size());
            assertEquals("local", devices.get(0).getAsJsonObject().get("device").getAsString());
            assertEquals("PASSED", devices.get(0).getAsJsonObject().get("verdict").getAsString());
            assertEquals("local/verify.json", devices.get(0).getAsJsonObject().get("report").getAsString());
            assertEquals("ERROR", devices.get(specs.size() - 1).getAsJsonObject().get("verdict").getAsString());
            String html = Files.readString(root.resolve(DevicesReport.HTML));
            javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(html.replace("<!DOCTYPE html>", ""))));
            for (MultiDeviceVerify.DeviceResult d : out.devices()) {
                assertTrue(html.contains("id=\"device-" + d.device().folder() + "\""), "a section per device");
            }
            assertTrue(html.contains("href=\"local/verify.html\""), "the summary links each device's report");
        }
    }

    private static Path knownHostsFor(Path knownHosts) throws java.io.IOException {
        return knownHosts != null ? knownHosts : Files.writeString(tmp.resolve("known_hosts_empty"), "");
    }

    private static Path newKey(Path file) throws Exception {
        Process p = new ProcessBuilder(SshdServer.SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-f",
                file.toString()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        return file;
    }
}
