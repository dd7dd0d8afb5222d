package io.github.edgeprune.train;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Issue #13's open gap: does a seeded run end elsewhere after other work in the same JVM? Trains
 * the tiny model a few epochs, then after each kind of other work trains again and prints whether
 * the bytes (results.csv and last weights) are those of the first run.
 */
public final class RepeatabilityProbe {

    private RepeatabilityProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("edgeprune-repeat-probe");
        Path data = ShapesDataset.generate(tmp.resolve("shapes"), 48, 16, 64, 3);
        TrainData train = TrainData.of(DataSet.load(data, "train"));
        DataSet val = DataSet.load(data, "val");
        String model = args[0];
        String coco = args[1];
        int epochs = Integer.parseInt(args[2]);
        String[] steps = args[3].split(",");
        int[] counter = {0};
        java.util.function.Supplier<String> run = () -> {
            try {
                Hyp hyp = Hyp.defaults().withNbs(16).withWarmup(1, 0).withLr0(0.05);
                TrainResult r = Trainer.train(TrainSettings.builder()
                        .model(ModelInput.scratch(TrainerTest.tinyArchitecture(3), "yolov5-tiny.yaml")).data(train)
                        .validator(EvaluatorValidator.of(val)).batch(16).imgsz(64).seed(7).workers(2).hyp(hyp)
                        .epochs(epochs).outputDirectory(tmp.resolve("run-" + counter[0]++)).log(Log.silent()).build());
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(Files.readAllBytes(r.resultsCsv()));
                md.update(Files.readAllBytes(r.last().resolve("weights.safetensors")));
                return HexFormat.of().formatHex(md.digest()).substring(0, 16);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        String first = run.get();
        System.out.println("first run: " + first);
        for (String step : steps) {
            long t0 = System.nanoTime();
            switch (step) {
                case "again" -> {
                }
                case "evaluate" -> EvaluateJob.run(new EvaluateJob.Settings(model, coco, Path.of("."), tmp.resolve("eval"),
                        EvalSettings.defaults().withImgsz(640), true, false, false, "val", 8), Log.silent());
                case "onnx" -> {
                    ExportJob.Result ir = ExportJob.run(new ExportJob.Settings(model, Path.of("."), tmp.resolve("ir"), "model",
                            320, IrPrecision.FP32, true), Log.silent());
                    EvaluateJob.run(new EvaluateJob.Settings(ir.onnx().toString(), coco, Path.of("."), tmp.resolve("eval-onnx"),
                            EvalSettings.defaults().withImgsz(320), true, false, false, "val", 8), Log.silent());
                }
                case "gc" -> {
                    for (int i = 0; i < 5; i++) {
                        System.gc();
                    }
                }
                default -> throw new IllegalArgumentException(step);
            }
            String h = run.get();
            System.out.printf("after %s (%.1f s): %s %s%n", step, (System.nanoTime() - t0) / 1e9, h,
                    h.equals(first) ? "same" : "DIFFERENT");
        }
    }
}
