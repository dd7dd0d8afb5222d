package io.github.edgeprune.bench;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.openvino.IrReader;
import io.github.edgeprune.prune.channels.ChannelImportance;
import io.github.edgeprune.prune.channels.ChannelPruner;
import io.github.edgeprune.prune.channels.PruneChannelsJob;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.train.TrainDynamicJob;
import io.github.edgeprune.train.TrainResult;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/channels-finetune.sh: issue #10's accuracy comparison on held-out data. Three ways to the
 * same model size, each scored on the data's val split (never trained on):
 * <ol>
 * <li>(a) the model fine-tuned dense for E epochs;</li>
 * <li>(b) the same E epochs with sparsity training (bnL1), then prune-channels to targetFlops,
 * then E more epochs;</li>
 * <li>(c) prune-channels of (a) to targetFlops, then E epochs.</li>
 * </ol>
 * Scores are of each run's {@code last} weights (not {@code best}, which is chosen on the same val
 * split), by evaluate at imgsz. Then each is exported (FP32 IR + ONNX twin) and its batch-1 latency
 * measured with ONNX Runtime on this machine, the models interleaved in every round. Arguments:
 * model data imgsz epochs targetFlops bnL1 rounds output.
 */
public final class ChannelsFinetuneBenchmark {

    private ChannelsFinetuneBenchmark() {
    }

