package io.github.edgeprune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.OwnedArrays;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.prune.channels.ChannelGroups;
import io.github.edgeprune.prune.Sparsity;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelBundle;
import io.github.edgeprune.yolo.ModelSummary;
import io.github.edgeprune.yolo.YoloArchitecture;
import io.github.edgeprune.yolo.YoloGraphBuilder;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Trains a YOLOv5 model on the DJL PyTorch engine the way YOLOv5 v7.0's {@code train.py} does
 * (loss, SGD with Nesterov momentum in three groups, warm-up, linear lr decay, gradient
 * accumulation to a nominal batch of 64, gradient-norm clipping, EMA, mosaic and colour
 * augmentation), with the paper's dynamic pruning or another {@link PruneSchedule}.
 *
 * <p>After every epoch: pruning (for {@code epoch}), validation of the EMA weights, a row in
 * results.csv, plots, the {@code last} bundle and training state, and {@code best} when the
 * fitness improved. {@code resume} continues from the saved state and ends where an uninterrupted
 * run with the same settings ends.
 */
public final class Trainer {

    /** The bundle of the final epoch's weights, inside a run's output folder. */
    public static final String LAST = "last";
    static final String BEST = "best";
    static final String RESULTS = "results.csv";
    static final String SUMMARY = "train.json";

    private final TrainSettings s;
    private final Log log;

    private Trainer(TrainSettings settings) {
        this.s = settings;
        this.log = settings.log();
    }

    /** Runs the training the settings describe. */
    public static TrainResult train(TrainSettings settings) throws IOException {
        settings.validate();
        return new Trainer(settings).run();
    }

    // ---------------------------------------------------------------------------------------------
    // preparation: everything that can be refused is checked before any work starts

    /** Checks the data: not empty, every label class below the data's nc. */
    static void checkData(TrainData data) {
        int nc = data.names().size();
        if (nc < 1) {
            throw new IllegalArgumentException("data set " + data.describe() + " names no classes");
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("data set " + data.describe() + " has no training images");
        }
        int maxCls = -1;
        for (int i = 0; i < data.size(); i++) {
            for (float[] row : data.labels(i)) {
                if (row.length != 5) {
                    throw new IllegalArgumentException("data set " + data.describe() + ": labels of " + data.image(i)
                            + " must be rows of 5 values (cls cx cy w h)");
                }
                maxCls = Math.max(maxCls, (int) row[0]);
            }
        }
        if (maxCls >= nc) {
            throw new IllegalArgumentException("label class " + maxCls + " exceeds nc=" + nc + " in " + data.describe()
                    + "; possible class labels are 0-" + (nc - 1));
        }
    }

    /**
     * The model training starts from: a yaml gets the data's nc (Ultralytics overrides it) and
     * seeded weights; trained weights must have the data's nc, or with {@code transfer} a new model
     * of the data's nc receives every tensor whose name and shape match.
     */
    static YoloModel prepareModel(TrainSettings s, Log log) {
        List<String> names = s.data().names();
        int nc = names.size();
        if (s.model() instanceof ModelInput.Scratch sc) {
            YoloArchitecture arch = sc.architecture();
            if (arch.nc() != nc) {
                log.info("Overriding model.yaml nc=" + arch.nc() + " with nc=" + nc);
                arch = arch.withNc(nc);
            }
            return YoloModel.random(arch, names, s.seed(), sc.source());
        }
        YoloModel m = ((ModelInput.Weights) s.model()).model();
        int modelNc = m.architecture().nc();
        if (modelNc == nc) {
            return new YoloModel(m.architecture(), m.copyStateDict(), names, m.source(), m.metadata());
        }
        if (!s.transfer()) {
            throw new IllegalArgumentException("the model " + m.source() + " has nc=" + modelNc + " but the data set "
                    + s.data().describe() + " has nc=" + nc + "; set prune.transfer=true to train a new nc=" + nc
                    + " model that starts from every tensor of this one whose name and shape match (as Ultralytics'"
                    + " train.py does), or use a data set with " + modelNc + " classes");
        }
        return transfer(m, names, s.seed(), log);
    }

