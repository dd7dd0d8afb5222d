package io.github.edgeprune.bench;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.openvino.IrReader;
import io.github.edgeprune.prune.channels.ChannelImportance;
import io.github.edgeprune.prune.channels.ChannelPruner;
import io.github.edgeprune.prune.channels.PruneChannelsJob;
import io.github.edgeprune.testing.AgentClassPath;
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
 * bench/channels-latency.sh: dense against channel-pruned yolov5n, side by side in one run on
 * this machine. For each input size the dense model and each targetFlops cut (bn-gamma, no
 * fine-tune: speed does not depend on the weights' values) are exported as FP32 IR + ONNX twin,
 * then verify-on-device -Dprune.device=local measures batch-1 latency with each backend, the
 * models interleaved in every round so that load drifts over all of them alike. Arguments:
 * model data sizes(640,320) targets(0.6,0.4) images rounds [roundTo list(8); e.g. 8,16 cuts each target both ways].
 */
public final class ChannelsLatencyBenchmark {

    private ChannelsLatencyBenchmark() {
    }

    private record Candidate(String name, Path ir, Path onnx, double gflops, long parameters) {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("edgeprune-channels-bench");
        String model = args[0];
        Path data = Path.of(args[1]);
        int images = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        String[] roundTos = (args.length > 6 ? args[6] : "8").split(",");
        List<Path> cp = AgentClassPath.jarsOnly(tmp);
        List<String> table = new ArrayList<>();
        table.add("| imgsz | model | GFLOPs | parameters | backend | median ms (per round) | dense ÷ this |");
        table.add("|---|---|---|---|---|---|---|");
        for (String size : args[2].split(",")) {
            int imgsz = Integer.parseInt(size.trim());
            List<Candidate> models = new ArrayList<>();
            models.add(export("dense", model, imgsz, tmp));
            for (String t : args[3].split(",")) {
                double keep = Double.parseDouble(t.trim());
                for (String r : roundTos) {
                    int roundTo = Integer.parseInt(r.trim());
                    Path bundle = tmp.resolve("channels-" + imgsz + "-" + t + "-r" + roundTo);
                    PruneChannelsJob.run(new PruneChannelsJob.Settings(model, Path.of("."), bundle,
                            new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, roundTo, Double.NaN, keep), imgsz, false, 0),
                            Log.silent());
                    models.add(export("targetFlops " + t + (roundTos.length > 1 ? " roundTo " + roundTo : ""),
                            bundle.toString(), imgsz, tmp));
                }
            }
            for (String backend : List.of("onnxruntime", "djl")) {
                Map<String, List<Double>> medians = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (Candidate c : models) {
                        VerifyJob.Outcome out = VerifyJob.run(new VerifyJob.Settings(c.ir(), c.onnx(), data, "val", images,
                                DeviceSettings.local(), backend, 10, 0, Budgets.builder().build(),
                                tmp.resolve("reports-" + imgsz + "-" + backend + "-" + r + "-" + models.indexOf(c)),
                                arch -> cp, null, "java", List.of(), Duration.ofMinutes(30), false, Map.of()),
                                Log.silent());
                        medians.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(out.report().latency().median());
                        System.out.printf(Locale.ROOT, "%d %s %s round %d: median %.2f ms%n", imgsz, backend, c.name(),
                                r + 1, out.report().latency().median());
                    }
                }
                double dense = Rounds.best(medians.get("dense"));
                for (Candidate c : models) {
                    List<Double> m = medians.get(c.name());
                    table.add(String.format(Locale.ROOT, "| %d | %s | %.2f | %,d | %s | %s | %.2f× |", imgsz, c.name(),
                            c.gflops(), c.parameters(), backend, Rounds.join(m), dense / Rounds.best(m)));
                }
            }
        }
        System.out.println(String.join("\n", table));
    }

    private static Candidate export(String name, String model, int imgsz, Path tmp) throws Exception {
        ExportJob.Result r = ExportJob.run(new ExportJob.Settings(model, Path.of("."),
                tmp.resolve("ir-" + imgsz + "-" + name.replace(' ', '-')), "model", imgsz, IrPrecision.FP32, true),
                Log.silent());
        GraphStats stats = GraphStats.of(IrReader.read(r.ir().xml()));
        return new Candidate(name, r.ir().xml(), r.onnx(), stats.gflops(), stats.parameters());
    }
}
