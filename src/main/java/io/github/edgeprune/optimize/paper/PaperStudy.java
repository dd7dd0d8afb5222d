package io.github.edgeprune.optimize.paper;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.optimize.CandidateCache;
import io.github.edgeprune.optimize.DeviceFigures;
import io.github.edgeprune.optimize.DeviceStep;
import io.github.edgeprune.optimize.OptimizeException;
import io.github.edgeprune.optimize.OptimizeJob;
import io.github.edgeprune.prune.L1Pruner;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.prune.PruneScope;
import io.github.edgeprune.prune.PruneStaticJob;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.prune.StaticPruning;
import io.github.edgeprune.train.TrainDynamicJob;
import io.github.edgeprune.train.Trainer;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.ModelZoo;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's study on the user's model and data ({@code prune:optimize -Dprune.candidates=paper}):
 * static pruning (prune-static, then fine-tuning that keeps its zeros, schedule fixed) against
 * dynamic pruning (train-dynamic, schedule epoch) at the paper's amounts, next to the unpruned model
 * fine-tuned the same way, every row with the same epochs and seed. Each row is exported (ExportJob);
 * once every row is built they are measured back to back on the device with verify-on-device's code
 * ({@link VerifyJob}): mAP50, median inference ms and peak memory, the paper's three measures. {@link PaperReport} writes them as the
 * paper's Tables 1-2 and Figs. 5-8.
 *
 * <p>Everything a row makes lives under {@code <outputDirectory>/paper/<row>/} and is skipped when
 * up to date: prune-static, train-dynamic and export-openvino skip themselves by fingerprint, and the
 * device figures are kept by {@link CandidateCache} under the fingerprint of the IR's bytes, the data
 * and the device settings. A re-run with nothing changed trains and measures nothing, and says so.
 */
public final class PaperStudy {

    /** YOLOv5's training size; the paper does not state another. */
    public static final int DEFAULT_IMGSZ = 640;
    /** prune.fineTuneEpochs when not set: enough for the static row to recover some accuracy, not a full training. */
    public static final int DEFAULT_EPOCHS = 10;
    /** YOLOv5's batch size. */
    public static final int DEFAULT_BATCH = 16;
    /** train-dynamic's default image-loading threads. */
    public static final int DEFAULT_WORKERS = 2;

    static final String FOLDER = "paper";