    /**
     * A new model of {@code names.size()} classes, seeded, that starts from every tensor of {@code m}
     * whose name and shape match (the detection head's class outputs do not): what training with
     * prune.transfer does before its first epoch, for callers that must act on that model first (the
     * paper's static pruning prunes the model training starts from, new head included).
     */
    public static YoloModel transfer(YoloModel m, List<String> names, long seed, Log log) {
        int nc = names.size();
        int modelNc = m.architecture().nc();
        YoloModel fresh = YoloModel.random(m.architecture().withNc(nc), names, seed, m.source());
        Map<String, HostTensor> sd = fresh.copyStateDict();
        int copied = 0;
        for (Map.Entry<String, HostTensor> e : sd.entrySet()) {
            HostTensor src = m.stateDict().get(e.getKey());
            if (src != null && src.dtype() == e.getValue().dtype() && Arrays.equals(src.shape(), e.getValue().shape())) {
                e.setValue(src.copy());
                copied++;
            }
        }
        log.info("Transferred " + copied + "/" + sd.size() + " items from " + m.source() + " (nc=" + modelNc
                + " -> nc=" + nc + ")");
        return new YoloModel(fresh.architecture(), sd, names, m.source(), m.metadata());
    }

    /** YOLOv5's check_img_size: imgsz rounded up to a multiple of max(stride, 32). */
    static int checkImgsz(YoloModel model, int imgsz, Log log) {
        Graph probe = model.graph(256);
        int gs = 32;
        for (String st : probe.metadata().get("stride").split(",")) {
            gs = Math.max(gs, Integer.parseInt(st.trim()));
        }
        int size = (int) Math.ceil((double) imgsz / gs) * gs;
        if (size != imgsz) {
            log.warn("prune.imgsz " + imgsz + " must be a multiple of the max stride " + gs + ", updating to " + size);
        }
        return size;
    }

    // ---------------------------------------------------------------------------------------------

    private TrainResult run() throws IOException {
        TrainData data = s.data();
        checkData(data);
        if (s.validator() instanceof EvaluatorValidator ev && ev.names().size() != data.names().size()) {
            throw new IllegalArgumentException("the validation data has nc=" + ev.names().size() + " but the training data "
                    + data.describe() + " has nc=" + data.names().size());
        }
        Path out = s.outputDirectory();
        TrainState resumed = null;
        if (s.resume()) {
            resumed = TrainState.load(out);
            Map<String, String> now = s.fingerprint();
            List<String> diffs = new ArrayList<>();
            for (String k : now.keySet()) {
                if (!now.get(k).equals(resumed.fingerprint.get(k))) {
                    diffs.add(k + " was " + resumed.fingerprint.get(k) + ", now " + now.get(k));
                }
            }
            if (!diffs.isEmpty()) {
                throw new IllegalArgumentException("cannot resume the run in " + out + " with other settings: "
                        + String.join("; ", diffs));
            }
        }
        YoloModel model;
        if (resumed != null) {
            Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(resumed.modelYaml);
            YoloArchitecture arch = YoloArchitecture.fromMap(yaml, out.resolve(TrainState.JSON).toString());
            model = new YoloModel(arch, resumed.model, resumed.names, resumed.source, Map.of());
        } else {
            model = prepareModel(s, log);
        }
        int imgsz = checkImgsz(model, s.imgsz(), log);
        log.info("Before: " + ModelSummary.of(model.displayName(), model.graph(imgsz)));

        Files.createDirectories(out);
        if (resumed == null) {
            if (TrainState.exists(out)) {
                log.warn("starting a new run in " + out + "; the training state of the run there is replaced"
                        + " (set prune.resume=true to continue it instead)");
            }
            for (String f : List.of(TrainState.JSON, TrainState.TENSORS, RESULTS, SUMMARY)) {
                Files.deleteIfExists(out.resolve(f));
            }
            AtomicOutput.deleteRecursively(out.resolve(LAST));
            AtomicOutput.deleteRecursively(out.resolve(BEST));
        }
        try (NDManager root = Engines.newManager()) {
            return new Run(model, imgsz, resumed, root).train();
        }
    }

