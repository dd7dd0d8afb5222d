package io.github.edgeprune.train;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.prune.PruneScope;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.YamlProblem;
import io.github.edgeprune.yolo.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The train-dynamic goal without Maven: check every setting first, read the data yaml's train
 * and val splits and the model, train with the chosen pruning schedule, and report the final
 * sparsity as prune-static does. A run whose model, data and settings are unchanged since it
 * finished is skipped (its {@code best} bundle is the result).
 */
public final class TrainDynamicJob {

    /** What the goal was asked to do, as typed. */
    public record Settings(String model, String data, Path baseDir, Path output, int epochs, int batch, int imgsz,
            long seed, String schedule, double convSparsity, double bnSparsity, String scope, double gradualEnd,
            int gradualInterval, boolean resume, int workers, Integer patience, boolean transfer, String hyp,
            boolean plots, boolean skipCorrupt, double bnL1) {
    }

    /** The trained bundle to hand on ({@code best}), and the run, or null when it was up to date. */
    public record Outcome(Path bundle, TrainResult result, boolean skipped) {
    }

    private TrainDynamicJob() {
    }

    public static Outcome run(Settings s, Log log) throws IOException {
        // refused before any work starts, with the trainer's own checks
        TrainSettings.Builder builder = TrainSettings.builder()
                .epochs(s.epochs())
                .batch(s.batch())
                .imgsz(s.imgsz())
                .seed(s.seed())
                .schedule(PruneSchedule.parse(s.schedule()))
                .convSparsity(s.convSparsity())
                .bnSparsity(s.bnSparsity())
                .scope(PruneScope.parse(s.scope()))
                .gradualEnd(s.gradualEnd())
                .gradualInterval(s.gradualInterval())
                .outputDirectory(s.output())
                .resume(s.resume())
                .workers(s.workers())
                .patience(s.patience())
                .transfer(s.transfer())
                .plots(s.plots())
                .bnL1(s.bnL1())
                .log(log);
        builder.build().validateRun();
        if (s.data() == null || s.data().isBlank()) {
            throw new IllegalArgumentException("no data set given: set prune.data to an Ultralytics data yaml");
        }
        Path dataYaml = s.baseDir().resolve(s.data()).normalize();
        Hyp hyp = s.hyp() == null || s.hyp().isBlank() ? Hyp.defaults() : readHyp(s.baseDir().resolve(s.hyp()));

        Path best = s.output().resolve(Trainer.BEST);
        Path stamp = s.output().resolve(Fingerprint.FILE_NAME);
        List<Path> inputs = new ArrayList<>(List.of(dataYaml));
        Path modelPath = s.baseDir().resolve(s.model()).normalize();
        if (Files.exists(modelPath)) {
            inputs.add(modelPath);
        }
        String fingerprint = Fingerprint.of(inputs, settingsMap(s));
        if (!s.resume() && Fingerprint.upToDate(stamp, fingerprint, List.of(best.resolve(ModelBundle.WEIGHTS)))) {
            log.info("Trained bundle " + best + " is up to date (model, data and settings unchanged), skipping"
                    + " train-dynamic");
            return new Outcome(best, null, true);
        }

        DataSet train = DataSet.load(dataYaml, "train", s.skipCorrupt(), log);
        DataSet val = DataSet.load(dataYaml, "val", s.skipCorrupt(), log);
        ModelInput model = ModelInput.load(s.model(), s.baseDir(), s.seed(), log);
        TrainSettings settings = builder
                .model(model)
                .data(TrainData.of(train))
                .validator(EvaluatorValidator.of(val))
                .hyp(hyp)
                .build();
        TrainResult result = Trainer.train(settings); // logs the model summary before and after
        log.info("Results: " + result.resultsCsv() + "; best: " + result.best() + "; last: " + result.last());
        Fingerprint.record(stamp, fingerprint);
        return new Outcome(result.best(), result, false);
    }

    private static Map<String, String> settingsMap(Settings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", s.model());
        m.put("epochs", Integer.toString(s.epochs()));
        m.put("batch", Integer.toString(s.batch()));
        m.put("imgsz", Integer.toString(s.imgsz()));
        m.put("seed", Long.toString(s.seed()));
        m.put("schedule", s.schedule());
        m.put("conv", Double.toString(s.convSparsity()));
        m.put("bn", Double.toString(s.bnSparsity()));
        m.put("scope", s.scope());
        m.put("gradualEnd", Double.toString(s.gradualEnd()));
        m.put("gradualInterval", Integer.toString(s.gradualInterval()));
        m.put("patience", String.valueOf(s.patience()));
        m.put("transfer", Boolean.toString(s.transfer()));
        m.put("hyp", String.valueOf(s.hyp()));
        m.put("bnL1", Double.toString(s.bnL1()));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Hyp readHyp(Path file) {
        try {
            Object y = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
            if (!(y instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(file + ": a hyperparameter yaml must be a mapping");
            }
            return Hyp.fromMap((Map<String, Object>) y, file.toString());
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": malformed hyperparameter yaml at "
                    + YamlProblem.describe(e), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read hyperparameters: " + e.getMessage(), e);
        }
    }
}
