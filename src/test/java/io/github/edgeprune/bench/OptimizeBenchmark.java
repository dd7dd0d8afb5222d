package io.github.edgeprune.bench;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.optimize.CandidateResult;
import io.github.edgeprune.optimize.OptimizeJob;
import io.github.edgeprune.optimize.SearchSpace;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The optimize goal's acceptance run (issue #12): on this machine with ONNX Runtime, first the dense
 * model's FP32 twin is verified to set the budgets, minMap50 = its mAP50 - 0.02 and maxLatencyMs =
 * 0.7 x its median. Then optimize searches with those budgets, runs a second time with nothing
 * changed (timed against the first), and runs once more with an impossible 1 ms budget.
 *
 * <p>Arguments: model data imgsz candidates calibration calibrationImages fineTuneEpochs out
 */
public final class OptimizeBenchmark {

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String data = args[1];
        int imgsz = Integer.parseInt(args[2]);
        String candidates = args[3];
        CalibrationMethod calibration = CalibrationMethod.parse(args[4]);
        int calibrationImages = Integer.parseInt(args[5]);
        int fineTune = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]).toAbsolutePath();
        Files.createDirectories(out);
        List<Path> cp = AgentClassPath.jarsOnly(out);
        Log log = Log.console();

        // 1. the dense model's FP32 twin on the device: the reference the budgets are set from
        ExportJob.Result dense = ExportJob.run(new ExportJob.Settings(model, Path.of("."), out.resolve("dense-ir"), null,
                imgsz, IrPrecision.FP16, true), log);
        VerifyJob.Outcome ref = VerifyJob.run(new VerifyJob.Settings(dense.ir().xml(), dense.onnx(), Path.of(data), "val",
                0, DeviceSettings.local(), "onnxruntime", 10, 0, Budgets.none(), out.resolve("dense-verify"), arch -> cp,
                null, "java", List.of(), Duration.ofMinutes(30), false, Map.of()), log);
        double refMap = ref.report().map50();
        double refMs = ref.report().latency().median();
        double minMap50 = Math.floor((refMap - 0.02) * 1000) / 1000;
        double maxMs = Math.floor(0.7 * refMs * 10) / 10;

        OptimizeJob.Device device = new OptimizeJob.Device("local", DeviceSettings.local(), "onnxruntime", 10, 0,
                arch -> cp, null, "java", List.of(), Duration.ofMinutes(30), false, Map.of());
        Budgets budgets = Budgets.builder().minMap50(minMap50).maxLatencyMs(maxMs).build();
        OptimizeJob.Settings s = new OptimizeJob.Settings(model, Path.of("."), data, "val", 0, out.resolve("optimize"),
                null, SearchSpace.parse(candidates, null, null, imgsz, fineTune), imgsz, budgets, calibrationImages, 0.1,
                List.of(device), 1, calibration);
        long t0 = System.nanoTime();
        OptimizeJob.Outcome first = OptimizeJob.run(s, log);
        double firstS = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        OptimizeJob.Outcome second = OptimizeJob.run(s, log);
        double secondS = (System.nanoTime() - t0) / 1e9;
        OptimizeJob.Settings impossible = new OptimizeJob.Settings(model, Path.of("."), data, "val", 0,
                out.resolve("optimize"), null, s.candidates(), imgsz, Budgets.builder().minMap50(minMap50)
                        .maxLatencyMs(1.0).build(), calibrationImages, 0.1, List.of(device), 1, calibration);
        t0 = System.nanoTime();
        OptimizeJob.Outcome failed = OptimizeJob.run(impossible, log);
        double failedS = (System.nanoTime() - t0) / 1e9;

        System.out.println();
        System.out.printf(Locale.ROOT, "reference: dense FP32 twin, mAP50 %.4f, median %.1f ms -> minMap50 %.3f,"
                + " maxLatencyMs %.1f%n", refMap, refMs, minMap50, maxMs);
        for (CandidateResult r : first.candidates()) {
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.0f | %s | %s | %s | %s |%n", r.candidate().id(), r.gflops(),
                    r.sizeBytes() / 1e3, f(r.buildMap50()), f(r.deviceMap50()),
                    r.latency() == null ? "-" : String.format(Locale.ROOT, "%.1f / %.1f", r.latency().median(),
                            r.latency().p90()), r.status());
        }
        System.out.printf(Locale.ROOT, "first run %.1f s (%d device runs, %d evaluations): %s%n", firstS,
                first.deviceRuns(), first.evaluations(), first.passed() ? "winner " + first.winner().candidate().id()
                        : "no winner");
        System.out.printf(Locale.ROOT, "second run, nothing changed: %.1f s = %.1f %% of the first (%d device runs,"
                + " %d evaluations)%n", secondS, 100 * secondS / firstS, second.deviceRuns(), second.evaluations());
        System.out.printf(Locale.ROOT, "impossible 1 ms budget: %.1f s, passed=%s%n%s%n", failedS, failed.passed(),
                failed.failureMessage());
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
