package io.github.edgeprune.bench;

import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bench/evaluate.sh: evaluate of a model on a data set, twice in one JVM (the first run pays
 * for loading the natives and JIT), printing val.py's per-image times of the second.
 * Arguments: model data imgsz batch.
 */
public final class EvaluateBenchmark {

    private EvaluateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String data = args[1];
        int imgsz = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        Path out = Files.createTempDirectory("edgeprune-bench");
        EvaluationResult r = null;
        for (int run = 1; run <= 2; run++) {
            long t0 = System.nanoTime();
            r = EvaluateJob.run(new EvaluateJob.Settings(model, data, Path.of("."), out,
                    EvalSettings.defaults().withImgsz(imgsz).withBatch(batch), false, false, false, "val", 0), Log.silent());
            System.out.printf("run %d: %.1f s wall, mAP50 %.4f mAP50-95 %.4f P %.4f R %.4f%n", run,
                    (System.nanoTime() - t0) / 1e9, r.map50(), r.map50_95(), r.precision(), r.recall());
        }
        System.out.printf("per image at %d, batch %d: %.1f ms pre-process, %.1f ms inference, %.1f ms NMS (%d images)%n",
                imgsz, batch, r.msPreprocess(), r.msInference(), r.msNms(), r.images());
    }
}
