package io.github.edgeprune.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.edgeprune.prune.PruneRecord;
import java.nio.file.Path;
import java.util.List;

/**
 * What a training run produced.
 *
 * @param outputDirectory the run's folder
 * @param last bundle of the final epoch's (EMA) weights
 * @param best bundle of the epoch with the best fitness (0.1·mAP50 + 0.9·mAP50-95)
 * @param resultsCsv one row per epoch
 * @param plots PNG charts
 * @param summary this result as JSON
 * @param epochs the rows of results.csv
 * @param bestEpoch 0-based epoch saved as {@code best}
 * @param lastRecord pruning record of {@code last} (sparsities measured on the saved weights)
 * @param bestRecord pruning record of {@code best}
 * @param stoppedEarly true when patience ended the run before its last epoch
 * @param resumedAfter the epoch after which this run resumed, or -1
 * @param seconds wall time of the epochs run (across resumptions)
 */
public record TrainResult(Path outputDirectory, Path last, Path best, Path resultsCsv, List<Path> plots, Path summary,
        List<EpochRecord> epochs, int bestEpoch, PruneRecord lastRecord, PruneRecord bestRecord, boolean stoppedEarly,
        int resumedAfter, double seconds) {

    public TrainResult {
        plots = List.copyOf(plots);
        epochs = List.copyOf(epochs);
    }

    /** Metrics of the final epoch. */
    public Metrics finalMetrics() {
        return epochs.isEmpty() ? Metrics.NONE : epochs.get(epochs.size() - 1).metrics();
    }

    /** Metrics of the best epoch. */
    public Metrics bestMetrics() {
        for (EpochRecord r : epochs) {
            if (r.epoch() == bestEpoch) {
                return r.metrics();
            }
        }
        return Metrics.NONE;
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("outputDirectory", outputDirectory.toString());
        o.addProperty("last", last.toString());
        o.addProperty("best", best.toString());
        o.addProperty("resultsCsv", resultsCsv.toString());
        JsonArray p = new JsonArray();
        plots.forEach(x -> p.add(x.toString()));
        o.add("plots", p);
        o.addProperty("epochsRun", epochs.size());
        o.addProperty("bestEpoch", bestEpoch);
        o.addProperty("stoppedEarly", stoppedEarly);
        o.addProperty("resumedAfter", resumedAfter);
        o.addProperty("seconds", seconds);
        o.add("final", metrics(finalMetrics()));
        o.add("bestMetrics", metrics(bestMetrics()));
        o.addProperty("convSparsity", lastRecord.convSparsity());
        o.addProperty("bnSparsity", lastRecord.bnSparsity());
        o.addProperty("schedule", lastRecord.schedule());
        o.addProperty("scope", lastRecord.scope());
        JsonArray rows = new JsonArray();
        for (EpochRecord r : epochs) {
            JsonObject e = new JsonObject();
            e.addProperty("epoch", r.epoch());
            e.addProperty("map50", r.metrics().map50());
            e.addProperty("map50to95", r.metrics().map50to95());
            e.addProperty("convSparsity", r.convSparsity());
            e.addProperty("bnSparsity", r.bnSparsity());
            e.addProperty("seconds", r.seconds());
            rows.add(e);
        }
        o.add("epochs", rows);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    private static JsonObject metrics(Metrics m) {
        JsonObject o = new JsonObject();
        o.addProperty("precision", m.precision());
        o.addProperty("recall", m.recall());
        o.addProperty("map50", m.map50());
        o.addProperty("map50to95", m.map50to95());
        o.addProperty("fitness", m.fitness());
        return o;
    }
}