    /**
     * What to compare.
     *
     * @param model the model every row starts from (.pt, bundle, yaml): prune.model
     * @param baseDir what relative paths are relative to (the project folder)
     * @param data Ultralytics data yaml (train split fine-tunes, val split measures): prune.data
     * @param imgsz training, export and measuring size, a multiple of 32 (default 640): prune.imgsz
     * @param epochs fine-tuning epochs of every row (default 10): prune.fineTuneEpochs
     * @param batch training batch (default 16): prune.batch
     * @param seed seed of every row's training (default 0): prune.seed
     * @param maxImages val images measured on the device, 0 for all (default 0): prune.maxImages
     * @param outputDirectory the optimize folder; the study goes to its {@code paper} sub-folder
     * @param device how the device is reached and measured, as optimize takes it
     * @param convSparsity Conv2d amount; NaN: the paper's for the model ({@link #paperAmounts})
     * @param bnSparsity BatchNorm2d amount; NaN: the paper's for the model
     * @param precision IR precision, FP16 (default) or FP32
     * @param workers image-loading threads of the training (default 2)
     */
    public record Settings(String model, Path baseDir, String data, int imgsz, int epochs, int batch, long seed,
            int maxImages, Path outputDirectory, OptimizeJob.Device device, double convSparsity, double bnSparsity,
            IrPrecision precision, int workers) {

        public Settings {
            if (model == null || model.isBlank()) {
                throw new OptimizeException("no model to study: set prune.model to a .pt checkpoint, a bundle or a model yaml");
            }
            if (data == null || data.isBlank()) {
                throw new OptimizeException("no data set given: set prune.data to an Ultralytics data yaml (its train split"
                        + " fine-tunes every row, its val split measures them)");
            }
            if (epochs < 1) {
                throw new OptimizeException("prune.fineTuneEpochs must be at least 1 for the paper's study (every row is"
                        + " fine-tuned that many epochs), got " + epochs);
            }
            if (batch < 1) {
                throw new OptimizeException("prune.batch must be at least 1, got " + batch);
            }
            if (imgsz < 32 || imgsz % 32 != 0) {
                throw new OptimizeException("prune.imgsz must be a positive multiple of 32, got " + imgsz);
            }
            if (maxImages < 0) {
                throw new OptimizeException("prune.maxImages must be 0 (all) or more, got " + maxImages);
            }
            if (workers < 1) {
                throw new OptimizeException("prune.workers must be at least 1, got " + workers);
            }
            if (outputDirectory == null) {
                throw new OptimizeException("prune.optimizeOutput is required (the study goes to its paper folder)");
            }
            if (device == null) {
                throw new OptimizeException("prune.device is required (local or user@host)");
            }
            baseDir = baseDir == null ? Path.of(".") : baseDir;
            precision = precision == null ? IrPrecision.FP16 : precision;
            if (precision == IrPrecision.INT8) {
                throw new OptimizeException("prune.precision: the paper's study exports FP16 or FP32 (its pruning is"
                        + " compared in float), got INT8");
            }
            double[] paper = paperAmounts(model);
            convSparsity = Double.isNaN(convSparsity) ? paper[0] : convSparsity;
            bnSparsity = Double.isNaN(bnSparsity) ? paper[1] : bnSparsity;
            try {
                L1Pruner.checkAmount(convSparsity, "prune.convSparsity");
                L1Pruner.checkAmount(bnSparsity, "prune.bnSparsity");
            } catch (IllegalArgumentException e) {
                throw new OptimizeException(e.getMessage());
            }
        }

        /** The defaults above for everything but what has none. */
        public static Settings of(String model, Path baseDir, String data, Path outputDirectory,
                OptimizeJob.Device device) {
            return new Settings(model, baseDir, data, DEFAULT_IMGSZ, DEFAULT_EPOCHS, DEFAULT_BATCH, 0, 0,
                    outputDirectory, device, Double.NaN, Double.NaN, IrPrecision.FP16, DEFAULT_WORKERS);
        }

        public Settings withImgsz(int v) {
            return new Settings(model, baseDir, data, v, epochs, batch, seed, maxImages, outputDirectory, device,
                    convSparsity, bnSparsity, precision, workers);
        }

        public Settings withEpochs(int v) {
            return new Settings(model, baseDir, data, imgsz, v, batch, seed, maxImages, outputDirectory, device,
                    convSparsity, bnSparsity, precision, workers);
        }

        public Settings withBatch(int v) {
            return new Settings(model, baseDir, data, imgsz, epochs, v, seed, maxImages, outputDirectory, device,
                    convSparsity, bnSparsity, precision, workers);
        }

        public Settings withSeed(long v) {
            return new Settings(model, baseDir, data, imgsz, epochs, batch, v, maxImages, outputDirectory, device,
                    convSparsity, bnSparsity, precision, workers);
        }

        public Settings withMaxImages(int v) {
            return new Settings(model, baseDir, data, imgsz, epochs, batch, seed, v, outputDirectory, device,
                    convSparsity, bnSparsity, precision, workers);
        }

        public Settings withAmounts(double conv, double bn) {
            return new Settings(model, baseDir, data, imgsz, epochs, batch, seed, maxImages, outputDirectory, device,
                    conv, bn, precision, workers);
        }

        public Settings withWorkers(int v) {
            return new Settings(model, baseDir, data, imgsz, epochs, batch, seed, maxImages, outputDirectory, device,
                    convSparsity, bnSparsity, precision, v);
        }

        /** Where the study's rows and reports go. */
        public Path studyFolder() {
            return outputDirectory.resolve(FOLDER);
        }
    }

    /**
     * What the study measured, in the paper's order (dynamic, static) then the unpruned row, and
     * what this run did itself against what it found up to date.
     */
    public record Outcome(List<PaperRow> rows, Counters counters, Map<String, Object> deviceFacts, double seconds,
            PaperReport.Written files) {

        public PaperRow row(PaperMethod method) {
            return rows.stream().filter(r -> r.method() == method).findFirst().orElseThrow();
        }
    }

