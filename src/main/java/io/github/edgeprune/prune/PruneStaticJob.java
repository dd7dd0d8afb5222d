package io.github.edgeprune.prune;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.ModelSummary;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The prune-static goal without Maven: load a model, L1-prune its Conv2d and BatchNorm2d
 * weights once (the paper's static pruning), report the sparsity as the paper computes it, and
 * write the pruned bundle. Skipped when the model file and settings are unchanged since the
 * bundle was written.
 */
public final class PruneStaticJob {

    /** What the goal was asked to do. */
    public record Settings(String model, Path baseDir, Path output, double convSparsity, double bnSparsity,
            PruneScope scope, boolean verbose, long seed) {
    }

    /** What it did. */
    public record Result(Path bundle, PruneRecord record, ModelSummary before, ModelSummary after, boolean skipped) {
    }

    private PruneStaticJob() {
    }

    public static Result run(Settings s, Log log) throws IOException {
        StaticPruning.Amounts amounts = new StaticPruning.Amounts(s.convSparsity(), s.bnSparsity(), s.scope());
        Path modelPath = s.baseDir().resolve(s.model()).normalize();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model", s.model());
        settings.put("conv", Double.toString(s.convSparsity()));
        settings.put("bn", Double.toString(s.bnSparsity()));
        settings.put("scope", s.scope().name());
        settings.put("seed", Long.toString(s.seed()));
        String fingerprint = Fingerprint.of(List.of(modelPath), settings);
        Path stamp = s.output().resolve(Fingerprint.FILE_NAME);
        if (Fingerprint.upToDate(stamp, fingerprint, List.of(s.output().resolve(ModelBundle.WEIGHTS)))) {
            log.info("Pruned bundle " + s.output() + " is up to date (model and settings unchanged), skipping prune-static");
            return new Result(s.output(), null, null, null, true);
        }

        YoloModel model = ModelLoader.load(s.model(), s.baseDir(), s.seed(), log);
        Graph graph = model.graph(640);
        ModelSummary before = ModelSummary.of(model.displayName(), graph);
        log.info("Before: " + before);
        PruneTargets targets = PruneTargets.of(graph);
        Map<String, HostTensor> weights = model.copyStateDict();
        StaticPruning.apply(weights, targets, amounts);
        PruneRecord record = PruneRecord.measure("static", "once", s.scope().name().toLowerCase(Locale.ROOT),
                s.convSparsity(), s.bnSparsity(), weights, targets, Map.of("source", model.source()));
        YoloModel pruned = model.withStateDict(weights).withMetadata(ModelBundle.pruningMetadata(record));
        record.paperLines("Static pruning").forEach(log::info);
        if (s.verbose()) {
            log.info(record.table());
        }
        ModelSummary after = ModelSummary.of(model.displayName(), pruned.graph(640));
        log.info("After:  " + after);
        log.info("Unstructured zeros keep every tensor's shape: parameters and GFLOPs are unchanged; the gain is in"
                + " what compresses and what sparse kernels can skip.");
        if (s.bnSparsity() > 0) {
            log.warn("Zeroed BatchNorm2d weights leave their channels at a constant bias, which costs a lot of accuracy"
                    + " until the model is fine-tuned (yolov5n at 0.2/0.1 falls from about 0.55 to 0.02 mAP50 on COCO128)."
                    + " Fine-tune it as the paper's static flow does: mvn prune:train-dynamic -Dprune.model=" + s.output()
                    + " -Dprune.schedule=fixed -Dprune.data=<your data yaml>");
        }
        Files.createDirectories(s.output().toAbsolutePath().getParent());
        ModelBundle.write(s.output(), pruned, record);
        Fingerprint.record(stamp, fingerprint);
        log.info("Pruned bundle: " + s.output());
        return new Result(s.output(), record, before, after, false);
    }
}