    /** One run's live state. */
    private final class Run {
        private final YoloModel model;
        private final int imgsz;
        private final TrainState resumed;
        private final NDManager root;
        private final Graph graph;
        private final PruneTargets targets;
        private final Hyp hyp;
        private final int nc;
        /** fixed: the sparsity the model starts with (it is not changed on the host). */
        private final Sparsity fixedInput;
        /** The BatchNorm weights prune-channels could cut: slimming's sparsity term and |γ| < 0.01 column. */
        private final List<String> slimmable;

        Run(YoloModel model, int imgsz, TrainState resumed, NDManager root) {
            this.model = model;
            this.imgsz = imgsz;
            this.resumed = resumed;
            this.root = root;
            this.graph = model.graph(imgsz);
            this.targets = PruneTargets.of(graph);
            this.hyp = s.hyp();
            this.nc = model.architecture().nc();
            this.fixedInput = s.schedule() == PruneSchedule.FIXED ? Sparsity.of(model.stateDict(), targets) : null;
            this.slimmable = ChannelGroups.slimmableBatchNormWeights(graph);
        }

        TrainResult train() throws IOException {
            Path out = s.outputDirectory();
            TrainData data = s.data();
            int detect = Integer.parseInt(graph.metadata().get("detect_layer"));
            int levels = Integer.parseInt(graph.metadata().get("levels"));
            List<String> raw = new ArrayList<>();
            for (int i = 0; i < levels; i++) {
                raw.add(YoloGraphBuilder.rawOutputName(detect, i));
            }
            HostTensor anchorTensor = graph.parameter("model." + detect + ".anchors").tensor();
            int na = (int) anchorTensor.dim(1);
            float[][][] anchors = new float[levels][na][2];
            for (int l = 0; l < levels; l++) {
                for (int a = 0; a < na; a++) {
                    anchors[l][a][0] = anchorTensor.floats()[(l * na + a) * 2];
                    anchors[l][a][1] = anchorTensor.floats()[(l * na + a) * 2 + 1];
                }
            }
            List<String> stateNames = new ArrayList<>();
            graph.parameters().values().forEach(p -> {
                if (p.kind() != Parameter.Kind.CONSTANT) {
                    stateNames.add(p.name());
                }
            });

            int n = data.size();
            int batch = Math.min(s.batch(), n);
            if (batch != s.batch()) {
                log.warn("prune.batch " + s.batch() + " is larger than the data set (" + n + " images); using " + batch);
            }
            int epochs = s.epochs();
            int accumulateFinal = hyp.accumulate(batch);
            double weightDecay = hyp.weightDecay() * batch * accumulateFinal / hyp.nbs();

            try (GraphExecutor ex = new GraphExecutor(graph, root);
                    TrainLoader loader = new TrainLoader(new Augment(data, imgsz, hyp), n, batch, imgsz, s.seed(),
                            s.workers())) {
                int nb = loader.batchesPerEpoch();
                LrSchedule schedule = new LrSchedule(hyp, epochs, batch, nb);
                int nw = schedule.warmupIterations();
                Map<String, NDArray> params = new LinkedHashMap<>();
                graph.parameters().keySet().forEach(k -> params.put(k, ex.parameter(k)));
                ParamGroups groups = ParamGroups.of(graph);
                List<NDArray> trainable = new ArrayList<>();
                groups.all().forEach(k -> trainable.add(params.get(k)));
                ComputeLoss loss = new ComputeLoss(hyp, nc, anchors, imgsz);

                try (Sgd sgd = new Sgd(params, groups, hyp.lr0(), hyp.momentum(), weightDecay, root);
                        ModelEma ema = new ModelEma(params, stateNames, hyp.emaDecay(), hyp.emaTau(),
                                resumed == null ? 0 : resumed.updates, root);
                        PruningControl pruning = new PruningControl(s, targets, params, (long) epochs * nb, root)) {
                    ex.setRequiresGradient(true);

                    int startEpoch = 0;
                    long lastOptStep = -1;
                    double bestFitness = 0;
                    int bestEpoch = -1;
                    int stopperBestEpoch = 0;
                    double stopperBestFitness = 0;
                    double elapsed = 0;
                    List<EpochRecord> results = new ArrayList<>();
                    YoloModel lastModel = null; // the weights of last and best written in this session
                    YoloModel bestModel = null;
                    Map<String, HostTensor> pendingGrads = null;
                    if (resumed != null) {
                        startEpoch = resumed.epoch + 1;
                        lastOptStep = resumed.lastOptStep;
                        bestFitness = resumed.bestFitness;
                        bestEpoch = resumed.bestEpoch;
                        stopperBestEpoch = resumed.stopperBestEpoch;
                        stopperBestFitness = resumed.stopperBestFitness;
                        elapsed = resumed.elapsedSeconds;
                        results.addAll(resumed.results);
                        resumed.ema.forEach((k, v) -> OwnedArrays.copyInto(ema.arrays().get(k), v.floats()));
                        resumed.momentum.forEach((k, v) -> OwnedArrays.copyInto(sgd.momentumBuffer(k), v.floats()));
                        pendingGrads = resumed.grads;
                        pruning.restore(resumed.pruneConv, resumed.pruneBn, resumed.masks);
                        log.info("Resuming training from " + out + " after epoch " + (startEpoch - 1) + " of " + epochs);
                    } else {
                        pruning.start();
                    }

                    if (startEpoch >= epochs) {
                        log.info("Training to " + epochs + " epochs is finished in " + out + "; nothing to resume");
                    } else {
                        logStart(n, nb, nw, batch, accumulateFinal, weightDecay, groups);
                    }
                    boolean stoppedEarly = false;
                    Engine engine = Engine.getEngine(Engines.PYTORCH);
                    for (int epoch = startEpoch; epoch < epochs; epoch++) {
                        long t0 = System.nanoTime();
                        double lrNow = hyp.lr0() * schedule.lf(epoch);
                        for (int j = 0; j < sgd.groupCount(); j++) {
                            sgd.setLr(j, lrNow);
                        }
                        loader.startEpoch(epoch);
                        double[] mloss = new double[3];
                        long[] phase = new long[5];
                        int skipped = 0;
                        int every = Math.max(1, (int) Math.round(nb / 10.0));
                        for (int i = 0; i < nb; i++) {
                            long ni = i + (long) nb * epoch;
                            int accumulate = accumulateFinal;
                            if (ni <= nw) {
                                LrSchedule.Point pt = schedule.at(ni, epoch);
                                accumulate = pt.accumulate();
                                for (int j = 0; j < sgd.groupCount(); j++) {
                                    sgd.setLr(j, pt.lr()[j]);
                                    sgd.setMomentum(j, pt.momentum());
                                }
                            }
                            long tData = System.nanoTime();
                            TrainLoader.Batch b = loader.next();
                            long tStep = System.nanoTime();
                            phase[0] += tStep - tData;
                            ComputeLoss.Result r;
                            try (NDManager step = root.newSubManager()) {
                                NDArray x = OwnedArrays.of(step, b.images(), new Shape(b.count(), 3, imgsz, imgsz));
                                try (GradientCollector gc = engine.newGradientCollector()) {
                                    Map<String, NDArray> outs = ex.run(Map.of(YoloGraphBuilder.INPUT, x), raw,
                                            GraphExecutor.Mode.TRAINING);
                                    List<NDArray> ps = new ArrayList<>();
                                    raw.forEach(k -> ps.add(outs.get(k)));
                                    r = loss.compute(ps, b.targets(), step);
                                    gc.backward(r.total());
                                }
                            }
                            if (pendingGrads != null) {
                                for (Map.Entry<String, HostTensor> e : pendingGrads.entrySet()) {
                                    try (NDArray g = params.get(e.getKey()).getGradient();
                                            NDArray add = OwnedArrays.of(root, e.getValue().floats(), g.getShape())) {
                                        g.addi(add);
                                    }
                                }
                                pendingGrads = null;
                            }
                            long tOpt = System.nanoTime();
                            phase[1] += tOpt - tStep;
                            mloss[0] = (mloss[0] * i + r.box()) / (i + 1);
                            mloss[1] = (mloss[1] * i + r.obj()) / (i + 1);
                            mloss[2] = (mloss[2] * i + r.cls()) / (i + 1);
                            if (ni - lastOptStep >= accumulate) {
                                double gnorm = clipGradNorm(trainable, hyp.maxGradNorm());
                                if (Double.isFinite(gnorm)) {
                                    addSlimmingTerm(params);
                                    sgd.step();
                                    zeroGrad(trainable);
                                    pruning.afterOptimizerStep();
                                    ema.update(params);
                                    pruning.afterEmaUpdate(ema);
                                } else {
                                    // as YOLOv5's GradScaler does on its usual (CUDA, AMP) device: a step
                                    // whose gradients are not finite is skipped
                                    clearNonFiniteGrad(trainable);
                                    skipped++;
                                }
                                lastOptStep = ni;
                            }
                            pruning.afterIteration(ni, ema);
                            phase[2] += System.nanoTime() - tOpt;
                            if ((i + 1) % every == 0 || i + 1 == nb) {
                                double secs = (System.nanoTime() - t0) / 1e9;
                                log.info(String.format(Locale.ROOT, "epoch %d/%d %3d%% box %.4f obj %.4f cls %.4f %.2f it/s",
                                        epoch + 1, epochs, (int) Math.round(100.0 * (i + 1) / nb), mloss[0], mloss[1],
                                        mloss[2], (i + 1) / Math.max(secs, 1e-9)));
                            }
                            if (Thread.currentThread().isInterrupted()) {
                                throw new IOException("training interrupted");
                            }
                        }
                        double[] lr = {sgd.group(0).lr(), sgd.group(1).lr(), sgd.group(2).lr()};
                        if (skipped > 0) {
                            log.warn("epoch " + (epoch + 1) + ": " + skipped + " optimizer step(s) skipped because the"
                                    + " gradients were not finite");
                        }
                        pruning.endOfEpoch(ema);

                        long tVal = System.nanoTime();
                        YoloModel emaModel = hostModel(ema);
                        PruneRecord record = record(emaModel, epoch);
                        Metrics metrics = validate(emaModel, epoch);
                        phase[3] += System.nanoTime() - tVal;
                        long tSave = System.nanoTime();
                        double fi = metrics.fitness();
                        boolean eligible = s.schedule() != PruneSchedule.GRADUAL
                                || (pruning.currentConv() == s.convSparsity() && pruning.currentBn() == s.bnSparsity());
                        boolean isBest = false;
                        if (eligible) {
                            if (fi > bestFitness) {
                                bestFitness = fi;
                            }
                            isBest = fi == bestFitness;
                        }
                        if (isBest) {
                            bestEpoch = epoch;
                        }
                        double secs = (System.nanoTime() - t0) / 1e9;
                        elapsed += secs;
                        EpochRecord rec = new EpochRecord(epoch, mloss[0], mloss[1], mloss[2], metrics,
                                record.convSparsity(), record.bnSparsity(), lr, pruning.currentConv(), pruning.currentBn(),
                                secs, smallGammaShare(emaModel));
                        results.add(rec);
                        log.info(String.format(Locale.ROOT,
                                "epoch %d/%d done in %.1f s: P %.3f R %.3f mAP50 %.3f mAP50-95 %.3f, sparsity Conv2d %.4f"
                                        + " BatchNorm2d %.4f%s",
                                epoch + 1, epochs, secs, metrics.precision(), metrics.recall(), metrics.map50(),
                                metrics.map50to95(), record.convSparsity(), record.bnSparsity(),
                                (s.bnL1() > 0 ? String.format(Locale.ROOT, ", |γ| < 0.01: %.3f", rec.smallGamma()) : "")
                                        + (isBest ? " (best)" : "")));

                        // early stopping (YOLOv5's EarlyStopping)
                        if (fi >= stopperBestFitness) {
                            stopperBestEpoch = epoch;
                            stopperBestFitness = fi;
                        }
                        boolean stop = s.patience() != null && epoch - stopperBestEpoch >= s.patience();

                        // outputs: csv and plots, last and best, then the state (its json is the commit point)
                        ResultsCsv.write(out.resolve(RESULTS), results);
                        if (s.plots()) {
                            Plots.write(out, results);
                        }
                        writeBundle(out.resolve(LAST), emaModel, record);
                        lastModel = emaModel;
                        if (isBest) {
                            writeBundle(out.resolve(BEST), emaModel, record);
                            bestModel = emaModel;
                        }
                        TrainState st = new TrainState();
                        st.epoch = epoch;
                        st.updates = ema.updates();
                        st.lastOptStep = lastOptStep;
                        st.bestFitness = bestFitness;
                        st.bestEpoch = bestEpoch;
                        st.stopperBestEpoch = stopperBestEpoch;
                        st.stopperBestFitness = stopperBestFitness;
                        st.pruneConv = pruning.currentConv();
                        st.pruneBn = pruning.currentBn();
                        st.elapsedSeconds = elapsed;
                        st.modelYaml = yaml(model.architecture());
                        st.names.addAll(model.names());
                        st.source = model.source();
                        st.fingerprint.putAll(s.fingerprint());
                        st.results.addAll(results);
                        for (String k : stateNames) {
                            st.model.put(k, toHost(params.get(k)));
                        }
                        // the EMA as copied to the host for this epoch's validation and bundles
                        ema.arrays().forEach((k, v) -> {
                            HostTensor h = emaModel.stateDict().get(k);
                            st.ema.put(k, h != null ? h : toHost(v));
                        });
                        for (String k : groups.all()) {
                            st.momentum.put(k, toHost(sgd.momentumBuffer(k)));
                            try (NDArray g = params.get(k).getGradient()) {
                                st.grads.put(k, toHost(g));
                            }
                        }
                        pruning.masks().forEach((k, v) -> st.masks.put(k, toHost(v)));
                        st.save(out);
                        phase[4] += System.nanoTime() - tSave;
                        log.debug(String.format(Locale.ROOT, "epoch %d seconds: data wait %.2f, forward+backward %.2f,"
                                + " optimizer+EMA+pruning %.2f, validation %.2f, saving %.2f", epoch, phase[0] / 1e9,
                                phase[1] / 1e9, phase[2] / 1e9, phase[3] / 1e9, phase[4] / 1e9));

                        if (s.listener() != null) {
                            try {
                                s.listener().epochEnd(rec);
                            } catch (IOException | RuntimeException e) {
                                throw e;
                            } catch (Exception e) {
                                throw new IOException("stopped after epoch " + epoch + ": " + e.getMessage(), e);
                            }
                        }
                        if (stop) {
                            log.info("Stopping training early as no improvement observed in last " + s.patience()
                                    + " epochs. Best results observed at epoch " + stopperBestEpoch
                                    + ", best model saved as best.");
                            stoppedEarly = epoch + 1 < epochs;
                            break;
                        }
                    }

                    if (pruning.finish(ema)) {
                        // a gradual run that stopped early: the saved weights still end at the target
                        int epoch = results.get(results.size() - 1).epoch();
                        YoloModel emaModel = hostModel(ema);
                        Metrics metrics = validate(emaModel, epoch);
                        PruneRecord record = record(emaModel, epoch);
                        log.info(String.format(Locale.ROOT, "pruned to the target after the last epoch: mAP50 %.3f",
                                metrics.map50()));
                        writeBundle(out.resolve(LAST), emaModel, record);
                        writeBundle(out.resolve(BEST), emaModel, record);
                        lastModel = emaModel;
                        bestModel = emaModel;
                        bestEpoch = epoch;
                    }
                    if (bestEpoch < 0 || !Files.exists(out.resolve(BEST))) {
                        // nothing eligible (gradual never reached its target): the final weights are best
                        AtomicOutput.writeDirectory(out.resolve(BEST), tmp -> copyFolder(out.resolve(LAST), tmp));
                        bestEpoch = results.isEmpty() ? -1 : results.get(results.size() - 1).epoch();
                        bestModel = lastModel;
                    }
                    PruneRecord lastRecord = PruneRecord.fromJson(Files.readString(out.resolve(LAST).resolve("prune.json")),
                            out.resolve(LAST).toString());
                    PruneRecord bestRecord = PruneRecord.fromJson(Files.readString(out.resolve(BEST).resolve("prune.json")),
                            out.resolve(BEST).toString());
                    String verb = verb();
                    lastRecord.paperLines(verb).forEach(log::info);
                    // the charts of every epoch so far (also when a finished run was resumed: no epoch ran here)
                    List<Path> plots = s.plots() ? Plots.paths(out) : List.of();
                    TrainResult result = new TrainResult(out, out.resolve(LAST), out.resolve(BEST), out.resolve(RESULTS),
                            plots, out.resolve(SUMMARY), results, bestEpoch, lastRecord, bestRecord, stoppedEarly,
                            resumed == null ? -1 : resumed.epoch, elapsed);
                    AtomicOutput.writeString(out.resolve(SUMMARY), result.toJson());
                    log.info(String.format(Locale.ROOT, "%d epochs completed in %.3f hours. Results saved to %s",
                            results.size(), elapsed / 3600, out));
                    if (bestModel == null && ModelBundle.isBundle(out.resolve(BEST))) {
                        bestModel = ModelBundle.read(out.resolve(BEST)); // saved before this run resumed
                    }
                    if (bestModel != null) {
                        log.info("After:  " + ModelSummary.of(bestModel.displayName(), bestModel.graph(imgsz))
                                + " (" + BEST + ", epoch " + (bestEpoch + 1) + ")");
                    }
                    return result;
                }
            }
        }