    /** Steps run in this run and steps found up to date (from an earlier run with the same inputs). */
    public record Counters(int prunes, int prunesCached, int trainings, int trainingsCached, int exports,
            int exportsCached, int deviceRuns, int deviceRunsCached) {

        /** True when nothing was pruned, trained, exported or measured again. */
        public boolean nothingRedone() {
            return prunes == 0 && trainings == 0 && exports == 0 && deviceRuns == 0;
        }
    }

    private PaperStudy() {
    }

    /** The paper's amounts for the model ({@link StaticPruning.Amounts#paper}), as {conv, bn}. */
    public static double[] paperAmounts(String model) {
        StaticPruning.Amounts a = StaticPruning.Amounts.paper(model);
        return new double[] {a.conv(), a.bn()};
    }

    public static Outcome run(Settings s, Log log) throws IOException {
        long started = System.nanoTime();
        Path modelPath = s.baseDir().resolve(s.model()).normalize();
        if (!Files.exists(modelPath) && !ModelZoo.isBundled(s.model())) {
            throw new OptimizeException("prune.model: no such file or folder: " + modelPath);
        }
        // absolute: the device's agent runs in a folder of its own, where a relative IR path means nothing
        Path dataYaml = s.baseDir().resolve(s.data()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(dataYaml)) {
            throw new OptimizeException("prune.data: no such data yaml: " + dataYaml);
        }
        try {
            VerifyJob.checkBackend(s.device().backend());
        } catch (IllegalArgumentException e) {
            throw new OptimizeException(e.getMessage());
        }
        DataSet val = DataSet.load(dataYaml, "val");
        if (s.maxImages() > 0 && s.maxImages() < val.size()) {
            val = val.first(s.maxImages());
        }
        if (val.size() == 0) {
            throw new OptimizeException("prune.data: " + dataYaml + " has no val images to measure the rows on");
        }
        Path root = s.baseDir().resolve(s.studyFolder()).toAbsolutePath().normalize();
        Files.createDirectories(root);
        log.info(String.format(Locale.ROOT, "Paper study: %s on %s at %d px, %d epochs (batch %d, seed %d) for every"
                + " row, Conv2d %.2f / BatchNorm2d %.2f, measured on %s (%s, %d val images): dynamic, static and the"
                + " unpruned model fine-tuned the same way", s.model(), s.data(), s.imgsz(), s.epochs(), s.batch(),
                s.seed(), s.convSparsity(), s.bnSparsity(), s.device().spec(), s.device().backend(), val.size()));

        Study study = new Study(s, new CandidateCache(root), dataYaml, OptimizeJob.dataSignature(dataYaml, val), val.names());
        // the unpruned row first: if the model or data cannot train, that shows before any pruning
        PaperMethod[] runOrder = {PaperMethod.UNPRUNED, PaperMethod.STATIC, PaperMethod.DYNAMIC};
        List<Built> built = new ArrayList<>();
        for (int i = 0; i < runOrder.length; i++) {
            PaperMethod m = runOrder[i];
            Log rowLog = Log.prefixed(log, "[paper " + (i + 1) + "/" + runOrder.length + " " + m.id() + "] ");
            rowLog.info(m.describe(s.convSparsity(), s.bnSparsity(), s.epochs()));
            built.add(study.build(m, rowLog));
        }
        // every row on the device only once all are built: the measurements then lie minutes apart, not the
        // length of two trainings, which matters on a device whose load changes over time
        List<PaperRow> rows = new ArrayList<>();
        for (int i = 0; i < built.size(); i++) {
            PaperMethod m = built.get(i).method();
            rows.add(study.measure(built.get(i), Log.prefixed(log, "[paper device " + (i + 1) + "/" + built.size() + " "
                    + m.id() + "] ")));
        }
        rows.sort(Comparator.comparingInt(r -> r.method().ordinal()));

        Counters counters = study.counters();
        Map<String, Object> facts = study.deviceFacts;
        double seconds = (System.nanoTime() - started) / 1e9;
        PaperReport.Written files = PaperReport.write(root, s, rows, counters, facts);
        Outcome outcome = new Outcome(List.copyOf(rows), counters, facts, seconds, files);
        log.info("Paper study, " + s.model() + " on " + s.data() + ":\n" + PaperReport.markdown(s, rows));
        log.info(String.format(Locale.ROOT, "Paper study: prune-static %d run / %d up to date, fine-tuning %d run / %d up"
                + " to date, exports %d / %d, device runs %d / %d%s", counters.prunes(), counters.prunesCached(),
                counters.trainings(), counters.trainingsCached(), counters.exports(), counters.exportsCached(),
                counters.deviceRuns(), counters.deviceRunsCached(), counters.nothingRedone()
                        ? " (nothing re-trained or re-measured: every row came from " + root + ")" : ""));
        log.info("Paper report: " + files.html());
        return outcome;
    }

