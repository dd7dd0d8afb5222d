package io.github.edgeprune.bench;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.Int8Calibration;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/int8.sh: FP32 against INT8 (calibrated on the data's train split) in one run on this
 * machine. For each input size and calibration method: mAP50 / mAP50-95 on the val split of the
 * FP32 IR and the INT8 IR (our executor) and the INT8 ONNX twin (ONNX Runtime), the .bin sizes,
 * and batch-1 latency of the FP32 and INT8 twins with verify-on-device -Dprune.device=local
 * -Dprune.backend=onnxruntime, the two interleaved in every round. Arguments: model data
 * sizes(640,320) methods(minmax,percentile) calibrationImages latencyImages rounds.
 */
public final class Int8Benchmark {

    private Int8Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("edgeprune-int8-bench");
        String model = args[0];
        String data = args[1];
        int calibration = Integer.parseInt(args[4]);
        int images = Integer.parseInt(args[5]);
        int rounds = Integer.parseInt(args[6]);
        List<Path> cp = AgentClassPath.jarsOnly(tmp);
        List<String> accuracy = new ArrayList<>();
        accuracy.add("| imgsz | calibration | FP32 IR mAP50 / 50-95 | INT8 IR (executor) | INT8 twin (ONNX Runtime) | .bin FP32 → INT8 |");
        accuracy.add("|---|---|---|---|---|---|");
        List<String> latency = new ArrayList<>();
        latency.add("| imgsz | calibration | FP32 twin median ms (per round) | INT8 twin median ms (per round) | FP32 ÷ INT8 |");
        latency.add("|---|---|---|---|---|");
        for (String size : args[2].split(",")) {
            int imgsz = Integer.parseInt(size.trim());
            ExportJob.Result fp32 = export(model, data, imgsz, IrPrecision.FP32, null, calibration, tmp);
            EvaluationResult a = evaluate(fp32.ir().xml(), data, imgsz, tmp.resolve("e-fp32-" + imgsz));
            for (String m : args[3].split(",")) {
                CalibrationMethod method = CalibrationMethod.parse(m);
                ExportJob.Result int8 = export(model, data, imgsz, IrPrecision.INT8, method, calibration, tmp);
                EvaluationResult b = evaluate(int8.ir().xml(), data, imgsz, tmp.resolve("e-int8-" + imgsz + m));
                EvaluationResult c = evaluate(int8.onnx(), data, imgsz, tmp.resolve("e-onnx-" + imgsz + m));
                accuracy.add(String.format(Locale.ROOT, "| %d | %s, %d images | %.4f / %.4f | %.4f / %.4f | %.4f / %.4f |"
                        + " %,d → %,d B (%.3f) |", imgsz, method.id(), calibration, a.map50(), a.map50_95(), b.map50(),
                        b.map50_95(), c.map50(), c.map50_95(), Files.size(fp32.ir().bin()), Files.size(int8.ir().bin()),
                        (double) Files.size(int8.ir().bin()) / Files.size(fp32.ir().bin())));
                System.out.println(accuracy.get(accuracy.size() - 1));
                List<Double> dense = new ArrayList<>();
                List<Double> quantized = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    dense.add(median(fp32, data, images, cp, tmp.resolve("v-fp32-" + imgsz + m + r)));
                    quantized.add(median(int8, data, images, cp, tmp.resolve("v-int8-" + imgsz + m + r)));
                    System.out.printf(Locale.ROOT, "%d %s round %d: FP32 %.2f ms, INT8 %.2f ms%n", imgsz, m, r + 1,
                            dense.get(r), quantized.get(r));
                }
                double best = Rounds.best(dense);
                double bestQ = Rounds.best(quantized);
                latency.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.2f× |", imgsz, method.id(), Rounds.join(dense),
                        Rounds.join(quantized), best / bestQ));
            }
        }
        System.out.println(String.join("\n", accuracy));
        System.out.println();
        System.out.println(String.join("\n", latency));
    }

    private static ExportJob.Result export(String model, String data, int imgsz, IrPrecision precision,
            CalibrationMethod method, int images, Path tmp) throws Exception {
        Int8Calibration cal = precision == IrPrecision.INT8 ? new Int8Calibration(data, images, method, List.of()) : null;
        return ExportJob.run(new ExportJob.Settings(model, Path.of("."), tmp.resolve("ir-" + imgsz + "-" + precision
                + (method == null ? "" : "-" + method.id())), "model", imgsz, precision, true, cal), Log.silent());
    }

    private static EvaluationResult evaluate(Path model, String data, int imgsz, Path out) throws Exception {
        return EvaluateJob.run(new EvaluateJob.Settings(model.toString(), data, Path.of("."), out,
                EvalSettings.defaults().withImgsz(imgsz), false, false, false, "val", 0), Log.silent());
    }

    private static double median(ExportJob.Result r, String data, int images, List<Path> cp, Path reports)
            throws Exception {
        VerifyJob.Outcome out = VerifyJob.run(new VerifyJob.Settings(r.ir().xml(), r.onnx(), Path.of(data), "val", images,
                DeviceSettings.local(), "onnxruntime", 10, 0, Budgets.builder().build(), reports, arch -> cp, null, "java",
                List.of(), Duration.ofMinutes(30), false, Map.of()), Log.silent());
        return out.report().latency().median();
    }
}