        private void logStart(int n, int nb, int nw, int batch, int accumulate, double weightDecay, ParamGroups groups) {
            log.info(String.format(Locale.ROOT, "train: %d images, %d classes (%s), %d batches of %d at %d px",
                    n, nc, s.data().describe(), nb, batch, imgsz));
            log.info(String.format(Locale.ROOT,
                    "optimizer: SGD(lr=%s) with parameter groups %d weight(decay=0.0), %d weight(decay=%s), %d bias",
                    fmt(hyp.lr0()), groups.batchNormWeights().size(), groups.weights().size(), fmt(weightDecay),
                    groups.biases().size()));
            log.info(String.format(Locale.ROOT, "warm-up %d iterations; %d batch(es) accumulated per optimizer step;"
                    + " pruning schedule %s (Conv2d %s, BatchNorm2d %s, %s scope)", nw, accumulate, s.schedule().id(),
                    fmt(s.convSparsity()), fmt(s.bnSparsity()), s.scope().name().toLowerCase(Locale.ROOT)));
            if (s.bnL1() > 0) {
                log.info(String.format(Locale.ROOT, "network slimming: %s·sign(γ) added to the gradient of %d BatchNorm"
                        + " weights (those prune-channels can cut, residual-tied groups included; Detect has none)",
                        fmt(s.bnL1()), slimmable.size()));
            }
            log.info("Starting training for " + s.epochs() + " epochs...");
        }

