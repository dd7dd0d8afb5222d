package io.github.edgeprune.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.device.SshdServer;
import io.github.edgeprune.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Dprune.devices} as a user gives it to verify-on-device and optimize: this machine and an
 * SSH device nobody listens for. The goal fails naming that device, and this machine's results are
 * still written.
 */
class SeveralDevicesGoalTest {

    @TempDir
    static Path tmp;

    static Path data;
    static String unreachable;
    static Path key;
    static Path knownHosts;

    @BeforeAll
    static void setUp() throws Exception {
        data = TestData.coco128Subset(tmp.resolve("data"), 4);
        unreachable = "ssh://root@127.0.0.1:" + SshdServer.freePort();
        // a key, so that it is the closed port that stops the device rather than missing credentials
        key = tmp.resolve("id_ed25519");
        Process p = new ProcessBuilder(SshdServer.SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-f",
                key.toString()).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        knownHosts = Files.writeString(tmp.resolve("known_hosts"), "");
    }

    private static Map<String, String> common() {
        Map<String, String> p = new HashMap<>();
        p.put("prune.data", data.toString());
        p.put("prune.devices", "local," + unreachable);
        p.put("prune.identityFile", key.toString());
        p.put("prune.knownHosts", knownHosts.toString());
        p.put("prune.connectTimeout", "20");
        p.put("prune.backend", "onnxruntime");
        p.put("prune.warmup", "1");
        p.put("prune.minMap50", "0.01");
        return p;
    }

    @Test
    void optimizeNeedsEveryDeviceAndKeepsTheFiguresOfTheOnesThatMeasured() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("optimize"));
        Map<String, String> p = common();
        p.put("prune.model", TestData.yolov5n().toString());
        p.put("prune.candidates", "dense-fp16");
        p.put("prune.imgsz", "160");
        GoalHarness.Outcome o = GoalHarness.run("optimize", project, p, false);
        assertTrue(o.failure() instanceof MojoFailureException, o.userOutput());
        assertTrue(o.message().contains("ERROR: not measured on " + unreachable), o.message());
        assertTrue(o.message().contains(unreachable), o.message());
        JsonObject report = JsonParser.parseString(Files.readString(project.resolve("target/prune/optimize/optimize.json")))
                .getAsJsonObject();
        assertEquals(2, report.getAsJsonArray("devices").size());
        JsonObject candidate = report.getAsJsonArray("candidates").get(0).getAsJsonObject();
        assertEquals("ERROR", candidate.get("status").getAsString());
        JsonArray devices = candidate.getAsJsonArray("devices");
        assertEquals("local", devices.get(0).getAsJsonObject().get("device").getAsString());
        assertEquals("PASSED", devices.get(0).getAsJsonObject().get("verdict").getAsString(), devices.toString());
        assertTrue(devices.get(0).getAsJsonObject().get("map50").getAsDouble() > 0.01);
        assertEquals("ERROR", devices.get(1).getAsJsonObject().get("verdict").getAsString());
        assertTrue(devices.get(1).getAsJsonObject().get("error").getAsString().contains("connection refused"),
                devices.toString());
        assertFalse(Files.exists(project.resolve("target/prune/optimize/winner")));
    }

    @Test
    void verifyOnDeviceWritesASectionPerDeviceAndFailsNamingTheUnreachableOne() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("verify"));
        GoalHarness.Outcome export = GoalHarness.run("export-openvino", project, Map.of("prune.model",
                TestData.yolov5n().toString(), "prune.imgsz", "160"), false);
        assertTrue(export.failure() == null, export.userOutput());
        Path ir = project.resolve("target/prune/openvino/yolov5n.xml");
        Map<String, String> p = common();
        p.put("prune.model", ir.toString());
        GoalHarness.Outcome o = GoalHarness.run("verify-on-device", project, p, false);
        assertTrue(o.failure() instanceof MojoFailureException, o.userOutput());
        assertTrue(o.message().contains("1 of 2 devices did not pass"), o.message());
        assertTrue(o.message().contains(unreachable + ": not verified: could not connect to 127.0.0.1"), o.message());
        Path reports = project.resolve("target/prune/reports");
        JsonObject local = JsonParser.parseString(Files.readString(reports.resolve("local/verify.json"))).getAsJsonObject();
        assertTrue(local.get("passed").getAsBoolean(), "this machine passed and its report is written");
        String html = Files.readString(reports.resolve("verify-devices.html"));
        assertTrue(html.contains("id=\"device-local\"") && html.contains(unreachable + ": ERROR"), html);
        assertTrue(o.userOutput().contains("Verifying on 2 devices, 2 at a time: local, " + unreachable), o.userOutput());
    }
}
