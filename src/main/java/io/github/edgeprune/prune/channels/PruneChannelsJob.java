package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.ModelSummary;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.train.EvaluatorValidator;
import io.github.edgeprune.train.Validator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * The prune-channels goal without Maven: load a model, remove whole output channels with
 * {@link ChannelPruner} (a pass over the traced graph), and write a bundle whose weights have the
 * new shapes and whose {@code prune.json} says what was removed. Skipped when the model file and
 * settings are unchanged since the bundle was written.
 */
public final class PruneChannelsJob {

    /**
     * What the goal was asked to do.
     *
     * @param imgsz the input size GFLOPs (and, with maxMapDrop, mAP50) are measured at
     * @param data a data yaml whose val split measures mAP50 for {@code maxMapDrop}, or null
     * @param maxMapDrop the most mAP50 the cut may cost (no fine-tune), or NaN for none
     */
    public record Settings(String model, Path baseDir, Path output, ChannelPruner.Settings pruning, int imgsz,
            boolean verbose, long seed, String data, double maxMapDrop) {

        /** Without a mAP50 limit. */
        public Settings(String model, Path baseDir, Path output, ChannelPruner.Settings pruning, int imgsz,
                boolean verbose, long seed) {
            this(model, baseDir, output, pruning, imgsz, verbose, seed, null, Double.NaN);
        }

        public Settings {
            if (!Double.isNaN(maxMapDrop)) {
                if (!(maxMapDrop >= 0 && maxMapDrop < 1)) {
                    throw new ChannelPruningException("prune.maxMapDrop must be a fraction in [0, 1) of mAP50, e.g."
                            + " 0.02, got " + maxMapDrop);
                }
                if (data == null || data.isBlank()) {
                    throw new ChannelPruningException("prune.maxMapDrop needs prune.data: the data yaml whose val split"
                            + " measures mAP50");
                }
            }
        }
    }

    /** What it did (record and summaries are null when skipped). */
    public record Result(Path bundle, ChannelRecord record, ModelSummary before, ModelSummary after, boolean skipped) {
    }

    private PruneChannelsJob() {
    }

    public static Result run(Settings s, Log log) throws IOException {
        if (s.imgsz() < 32 || s.imgsz() % 32 != 0) {
            throw new ChannelPruningException("prune.imgsz must be a positive multiple of 32, got " + s.imgsz());
        }
        Path modelPath = s.baseDir().resolve(s.model()).normalize();
        ChannelPruner.Settings p = s.pruning();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model", s.model());
        settings.put("importance", p.importance().id());
        settings.put("roundTo", Integer.toString(p.roundTo()));
        settings.put("channelRatio", Double.toString(p.channelRatio()));
        settings.put("targetFlops", Double.toString(p.targetFlops()));
        settings.put("imgsz", Integer.toString(s.imgsz()));
        settings.put("seed", Long.toString(s.seed()));
        settings.put("maxMapDrop", Double.toString(s.maxMapDrop()));
        List<Path> inputs = new ArrayList<>(List.of(modelPath));
        Path dataYaml = Double.isNaN(s.maxMapDrop()) ? null : s.baseDir().resolve(s.data()).normalize();
        if (dataYaml != null) {
            inputs.add(dataYaml);
        }
        String fingerprint = Fingerprint.of(inputs, settings);
        Path stamp = s.output().resolve(Fingerprint.FILE_NAME);
        if (Fingerprint.upToDate(stamp, fingerprint, List.of(s.output().resolve(ModelBundle.WEIGHTS)))) {
            log.info("Channel-pruned bundle " + s.output() + " is up to date (model and settings unchanged),"
                    + " skipping prune-channels");
            return new Result(s.output(), null, null, null, true);
        }

        YoloModel model = ModelLoader.load(s.model(), s.baseDir(), s.seed(), log);
        Graph graph = model.graph(s.imgsz());
        ModelSummary before = ModelSummary.of(model.displayName(), graph);
        log.info("Before: " + before);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("source", model.source());
        ChannelPruner.Result result;
        if (dataYaml == null) {
            result = new ChannelPruner(graph, p).prune();
        } else {
            DataSet val = DataSet.load(dataYaml, "val");
            Validator validator = EvaluatorValidator.of(val);
            long start = System.nanoTime();
            ChannelPruner.Limited limited = new ChannelPruner(graph, p).pruneWithin(g -> {
                double m;
                try {
                    m = validator.validate(model.withStateDict(g.stateDict()), s.imgsz(), 0).map50();
                } catch (IOException e) {
                    throw new UncheckedIOException(dataYaml + ": cannot evaluate: " + e.getMessage(), e);
                }
                return m;
            }, s.maxMapDrop(), log::info);
            result = limited.result();
            log.info(String.format(Locale.ROOT, "maxMapDrop: %d evaluations, %.0f s, on %d val images of %s at %d",
                    limited.evaluations(), (System.nanoTime() - start) / 1e9, val.size(), dataYaml, s.imgsz()));
            extra.put("maxMapDrop", Double.toString(s.maxMapDrop()));
            extra.put("map50_before", String.format(Locale.ROOT, "%.4f", limited.baseScore()));
            extra.put("map50_after", String.format(Locale.ROOT, "%.4f", limited.score()));
            extra.put("map50_data", dataYaml.toString());
        }
        ChannelRecord channels = ChannelRecord.of(p, result, s.imgsz());
        YoloModel shrunk = model.withStateDict(result.graph().stateDict());
        Graph rebuilt = shrunk.graph(s.imgsz()); // the builder reads the new widths back from the weights
        PruneRecord record = PruneRecord.measure("channels", "once", "global", 0, 0, shrunk.stateDict(),
                PruneTargets.of(rebuilt), extra).withChannels(channels);
        YoloModel pruned = shrunk.withMetadata(ModelBundle.pruningMetadata(record));
        channels.summaryLines().forEach(log::info);
        if (s.verbose()) {
            log.info(channels.table());
        }
        ModelSummary after = ModelSummary.of(model.displayName(), rebuilt);
        log.info("After:  " + after);
        log.info("The removed channels are gone from the weights: every runtime does less work. Accuracy drops"
                + " until the model is fine-tuned: mvn prune:train-dynamic -Dprune.model=" + s.output()
                + " -Dprune.schedule=none -Dprune.data=<your data yaml>");
        Path parent = s.output().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ModelBundle.write(s.output(), pruned, record);
        Fingerprint.record(stamp, fingerprint);
        log.info("Channel-pruned bundle: " + s.output());
        return new Result(s.output(), channels, before, after, false);
    }
}