    /** A row built and ready for the device: its fine-tuned weights, their sparsity and the exported IR. */
    private record Built(PaperMethod method, Path folder, Path bundle, PruneRecord record, ExportJob.Result exported,
            boolean trainedNow) {
    }

    /** One row's steps, with the counters of this run. */
    private static final class Study {
        final Settings s;
        final CandidateCache cache;
        final Path dataYaml;
        final String dataSig;
        final List<String> names;
        Map<String, Object> deviceFacts = Map.of();
        int prunes;
        int prunesCached;
        int trainings;
        int trainingsCached;
        int exports;
        int exportsCached;
        final DeviceStep deviceStep;

        Study(Settings s, CandidateCache cache, Path dataYaml, String dataSig, List<String> names) {
            this.s = s;
            this.names = names;
            this.cache = cache;
            this.deviceStep = new DeviceStep(List.of(s.device()), 1, cache, Budgets.none());
            this.dataYaml = dataYaml;
            this.dataSig = dataSig;
        }

        Counters counters() {
            return new Counters(prunes, prunesCached, trainings, trainingsCached, exports, exportsCached,
                    deviceStep.runs(), deviceStep.cachedRuns());
        }

        Built build(PaperMethod m, Log log) throws IOException {
            Path folder = cache.folder(m.id());
            String startModel = s.model();
            if (m == PaperMethod.STATIC) {
                // the paper's static pruning: once, before training (its Algorithms 3 and 4), of the model training
                // starts from: with a data set of another nc that is the transferred model, its new head included
                String toPrune = transferredIfNeeded(folder.resolve("transferred"), log);
                Path pruned = folder.resolve("pruned");
                PruneStaticJob.Result p = PruneStaticJob.run(new PruneStaticJob.Settings(toPrune, s.baseDir(), pruned,
                        s.convSparsity(), s.bnSparsity(), PruneScope.LAYER, false, s.seed()), log);
                if (p.skipped()) {
                    prunesCached++;
                } else {
                    prunes++;
                }
                startModel = pruned.toAbsolutePath().toString();
            }

            // fine-tuning; only the dynamic row prunes while training (the static row's zeros are held by "fixed")
            boolean prunesWhileTraining = m == PaperMethod.DYNAMIC;
            Path trainDir = folder.resolve("train");
            TrainDynamicJob.Outcome t = TrainDynamicJob.run(new TrainDynamicJob.Settings(startModel, dataYaml.toString(),
                    s.baseDir(), trainDir, s.epochs(), s.batch(), s.imgsz(), s.seed(), m.schedule().id(),
                    prunesWhileTraining ? s.convSparsity() : 0, prunesWhileTraining ? s.bnSparsity() : 0, "layer", 1.0,
                    0, false, s.workers(), null, true, null, true, false, 0), log);
            if (t.skipped()) {
                trainingsCached++;
                log.info("fine-tuning up to date: " + trainDir + " (model, data and settings unchanged)");
            } else {
                trainings++;
            }
            // the final epoch's weights, not the best epoch's: every row then has had exactly the same training
            Path bundle = trainDir.resolve(Trainer.LAST);
            if (!Files.isRegularFile(bundle.resolve(ModelBundle.WEIGHTS))) {
                throw new OptimizeException(m.id() + ": the fine-tuning left no " + bundle.resolve(ModelBundle.WEIGHTS));
            }
            PruneRecord record = PruneRecord.fromJson(Files.readString(bundle.resolve(ModelBundle.PRUNE_JSON)),
                    bundle.toString());

            ExportJob.Result exported = ExportJob.run(new ExportJob.Settings(bundle.toAbsolutePath().toString(),
                    s.baseDir(), folder.resolve("ir"), null, s.imgsz(), s.precision(), true), log);
            if (exported.ir().skipped()) {
                exportsCached++;
            } else {
                exports++;
            }
            return new Built(m, folder, bundle, record, exported, !t.skipped());
        }