        /**
         * Network slimming (Liu et al. 2017): the gradient of λ·Σ|γ| is added once per optimizer
         * step, after clipping (the term is not a loss gradient to be clipped), as their updateBN does.
         */
        private void addSlimmingTerm(Map<String, NDArray> params) {
            if (s.bnL1() <= 0) {
                return;
            }
            for (String name : slimmable) {
                NDArray w = params.get(name);
                try (NDArray g = w.getGradient(); NDArray sign = w.sign()) {
                    g.addi(sign.muli(s.bnL1()));
                }
            }
        }

        /** Share of the slimmable BatchNorm weights with |γ| < 0.01. */
        private double smallGammaShare(YoloModel m) {
            long small = 0;
            long total = 0;
            for (String name : slimmable) {
                for (float v : m.stateDict().get(name).floats()) {
                    small += Math.abs(v) < 0.01f ? 1 : 0;
                    total++;
                }
            }
            return total == 0 ? 0 : (double) small / total;
        }

        private Metrics validate(YoloModel emaModel, int epoch) throws IOException {
            if (s.validator() == null) {
                return Metrics.NONE;
            }
            YoloModel copy = emaModel.withStateDict(emaModel.copyStateDict());
            return s.validator().validate(copy, imgsz, epoch);
        }

        /** The EMA weights as a model (integer buffers as the model has them). */
        private YoloModel hostModel(ModelEma ema) {
            Map<String, HostTensor> sd = new LinkedHashMap<>();
            for (Map.Entry<String, HostTensor> e : model.stateDict().entrySet()) {
                NDArray a = ema.arrays().get(e.getKey());
                sd.put(e.getKey(), a != null ? toHost(a) : e.getValue().copy());
            }
            return model.withStateDict(sd);
        }

