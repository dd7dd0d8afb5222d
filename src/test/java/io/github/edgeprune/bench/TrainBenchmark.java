package io.github.edgeprune.bench;

import io.github.edgeprune.train.EpochRecord;
import io.github.edgeprune.train.TrainDynamicJob;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bench/train.sh: fine-tune a model with the paper's dynamic pruning and print seconds per
 * epoch (training loop and validation separately where the run reports them), the final mAP50
 * and sparsity. Arguments: model data imgsz epochs batch schedule.
 */
public final class TrainBenchmark {

    private TrainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Files.createTempDirectory("edgeprune-train-bench");
        TrainDynamicJob.Outcome o = TrainDynamicJob.run(new TrainDynamicJob.Settings(args[0], args[1], Path.of("."), out,
                Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[2]), 0, args[5], 0.2, 0.1,
                "layer", 1.0, 0, false, 2, null, false, null, false, false, 0), Log.console(true)); // debug: the trainer's per-phase times
        for (EpochRecord e : o.result().epochs()) {
            System.out.println("epoch " + e);
        }
        System.out.printf("%.1f s for %d epochs (%.1f s/epoch including validation); final %s%n", o.result().seconds(),
                o.result().epochs().size(), o.result().seconds() / o.result().epochs().size(), o.result().lastRecord()
                        .paperLines("Dynamic pruning"));
        System.out.println("output: " + out);
    }
}
