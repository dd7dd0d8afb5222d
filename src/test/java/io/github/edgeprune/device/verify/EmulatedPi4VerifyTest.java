package io.github.edgeprune.device.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.device.emulated.EmulatedPi4DeviceTest;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.Int8Calibration;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify-on-device on the emulated Raspberry Pi 4 (arm64 userland under qemu, Cortex-A72):
 * the onnxruntime backend measures the same mAP as evaluate here; the djl backend is refused
 * with the SIGILL explanation; auto falls back to onnxruntime.
 */
class EmulatedPi4VerifyTest {

    @TempDir
    static Path tmp;

    static Path ir;
    static EvaluationResult evaluated;
    static final int IMAGES = 4;

    @BeforeAll
    static void prepare() throws Exception {
        EmulatedPi4DeviceTest.machineCanHostIt();
        ir = ExportJob.run(new ExportJob.Settings(TestData.yolov5n().toString(), Path.of("."), tmp.resolve("ir"), null,
                320, IrPrecision.FP16, true), Log.silent()).ir().xml();
        // the ONNX twin is what runs on the device: evaluate it here on the same images
        evaluated = EvaluateJob.run(new EvaluateJob.Settings(ir.resolveSibling("yolov5n.onnx").toString(),
                TestData.coco128().toString(), Path.of("."), tmp.resolve("eval"), EvalSettings.defaults().withImgsz(320),
                false, false, false, "val", IMAGES), Log.silent());
    }

    static VerifyJob.Outcome verify(String backend, Budgets budgets, Path reports) throws Exception {
        List<Path> cp = AgentClassPath.jarsForAarch64(tmp);
        try (DeviceTarget target = DeviceTarget.open(DeviceTarget.EMULATED_PI4,
                b -> b.commandTimeout(Duration.ofMinutes(5)), Log.console())) {
            return VerifyJob.run(new VerifyJob.Settings(ir, ir.resolveSibling("yolov5n.onnx"), TestData.coco128(), "val",
                    IMAGES, target.settings(), backend, 1, 0, budgets, reports, arch -> cp, null, "java",
                    List.of("-Xmx1g"), Duration.ofMinutes(20), target.emulated(), target.facts()), Log.console());
        }
    }

    @Test
    void onnxRuntimeOnTheEmulatedPiMeasuresLikeEvaluate() throws Exception {
        Path reports = tmp.resolve("reports-ort");
        long t0 = System.nanoTime();
        VerifyJob.Outcome out = verify("onnxruntime", Budgets.builder().minMap50(0.1).maxLatencyMs(1.0).build(), reports);
        System.out.printf("emulated Pi 4 verify took %.0f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals("aarch64", out.report().device().get("arch"));
        assertEquals("onnxruntime", out.report().backend());
        assertEquals(evaluated.map50(), out.report().map50(), 0.002, "mAP50 on the emulated Pi vs evaluate here");
        assertTrue(out.report().emulated());
        // a 1 ms latency budget is missed under qemu, but not enforced on an emulated device
        assertTrue(out.passed(), Budgets.table(out.budgets()));
        JsonObject json = JsonParser.parseString(Files.readString(reports.resolve("verify.json"))).getAsJsonObject();
        assertTrue(json.get("emulated").getAsBoolean());
        assertTrue(Files.readString(reports.resolve("verify.html")).contains("emulated"));
    }

    /**
     * The INT8 ONNX twin (QDQ, fused to QLinearConv by ONNX Runtime on aarch64 as on x86-64) runs
     * on the emulated Pi and scores what it scores here on the same images. The timing under qemu
     * is emulation, not a Pi's, and is not reported as one.
     */
    @Test
    void theInt8TwinRunsOnTheEmulatedPiAndScoresAsHere() throws Exception {
        ExportJob.Result int8 = ExportJob.run(new ExportJob.Settings(TestData.yolov5n().toString(), Path.of("."),
                tmp.resolve("int8"), null, 320, IrPrecision.INT8, true, new Int8Calibration(TestData.coco128().toString(),
                        16, CalibrationMethod.PERCENTILE, List.of())), Log.silent());
        EvaluationResult here = EvaluateJob.run(new EvaluateJob.Settings(int8.onnx().toString(),
                TestData.coco128().toString(), Path.of("."), tmp.resolve("eval-int8"), EvalSettings.defaults().withImgsz(320),
                false, false, false, "val", IMAGES), Log.silent());
        List<Path> cp = AgentClassPath.jarsForAarch64(tmp);
        VerifyJob.Outcome out;
        try (DeviceTarget target = DeviceTarget.open(DeviceTarget.EMULATED_PI4,
                b -> b.commandTimeout(Duration.ofMinutes(5)), Log.console())) {
            out = VerifyJob.run(new VerifyJob.Settings(int8.ir().xml(), int8.onnx(), TestData.coco128(), "val", IMAGES,
                    target.settings(), "onnxruntime", 1, 0, Budgets.builder().minMap50(0.1).build(),
                    tmp.resolve("reports-int8"), arch -> cp, null, "java", List.of("-Xmx1g"), Duration.ofMinutes(20),
                    target.emulated(), target.facts()), Log.console());
        }
        System.out.printf(java.util.Locale.ROOT, "[int8] emulated Pi 4 (aarch64) INT8 twin mAP50 %.4f, here %.4f (%d images)%n",
                out.report().map50(), here.map50(), IMAGES);
        assertEquals("aarch64", out.report().device().get("arch"));
        assertEquals("INT8", out.report().precision());
        assertEquals(here.map50(), out.report().map50(), 0.002, "INT8 twin: mAP50 on the emulated Pi vs here");
    }

    @Test
    void djlIsRefusedWithTheReasonAndAutoFallsBack() throws Exception {
        VerifyException e = assertThrows(VerifyException.class,
                () -> verify("djl", Budgets.builder().minMap50(0.1).build(), tmp.resolve("reports-djl")));
        assertTrue(e.getMessage().contains("SIGILL") && e.getMessage().contains("ARMv8.1 atomics")
                && e.getMessage().contains("Raspberry Pi 4"), e.getMessage());

        VerifyJob.Outcome auto = verify("auto", Budgets.builder().minMap50(0.1).build(), tmp.resolve("reports-auto"));
        assertEquals("onnxruntime", auto.report().backend());
        assertTrue(auto.report().notes().stream().anyMatch(n -> n.startsWith("backend openvino: not used")),
                auto.report().notes().toString());
    }
}
