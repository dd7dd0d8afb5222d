package io.github.edgeprune.bench;

import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bench/export.sh: export-openvino of a model (FP16, with the ONNX twin) five times into fresh
 * folders in one JVM (cold first, then warm), then the no-change rebuild that must skip.
 * Arguments: model imgsz.
 */
public final class ExportBenchmark {

    private ExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        int imgsz = Integer.parseInt(args[1]);
        Path root = Files.createTempDirectory("edgeprune-export-bench");
        double warm = Double.MAX_VALUE;
        for (int i = 1; i <= 5; i++) {
            Path out = root.resolve("run" + i);
            long t0 = System.nanoTime();
            ExportJob.Result r = ExportJob.run(new ExportJob.Settings(model, Path.of("."), out, null, imgsz, IrPrecision.FP16,
                    true), Log.silent());
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("export %d: %.2f s (%s)%n", i, s, r.ir().summary());
            if (i > 1) {
                warm = Math.min(warm, s);
            }
        }
        long t0 = System.nanoTime();
        ExportJob.Result again = ExportJob.run(new ExportJob.Settings(model, Path.of("."), root.resolve("run5"), null, imgsz,
                IrPrecision.FP16, true), Log.silent());
        double skip = (System.nanoTime() - t0) / 1e9;
        System.out.printf("warm export (best of runs 2-5): %.2f s; no-change rebuild: %.3f s (skipped: %s)%n", warm, skip,
                again.ir().skipped());
        AtomicOutput.deleteRecursively(root);
    }
}
