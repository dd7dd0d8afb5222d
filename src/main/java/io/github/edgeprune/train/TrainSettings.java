package io.github.edgeprune.train;

import io.github.edgeprune.prune.L1Pruner;
import io.github.edgeprune.prune.PruneScope;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a training run needs. Build with {@link #builder()}; {@link #validate()} checks the
 * numbers (the trainer calls it before any work starts).
 *
 * @param model what training starts from
 * @param data the training images and labels
 * @param validator validates each epoch's EMA weights (null: no validation, metrics are 0 and
 *     {@code best} follows {@code last})
 * @param epochs number of epochs (at least 1)
 * @param batch images per batch (at least 1; YOLOv5's default 16)
 * @param imgsz training image size (rounded up to a multiple of the largest stride, with a warning)
 * @param seed makes the run repeatable: initial weights, image order, augmentation
 * @param schedule when to prune
 * @param convSparsity target amount of the Conv2d weights, in [0, 1)
 * @param bnSparsity target amount of the BatchNorm2d weights, in [0, 1)
 * @param scope per tensor (layer) or one cut-off over all tensors of a kind (global)
 * @param gradualEnd for {@code gradual}: the fraction of the run after which the target is reached (0, 1]
 * @param gradualInterval for {@code gradual}: prune every this many iterations (0: about 100 times over the ramp)
 * @param outputDirectory where results.csv, plots, last, best and the training state go
 * @param resume continue the interrupted run found in the output directory
 * @param workers image-loading threads (at least 1)
 * @param patience stop after this many epochs without a better fitness (null: never)
 * @param transfer when the model's nc differs from the data's, start a new head and copy every tensor
 *     whose name and shape match
 * @param hyp hyperparameters
 * @param sink writes {@code last} and {@code best} bundles
 * @param listener told about each finished epoch (null: nobody)
 * @param plots write loss and metric plots
 * @param log where progress goes
 */
public record TrainSettings(ModelInput model, TrainData data, Validator validator, int epochs, int batch, int imgsz,
        long seed, PruneSchedule schedule, double convSparsity, double bnSparsity, PruneScope scope, double gradualEnd,
        int gradualInterval, Path outputDirectory, boolean resume, int workers, Integer patience, boolean transfer,
        Hyp hyp, BundleSink sink, EpochListener listener, boolean plots, double bnL1, Log log) {

    public static Builder builder() {
        return new Builder();
    }

    /** Refuses impossible settings with a message that names the property. */
    public void validate() {
        if (model == null) {
            throw new IllegalArgumentException("prune.model is required");
        }
        if (data == null) {
            throw new IllegalArgumentException("prune.data is required");
        }
        validateRun();
    }

    /**
     * The checks of {@link #validate()} that need neither the model nor the data (train-dynamic
     * makes them before it reads either).
     */
    void validateRun() {
        if (epochs < 1) {
            throw new IllegalArgumentException("prune.epochs must be at least 1, got " + epochs);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("prune.batch must be at least 1, got " + batch);
        }
        if (imgsz < 32) {
            throw new IllegalArgumentException("prune.imgsz must be at least 32, got " + imgsz);
        }
        L1Pruner.checkAmount(convSparsity, "prune.convSparsity");
        L1Pruner.checkAmount(bnSparsity, "prune.bnSparsity");
        if (schedule == null) {
            throw new IllegalArgumentException("prune.schedule is required (epoch, gradual, fixed or none)");
        }
        if (scope == null) {
            throw new IllegalArgumentException("prune.scope is required (layer or global)");
        }
        if (!(gradualEnd > 0 && gradualEnd <= 1)) {
            throw new IllegalArgumentException("prune.gradualEnd must be in (0, 1], got " + gradualEnd);
        }
        if (gradualInterval < 0) {
            throw new IllegalArgumentException("prune.gradualInterval must be >= 0, got " + gradualInterval);
        }
        if (outputDirectory == null) {
            throw new IllegalArgumentException("prune.outputDirectory is required");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("prune.workers must be at least 1, got " + workers);
        }
        if (!(bnL1 >= 0) || Double.isInfinite(bnL1)) {
            throw new IllegalArgumentException("prune.bnL1 must be a number >= 0 (network slimming uses about 1e-4), got "
                    + bnL1);
        }
        if (patience != null && patience < 1) {
            throw new IllegalArgumentException("prune.patience must be at least 1, got " + patience);
        }
        if (hyp == null || sink == null || log == null) {
            throw new IllegalArgumentException("hyp, sink and log are required");
        }
    }

    /**
     * The settings that decide the result; a resumed run must have the same (the image count and
     * class names of the data included).
     */
    Map<String, String> fingerprint() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("epochs", Integer.toString(epochs));
        m.put("batch", Integer.toString(batch));
        m.put("imgsz", Integer.toString(imgsz));
        m.put("seed", Long.toString(seed));
        m.put("schedule", schedule.id());
        m.put("convSparsity", Double.toString(convSparsity));
        m.put("bnSparsity", Double.toString(bnSparsity));
        m.put("scope", scope.name().toLowerCase(java.util.Locale.ROOT));
        m.put("gradualEnd", Double.toString(gradualEnd));
        m.put("gradualInterval", Integer.toString(gradualInterval));
        m.put("patience", String.valueOf(patience));
        m.put("transfer", Boolean.toString(transfer));
        m.put("bnL1", Double.toString(bnL1));
        m.put("images", Integer.toString(data.size()));
        m.put("names", String.join(",", data.names()));
        m.put("hyp", hyp.toMap().toString());
        return m;
    }

    /** Builder with YOLOv5's and the paper's defaults. */
    public static final class Builder {
        private ModelInput model;
        private TrainData data;
        private Validator validator;
        private int epochs = 100;
        private int batch = 16;
        private int imgsz = 640;
        private long seed = 0;
        private PruneSchedule schedule = PruneSchedule.EPOCH;
        private double convSparsity = 0.2;
        private double bnSparsity = 0.1;
        private PruneScope scope = PruneScope.LAYER;
        private double gradualEnd = 1.0;
        private int gradualInterval = 0;
        private Path outputDirectory;
        private boolean resume;
        private int workers = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
        private Integer patience;
        private boolean transfer;
        private Hyp hyp = Hyp.defaults();
        private BundleSink sink = ModelBundle::write;
        private EpochListener listener;
        private boolean plots = true;
        private double bnL1 = 0;
        private Log log = Log.console();

        public Builder model(ModelInput v) {
            model = v;
            return this;
        }

        public Builder data(TrainData v) {
            data = v;
            return this;
        }

        public Builder validator(Validator v) {
            validator = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder imgsz(int v) {
            imgsz = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder schedule(PruneSchedule v) {
            schedule = v;
            return this;
        }

        public Builder convSparsity(double v) {
            convSparsity = v;
            return this;
        }

        public Builder bnSparsity(double v) {
            bnSparsity = v;
            return this;
        }

        public Builder scope(PruneScope v) {
            scope = v;
            return this;
        }

        public Builder gradualEnd(double v) {
            gradualEnd = v;
            return this;
        }

        public Builder gradualInterval(int v) {
            gradualInterval = v;
            return this;
        }

        public Builder outputDirectory(Path v) {
            outputDirectory = v;
            return this;
        }

        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder patience(Integer v) {
            patience = v;
            return this;
        }

        public Builder transfer(boolean v) {
            transfer = v;
            return this;
        }

        public Builder hyp(Hyp v) {
            hyp = v;
            return this;
        }

        public Builder sink(BundleSink v) {
            sink = v;
            return this;
        }

        public Builder listener(EpochListener v) {
            listener = v;
            return this;
        }

        public Builder plots(boolean v) {
            plots = v;
            return this;
        }

        /** Network slimming's sparsity term: λ·sign(γ) added to each prunable BatchNorm weight's gradient. */
        public Builder bnL1(double v) {
            bnL1 = v;
            return this;
        }

        public Builder log(Log v) {
            log = v;
            return this;
        }

        public TrainSettings build() {
            return new TrainSettings(model, data, validator, epochs, batch, imgsz, seed, schedule, convSparsity,
                    bnSparsity, scope, gradualEnd, gradualInterval, outputDirectory, resume, workers, patience, transfer,
                    hyp, sink, listener, plots, bnL1, log);
        }
    }
}