        PaperRow measure(Built b, Log log) throws IOException {
            PaperMethod m = b.method();
            ExportJob.Result exported = b.exported();
            PruneRecord record = b.record();
            DeviceFigures dev = deviceFigures(m, exported, log);
            if (deviceFacts.isEmpty()) {
                deviceFacts = dev.facts();
            }
            PaperRow row = new PaperRow(m, m.describe(s.convSparsity(), s.bnSparsity(), s.epochs()),
                    record.convSparsity(), record.bnSparsity(), dev.map50(), dev.map50_95(), dev.latency(),
                    dev.peakMemoryMb(), dev.peakMemoryPercent(), dev.backend(), b.bundle(), exported.ir().xml(),
                    exported.ir().irBytes(), exported.ir().zeroShare(), dev.report(), b.trainedNow(), !dev.cached());
            log.info(String.format(Locale.ROOT, "%s: Conv2d %.2f %% / BatchNorm2d %.2f %% zeros; mAP50 %.4f, inference"
                    + " median %.1f ms, peak memory %.0f MB%s", m.label(), 100 * row.convSparsity(),
                    100 * row.bnSparsity(), row.map50(), row.medianMs(), row.peakMemoryMb(),
                    row.measuredNow() ? "" : " (device figures cached: this IR was measured on this device before)"));
            return row;
        }

        /**
         * The model as training would start from it: the model itself when its nc is the data's, else the
         * seeded transfer train-dynamic makes (the same seed as the other rows, so every row's new head
         * starts from the same weights), written as a bundle and kept while the model, classes and seed
         * are unchanged.
         */
        private String transferredIfNeeded(Path dir, Log log) throws IOException {
            YoloModel model = ModelLoader.load(s.model(), s.baseDir(), s.seed(), log);
            if (model.architecture().nc() == names.size()) {
                return s.model();
            }
            Path modelPath = s.baseDir().resolve(s.model()).normalize();
            String fingerprint = Fingerprint.of(Files.exists(modelPath) ? List.of(modelPath) : List.of(),
                    Map.of("model", s.model(), "names", String.join(",", names), "seed", Long.toString(s.seed())));
            Path stamp = dir.resolve(Fingerprint.FILE_NAME);
            if (!Fingerprint.upToDate(stamp, fingerprint, List.of(dir.resolve(ModelBundle.WEIGHTS)))) {
                YoloModel transferred = Trainer.transfer(model, names, s.seed(), log);
                ModelBundle.write(dir, transferred, PruneRecord.none(transferred.stateDict(),
                        PruneTargets.of(transferred.graph(s.imgsz()))));
                Fingerprint.record(stamp, fingerprint);
            }
            return dir.toAbsolutePath().toString();
        }

        /**
         * The device figures of the row's IR, with optimize's device step: from the cache when this IR,
         * data and device were measured before, else a verify-on-device run.
         */
        private DeviceFigures deviceFigures(PaperMethod m, ExportJob.Result exported, Log log) throws IOException {
            List<Path> inputs = new ArrayList<>(List.of(exported.ir().xml(), exported.ir().bin()));
            if (exported.onnx() != null) {
                inputs.add(exported.onnx());
            }
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("data", dataSig);
            settings.put("maxImages", Integer.toString(s.maxImages()));
            return deviceStep.measure(m.id(), exported.ir().xml(), exported.onnx(), inputs, dataYaml, "val",
                    s.maxImages(), settings, log).get(0);
        }
    }
}
