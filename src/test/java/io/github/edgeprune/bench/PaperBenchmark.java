package io.github.edgeprune.bench;

import io.github.edgeprune.optimize.OptimizeJob;
import io.github.edgeprune.optimize.paper.PaperStudy;
import io.github.edgeprune.testing.AgentClassPath;
import io.github.edgeprune.util.Log;
import java.nio.file.Path;
import java.util.List;

/**
 * bench/paper.sh: the paper's study (PaperStudy, what prune:optimize -Dprune.candidates=paper runs) on
 * this machine as the device. Arguments: model data imgsz epochs outputDirectory [backend]. The
 * output folder is kept, so a second run with the same arguments re-uses every row.
 */
public final class PaperBenchmark {

    private PaperBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String backend = args.length > 5 ? args[5] : "auto";
        OptimizeJob.Device device = OptimizeJob.Device.local(backend, AgentClassPath.local());
        PaperStudy.Settings s = PaperStudy.Settings.of(args[0], Path.of("."), args[1], Path.of(args[4]), device)
                .withImgsz(Integer.parseInt(args[2])).withEpochs(Integer.parseInt(args[3]));
        long started = System.nanoTime();
        PaperStudy.Outcome out = PaperStudy.run(s, Log.console());
        System.out.printf("paper study: %.0f s; %s%n", (System.nanoTime() - started) / 1e9, out.counters());
        System.out.println("device: " + out.deviceFacts());
        System.out.println("report: " + out.files().html());
        System.out.println(List.of(out.files().json(), out.files().markdown()));
    }
}