        private PruneRecord record(YoloModel m, int epoch) {
            Map<String, String> extra = new LinkedHashMap<>();
            extra.put("epoch", Integer.toString(epoch));
            extra.put("epochs", Integer.toString(s.epochs()));
            extra.put("seed", Long.toString(s.seed()));
            // a channel-pruned model stays one through fine-tuning: carry what prune-channels recorded
            model.metadata().forEach((k, v) -> {
                if (k.startsWith("pruning.") && ModelBundle.isStructureKey(k.substring("pruning.".length()))) {
                    extra.put(k.substring("pruning.".length()), v);
                }
            });
            String scope = s.scope().name().toLowerCase(Locale.ROOT);
            return switch (s.schedule()) {
                case NONE -> PruneRecord.measure("none", "none", scope, 0, 0, m.stateDict(), targets, extra);
                // the paper's static method: pruned once, then trained with the zeros kept
                case FIXED -> PruneRecord.measure("static", "fixed", scope, fixedInput.conv(), fixedInput.batchNorm(),
                        m.stateDict(), targets, extra);
                default -> PruneRecord.measure("dynamic", s.schedule().id(), scope, s.convSparsity(),
                        s.bnSparsity(), m.stateDict(), targets, extra);
            };
        }

        private void writeBundle(Path dir, YoloModel m, PruneRecord record) throws IOException {
            s.sink().write(dir, m, record);
        }