    private record Row(String name, Path bundle, double secondsPerEpoch, int epochs, double smallGamma) {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String data = args[1];
        int imgsz = Integer.parseInt(args[2]);
        int epochs = Integer.parseInt(args[3]);
        double keep = Double.parseDouble(args[4]);
        double bnL1 = Double.parseDouble(args[5]);
        int rounds = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]).toAbsolutePath();
        Files.createDirectories(out);
        Log log = Log.console(false);
        long start = System.nanoTime();

        List<Row> rows = new ArrayList<>();
        TrainResult a = train(model, data, imgsz, epochs, 0, out.resolve("a-dense"), log);
        rows.add(new Row("(a) dense fine-tune", a.last(), perEpoch(a), epochs, lastSmallGamma(a)));

        TrainResult slim = train(model, data, imgsz, epochs, bnL1, out.resolve("b1-slimming"), log);
        rows.add(new Row("(b) sparsity training only (bnL1 " + bnL1 + ")", slim.last(), perEpoch(slim), epochs,
                lastSmallGamma(slim)));
        Path bCut = cut(slim.last(), imgsz, keep, out.resolve("b2-cut"));
        rows.add(new Row("(b) after prune-channels, no fine-tune", bCut, Double.NaN, 0, Double.NaN));
        TrainResult b = train(bCut.toString(), data, imgsz, epochs, 0, out.resolve("b3-finetune"), log);
        rows.add(new Row("(b) bnL1 + prune-channels + fine-tune", b.last(), perEpoch(b), 2 * epochs, lastSmallGamma(b)));

        Path cCut = cut(a.last(), imgsz, keep, out.resolve("c1-cut"));
        rows.add(new Row("(c) prune-channels of (a), no fine-tune", cCut, Double.NaN, epochs, Double.NaN));
        TrainResult c = train(cCut.toString(), data, imgsz, epochs, 0, out.resolve("c2-finetune"), log);
        rows.add(new Row("(c) prune-channels of (a) + fine-tune", c.last(), perEpoch(c), 2 * epochs, lastSmallGamma(c)));
        System.out.printf(Locale.ROOT, "training done in %.0f s%n", (System.nanoTime() - start) / 1e9);

        Map<String, EvaluationResult> scores = new LinkedHashMap<>();
        Map<String, ExportJob.Result> irs = new LinkedHashMap<>();
        for (Row r : rows) {
            scores.put(r.name(), EvaluateJob.run(new EvaluateJob.Settings(r.bundle().toString(), data, Path.of("."),
                    out.resolve("eval-" + rows.indexOf(r)), EvalSettings.defaults().withImgsz(imgsz), true, false, false,
                    "val", 0), Log.silent()));
            irs.put(r.name(), ExportJob.run(new ExportJob.Settings(r.bundle().toString(), Path.of("."),
                    out.resolve("ir-" + rows.indexOf(r)), "model", imgsz, IrPrecision.FP32, true), Log.silent()));
        }

        // latency only for the three finished models; a cut before its fine-tune has the same shapes as after it
        List<String> timed = List.of(rows.get(0).name(), rows.get(3).name(), rows.get(5).name());
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        List<Path> cp = AgentClassPath.jarsOnly(Files.createTempDirectory("edgeprune-finetune-bench"));
        for (int round = 0; round < rounds; round++) {
            for (String name : timed) {
                ExportJob.Result ir = irs.get(name);
                VerifyJob.Outcome v = VerifyJob.run(new VerifyJob.Settings(ir.ir().xml(), ir.onnx(), Path.of(data), "val", 100,
                        DeviceSettings.local(), "onnxruntime", 10, 0, Budgets.builder().build(),
                        out.resolve("verify-" + timed.indexOf(name) + "-" + round), arch -> cp, null, "java", List.of(),
                        Duration.ofMinutes(30), false, Map.of()), Log.silent());
                medians.computeIfAbsent(name, k -> new ArrayList<>()).add(v.report().latency().median());
                System.out.printf(Locale.ROOT, "%s round %d: median %.2f ms%n", name, round + 1, v.report().latency().median());
            }
        }

        double dense = Rounds.best(medians.get(timed.get(0)));
        List<String> table = new ArrayList<>();
        table.add("| model | epochs | s/epoch | share of |γ| < 0.01 | val mAP50 | val mAP50-95 | GFLOPs | parameters "
                + "| ORT median ms (per round) | dense ÷ this |");
        table.add("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            EvaluationResult e = scores.get(r.name());
            GraphStats stats = GraphStats.of(IrReader.read(irs.get(r.name()).ir().xml()));
            List<Double> m = medians.get(r.name());
            table.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.4f | %.4f | %.2f | %,d | %s | %s |", r.name(),
                    r.epochs(), Double.isNaN(r.secondsPerEpoch()) ? "" : String.format(Locale.ROOT, "%.1f", r.secondsPerEpoch()),
                    Double.isNaN(r.smallGamma()) ? "" : String.format(Locale.ROOT, "%.3f", r.smallGamma()), e.map50(),
                    e.map50_95(), stats.gflops(), stats.parameters(), m == null ? "" : Rounds.join(m),
                    m == null ? "" : String.format(Locale.ROOT, "%.2f×", dense / Rounds.best(m))));
        }
        String result = String.join("\n", table);
        Files.writeString(out.resolve("table.md"), result + "\n");
        System.out.println(result);
        System.out.printf(Locale.ROOT, "all done in %.0f s; outputs under %s%n", (System.nanoTime() - start) / 1e9, out);
    }

    private static TrainResult train(String model, String data, int imgsz, int epochs, double bnL1, Path out, Log log)
            throws Exception {
        System.out.println("== training " + out.getFileName() + " from " + model);
        return TrainDynamicJob.run(new TrainDynamicJob.Settings(model, data, Path.of("."), out, epochs, 16, imgsz, 0, "none",
                0, 0, "layer", 1.0, 0, false, 2, null, true, null, false, false, bnL1), log).result(); // transfer: a data set of another nc gets a new head
    }

    private static Path cut(Path bundle, int imgsz, double keep, Path out) throws Exception {
        PruneChannelsJob.run(new PruneChannelsJob.Settings(bundle.toString(), Path.of("."), out,
                new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, Double.NaN, keep), imgsz, false, 0), Log.console(false));
        return out;
    }

    private static double perEpoch(TrainResult r) {
        return r.seconds() / r.epochs().size();
    }

    private static double lastSmallGamma(TrainResult r) {
        return r.epochs().get(r.epochs().size() - 1).smallGamma();
    }
}