        private String verb() {
            return switch (s.schedule()) {
                case EPOCH, GRADUAL -> "Dynamic pruning";
                case FIXED -> "Fine-tuning with fixed masks";
                case NONE -> "Training";
            };
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** torch.nn.utils.clip_grad_norm_: scales all gradients so that their joint L2 norm is at most maxNorm. */
    static double clipGradNorm(List<NDArray> params, double maxNorm) {
        double total = 0;
        for (NDArray p : params) {
            try (NDArray g = p.getGradient(); NDArray norm = g.norm()) {
                double v = norm.getFloat();
                total += v * v;
            }
        }
        total = Math.sqrt(total);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            for (NDArray p : params) {
                try (NDArray g = p.getGradient()) {
                    g.muli((float) coef);
                }
            }
        }
        return total;
    }

    static void zeroGrad(List<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
            }
        }
    }

    /** Sets gradients to zero even where they are NaN or infinite (0·NaN would stay NaN). */
    static void clearNonFiniteGrad(List<NDArray> params) {
        for (NDArray p : params) {
            try (NDArray g = p.getGradient()) {
                g.muli(0f);
                try (NDArray nan = g.isNaN()) {
                    g.set(nan, 0f);
                }
            }
        }
    }

    static HostTensor toHost(NDArray a) {
        long[] shape = a.getShape().getShape();
        if (a.getDataType() == ai.djl.ndarray.types.DataType.INT64) {
            return HostTensor.ofLongs(a.toLongArray(), shape);
        }
        return HostTensor.ofFloats(a.toFloatArray(), shape);
    }

    static String yaml(YoloArchitecture arch) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(o).dump(arch.source()); // source's nc is arch.nc() (fromMap, withNc)
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static String fmt(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
