package io.github.edgeprune.optimize;

import com.google.gson.JsonObject;
import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.data.Sample;
import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.verify.BudgetResult;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.Int8Calibration;
import io.github.edgeprune.openvino.IrFiles;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.prune.StaticPruning;
import io.github.edgeprune.prune.PruneStaticJob;
import io.github.edgeprune.prune.channels.ChannelImportance;
import io.github.edgeprune.prune.channels.ChannelPruner;
import io.github.edgeprune.prune.channels.PruneChannelsJob;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.train.TrainDynamicJob;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The optimize goal without Maven: build candidate models (channel cuts × precisions × input sizes),
 * measure the cheap things first, verify the promising ones on the device with {@link VerifyJob},
 * and choose the one that meets every budget with the lowest latency (ties: the smaller IR).
 *
 * <p>Search order: ascending predicted cost, GFLOPs (predicted before building: the dense model's
 * GFLOPs × the cut's kept share × the pixel ratio) × {@link Candidate#costFactor the precision's
 * factor}. For each candidate in turn:
 * <ol>
 *   <li>once a winner exists and a candidate of the same precision has been measured on the device, the
 *       candidate's latency is predicted as its GFLOPs × the lowest ms per GFLOP measured for that precision;
 *       when that is above the winner's latency × (1 + searchMargin) it is not built or measured
 *       (NOT_MEASURED). The first accurate-enough candidate of each precision always goes to the device,
 *       so the precision factor is only a guess until that precision has been measured;
 *   <li>build it (prune-channels, export-openvino: each skipped when up to date) and read GFLOPs,
 *       parameters and size;
 *   <li>mAP50 on the build machine with the evaluate code (the IR, our executor); below prune.minMap50 it
 *       never goes to the device (REJECTED_ON_BUILD_MACHINE);
 *   <li>verify on the device (the same agent and measurements as verify-on-device) and check every budget.
 * </ol>
 * Build-machine mAP50 and device figures are cached by fingerprint ({@link CandidateCache}): the IR's
 * bytes, the data, the device settings, never the budgets, so a re-run with a budget changed re-uses
 * every measurement already made.
 */
public final class OptimizeJob {

    /**
     * How the device is reached and measured, as verify-on-device takes it.
     *
     * @param spec prune.device as given (part of the device fingerprint)
     */
    public record Device(String spec, DeviceSettings settings, String backend, int warmup, int iterations,
            Function<String, List<Path>> classPath, String openvinoLib, String remoteJava, List<String> jvmArgs,
            Duration runTimeout, boolean emulated, Map<String, Object> extraFacts) {

        /** This machine, with the given agent class path. */
        public static Device local(String backend, List<Path> classPath) {
            return new Device("local", DeviceSettings.local(), backend, 10, 0, arch -> classPath, null, "java",
                    List.of(), Duration.ofMinutes(60), false, Map.of());
        }

        public Device withWarmup(int n) {
            return new Device(spec, settings, backend, n, iterations, classPath, openvinoLib, remoteJava, jvmArgs,
                    runTimeout, emulated, extraFacts);
        }

        public Device withJvmArgs(List<String> args) {
            return new Device(spec, settings, backend, warmup, iterations, classPath, openvinoLib, remoteJava, args,
                    runTimeout, emulated, extraFacts);
        }
    }

    /**
     * @param model the source model (.pt, bundle, yaml)
     * @param data data yaml: its val split measures mAP50 (here and on the device), its train split calibrates INT8
     * @param outputDirectory the optimize folder (candidates, winner, reports)
     * @param name base name of the IR files (null: the model's)
     * @param baseImgsz prune.imgsz: the size GFLOPs are predicted at and channel cuts are counted at
     * @param searchMargin a candidate is still measured when its predicted latency is within this share above the winner's
     */
    public record Settings(String model, Path baseDir, String data, String split, int maxImages, Path outputDirectory,
            String name, List<Candidate> candidates, int baseImgsz, Budgets budgets, int calibrationImages,
            double searchMargin, List<Device> devices, int deviceParallelism, CalibrationMethod calibration) {

        /** One device. */
        public Settings(String model, Path baseDir, String data, String split, int maxImages, Path outputDirectory,
                String name, List<Candidate> candidates, int baseImgsz, Budgets budgets, int calibrationImages,
                double searchMargin, Device device) {
            this(model, baseDir, data, split, maxImages, outputDirectory, name, candidates, baseImgsz, budgets,
                    calibrationImages, searchMargin, List.of(device), 1, CalibrationMethod.MINMAX);
        }

        public Settings {
            if (devices == null || devices.isEmpty()) {
                throw new OptimizeException("no device to measure on: set prune.device or prune.devices");
            }
            if (deviceParallelism < 1) {
                throw new OptimizeException("prune.deviceParallelism must be at least 1, got " + deviceParallelism);
            }
            devices = List.copyOf(devices);
            calibration = calibration == null ? CalibrationMethod.MINMAX : calibration;
            if (model == null || model.isBlank()) {
                throw new OptimizeException("no model to optimize: set prune.model to a .pt checkpoint, a bundle or a model yaml");
            }
            if (data == null || data.isBlank()) {
                throw new OptimizeException("no data set given: set prune.data to an Ultralytics data yaml (its val split"
                        + " measures mAP50, its train split calibrates INT8)");
            }
            if (candidates == null || candidates.isEmpty()) {
                throw new OptimizeException("prune.candidates names no candidate");
            }
            if (!(searchMargin >= 0) || Double.isInfinite(searchMargin)) {
                throw new OptimizeException("prune.searchMargin must be a non-negative fraction (e.g. 0.1), got " + searchMargin);
            }
            if (calibrationImages < 1) {
                throw new OptimizeException("prune.calibrationImages must be at least 1, got " + calibrationImages);
            }
            if (maxImages < 0) {
                throw new OptimizeException("prune.maxImages must be 0 (all) or more, got " + maxImages);
            }
            if (baseImgsz < 32 || baseImgsz % 32 != 0) {
                throw new OptimizeException("prune.imgsz must be a positive multiple of 32, got " + baseImgsz);
            }
            budgets = budgets == null ? Budgets.none() : budgets;
            split = split == null ? "val" : split;
        }

        /** The first device (the only one, unless prune.devices names several). */
        public Device device() {
            return devices.get(0);
        }

        /** The devices' specs, comma-separated, for reports and messages. */
        public String deviceSpecs() {
            return String.join(",", devices.stream().map(Device::spec).toList());
        }
    }

    /**
     * What the search found.
     *
     * @param winner null when no candidate passes every budget
     * @param winnerIr the winner's IR copied to {@code <outputDirectory>/winner}, or null
     * @param closest with no winner, the candidate that came nearest (null when nothing was measured)
     */
    public record Outcome(List<CandidateResult> candidates, CandidateResult winner, Path winnerIr, Path winnerOnnx,
            CandidateResult closest, Budgets budgets, int deviceRuns, int deviceRunsCached, int evaluations,
            int evaluationsCached, double seconds, Map<String, Object> deviceFacts, OptimizeReport.Written files) {

        public boolean passed() {
            return winner != null;
        }

        /** Why the build fails, naming the closest candidate and its figures (null when a winner exists). */
        public String failureMessage() {
            if (winner != null) {
                return null;
            }
            StringBuilder sb = new StringBuilder("no candidate meets every budget (" + candidates.size() + " candidates: "
                    + count(CandidateResult.Status.FAILED) + " missed a budget on the device, "
                    + count(CandidateResult.Status.REJECTED_ON_BUILD_MACHINE) + " missed prune.minMap50 on the build machine, "
                    + count(CandidateResult.Status.ERROR) + " could not be built or measured)");
            if (closest == null) {
                sb.append("; nothing was measured");
                candidates.stream().filter(c -> c.status() == CandidateResult.Status.ERROR).findFirst()
                        .ifPresent(c -> sb.append("; e.g. ").append(c.candidate().id()).append(": ").append(c.reason()));
                return sb.toString();
            }
            sb.append(". Closest: ").append(closest.candidate().id()).append(" (").append(closest.candidate().describe())
                    .append(")");
            if (closest.measuredOnDevice()) {
                sb.append(String.format(Locale.ROOT, ", on the device mAP50 %.3f, latency median %.1f ms / p90 %.1f ms,"
                        + " peak memory %.0f MB", closest.deviceMap50(), closest.latency().median(), closest.latency().p90(),
                        closest.peakMemoryMb()));
            } else {
                sb.append(String.format(Locale.ROOT, ", build-machine mAP50 %.3f (not sent to the device)", closest.buildMap50()));
            }
            sb.append(":");
            for (BudgetResult b : closest.budgets()) {
                sb.append("\n  ").append(b.verdict()).append(": ").append(b.explanation());
            }
            if (closest.status() == CandidateResult.Status.ERROR) {
                // e.g. one of several devices could not be reached: the budgets above are the others'
                sb.append("\n  ERROR: ").append(closest.reason());
            }
            return sb.toString();
        }

        private long count(CandidateResult.Status s) {
            return candidates.stream().filter(c -> c.status() == s).count();
        }
    }

    /** Fine-tuning a channel cut: train-dynamic's default batch, a fixed seed so a re-run is the same. */
    static final int FINE_TUNE_BATCH = 16;
    static final long FINE_TUNE_SEED = 0;

    static final String STEP_SOURCE = "source";
    static final String STEP_BUILD = "build";
    static final String STEP_EVAL = "build-machine-map";
    static final String STEP_DEVICE = "device";

    private OptimizeJob() {
    }

    public static Outcome run(Settings s, Log log) throws IOException {
        long started = System.nanoTime();
        Path modelPath = s.baseDir().resolve(s.model()).normalize();
        Path dataYaml = s.baseDir().resolve(s.data()).normalize();
        if (!Files.isRegularFile(dataYaml)) {
            throw new OptimizeException("prune.data: no such data yaml: " + dataYaml);
        }
        for (Device d : s.devices()) {
            VerifyJob.checkBackend(d.backend());
        }
        DataSet val = DataSet.load(dataYaml, s.split());
        if (s.maxImages() > 0 && s.maxImages() < val.size()) {
            val = val.first(s.maxImages());
        }
        if (val.size() == 0) {
            throw new OptimizeException("prune.data: " + dataYaml + " has no " + s.split() + " images to measure mAP50 on");
        }
        Path root = s.outputDirectory();
        CandidateCache cache = new CandidateCache(root.resolve("candidates"));
        String dataSig = dataSignature(dataYaml, val);

        // the source model: dense GFLOPs at the base size, for the predicted order (cached by the model's bytes)
        String sourceFp = Fingerprint.of(List.of(modelPath), Map.of("model", s.model(), "imgsz",
                Integer.toString(s.baseImgsz())));
        JsonObject source = cache.get("_source", STEP_SOURCE, sourceFp);
        if (source == null) {
            YoloModel m = ModelLoader.load(s.model(), s.baseDir(), 0, log);
            GraphStats stats = GraphStats.of(m.fusedGraph(s.baseImgsz()));
            source = new JsonObject();
            source.addProperty("gflops", stats.gflops());
            source.addProperty("parameters", stats.parameters());
            cache.put("_source", STEP_SOURCE, sourceFp, source);
        }
        double denseGflops = source.get("gflops").getAsDouble();

        List<CandidateResult> results = new ArrayList<>();
        for (Candidate c : s.candidates()) {
            results.add(new CandidateResult(c, c.predictedGflops(denseGflops, s.baseImgsz())));
        }
        List<CandidateResult> order = searchOrder(results);
        log.info(String.format(Locale.ROOT, "Optimize: %d candidates of %s (%.2f GFLOPs at %d), cheapest predicted cost"
                + " first (GFLOPs x precision factor: FP16 1.0, INT8 %.1f): %s", order.size(), s.model(), denseGflops,
                s.baseImgsz(), Candidate.costFactor(IrPrecision.INT8),
                String.join(", ", order.stream().map(r -> r.candidate().id()).toList())));

        Search search = new Search(s, log, cache, dataYaml, dataSig);
        CandidateResult winner = searchInOrder(order, results, s.searchMargin(), search::measure, log);
        for (CandidateResult r : results) {
            if (r.status == CandidateResult.Status.PASSED && r == winner) {
                r.status = CandidateResult.Status.WINNER;
            }
        }
        if (winner != null) {
            for (CandidateResult r : results) {
                if (r.status == CandidateResult.Status.PASSED) {
                    r.reason = String.format(Locale.ROOT, "passes every budget; slower than (or as fast as and larger"
                            + " than) the winner %s (%.1f ms against %.1f ms)", winner.candidate().id(), r.latencyMs(),
                            winner.latencyMs());
                }
            }
            winner.reason = String.format(Locale.ROOT, "passes every budget with the lowest %s latency (%.1f ms)",
                    s.budgets().latencyStatistic().id(), winner.latencyMs());
        }
        CandidateResult closest = winner == null ? closest(results, s.budgets()) : null;

        Path winnerIr = null;
        Path winnerOnnx = null;
        if (winner != null) {
            Path dir = root.resolve("winner");
            CandidateResult w = winner;
            AtomicOutput.writeDirectory(dir, tmp -> {
                Files.copy(w.ir(), tmp.resolve(w.ir().getFileName()));
                Files.copy(IrFiles.bin(w.ir()), tmp.resolve(IrFiles.bin(w.ir()).getFileName()));
                Path meta = w.ir().resolveSibling("metadata.yaml");
                if (Files.isRegularFile(meta)) {
                    Files.copy(meta, tmp.resolve("metadata.yaml"));
                }
                if (w.onnx() != null && Files.isRegularFile(w.onnx())) {
                    Files.copy(w.onnx(), tmp.resolve(w.onnx().getFileName()));
                }
            });
            winnerIr = dir.resolve(w.ir().getFileName());
            winnerOnnx = w.onnx() != null && Files.isRegularFile(dir.resolve(w.onnx().getFileName()))
                    ? dir.resolve(w.onnx().getFileName()) : null;
        }
        if (winner == null) {
            // a winner of an earlier run must not look like this run's result
            AtomicOutput.deleteRecursively(root.resolve("winner"));
        }
        Map<String, Object> facts = deviceFacts(results, s.devices().size() > 1);
        double seconds = (System.nanoTime() - started) / 1e9;
        Outcome partial = new Outcome(results, winner, winnerIr, winnerOnnx, closest, s.budgets(), search.deviceStep.runs,
                search.deviceStep.cachedRuns, search.evaluations, search.evaluationsCached, seconds, facts, null);
        OptimizeReport.Written files = OptimizeReport.write(root, partial, s);
        Outcome outcome = new Outcome(results, winner, winnerIr, winnerOnnx, closest, s.budgets(), search.deviceStep.runs,
                search.deviceStep.cachedRuns, search.evaluations, search.evaluationsCached, seconds, facts, files);

        log.info(OptimizeReport.table(outcome));
        log.info(String.format(Locale.ROOT, "Device runs: %d new, %d taken from the cache; build-machine evaluations: %d"
                + " new, %d taken from the cache%s", search.deviceStep.runs, search.deviceStep.cachedRuns, search.evaluations,
                search.evaluationsCached, search.deviceStep.runs == 0 && search.deviceStep.cachedRuns > 0
                        ? " (nothing re-measured: every measurement came from the cache)" : ""));
        if (s.candidates().stream().anyMatch(c -> c.fineTuneEpochs() > 0)) {
            log.info("Fine-tunes run: " + search.fineTunes + " (the others were up to date or not needed)");
        }
        if (winner != null) {
            log.info(String.format(Locale.ROOT, "Winner: %s (%s): mAP50 %.3f on the device, %s latency %.1f ms, %.2f GFLOPs,"
                    + " %.2f MB -> %s", winner.candidate().id(), winner.candidate().describe(), winner.deviceMap50(),
                    s.budgets().latencyStatistic().id(), winner.latencyMs(), winner.gflops(), winner.sizeBytes() / 1e6,
                    winnerIr));
        } else {
            log.warn(outcome.failureMessage());
        }
        log.info("Report: " + files.html());
        return outcome;
    }

    /** Cheapest predicted cost first (ties: by id), numbered from 1. */
    static List<CandidateResult> searchOrder(List<CandidateResult> results) {
        List<CandidateResult> order = new ArrayList<>(results);
        order.sort(Comparator.comparingDouble(CandidateResult::predictedCost).thenComparing(r -> r.candidate().id()));
        for (int i = 0; i < order.size(); i++) {
            order.get(i).order = i + 1;
        }
        return order;
    }

    /** Builds and measures one candidate: sets its figures, status and reason. */
    @FunctionalInterface
    interface Measurer {
        void measure(CandidateResult r, Log clog) throws IOException;
    }

    /**
     * The search proper, on whatever {@code measurer} finds: candidates in {@code order}, each skipped
     * (NOT_MEASURED) when a winner exists and its latency, predicted from the fastest ms per GFLOP
     * measured for its precision, is above the winner's by more than {@code searchMargin}; otherwise
     * measured. Returns the fastest passing candidate (ties: the smaller IR), or null.
     */
    static CandidateResult searchInOrder(List<CandidateResult> order, List<CandidateResult> results,
            double searchMargin, Measurer measurer, Log log) throws IOException {
        CandidateResult winner = null;
        for (int i = 0; i < order.size(); i++) {
            CandidateResult r = order.get(i);
            Log clog = Log.prefixed(log, "[" + r.candidate().id() + "] ");
            log.info(String.format(Locale.ROOT, "Candidate %d of %d: %s (%s); %d after it; best so far: %s", i + 1,
                    order.size(), r.candidate().id(), r.candidate().describe(), order.size() - i - 1, winner == null
                            ? "none passes yet" : String.format(Locale.ROOT, "%s at %.1f ms", winner.candidate().id(),
                                    winner.latencyMs())));
            String dominated = dominatedBy(r, results);
            if (dominated != null) {
                r.status = CandidateResult.Status.NOT_MEASURED;
                r.reason = dominated;
                clog.info(r.reason);
                continue;
            }
            if (winner != null) {
                Double rate = fastestRate(r.candidate().precision(), results);
                if (rate != null) {
                    double predictedMs = r.predictedGflops() * rate;
                    if (predictedMs > winner.latencyMs() * (1 + searchMargin)) {
                        r.status = CandidateResult.Status.NOT_MEASURED;
                        r.reason = String.format(Locale.ROOT, "not measured: predicted %.1f ms (%.3f GFLOPs x %.2f ms/GFLOP,"
                                + " the fastest measured for %s) cannot beat the winner %s at %.1f ms (margin %.0f %%)",
                                predictedMs, r.predictedGflops(), rate, r.candidate().precision(), winner.candidate().id(),
                                winner.latencyMs(), 100 * searchMargin);
                        clog.info(r.reason);
                        continue;
                    }
                }
            }
            try {
                measurer.measure(r, clog);
            } catch (java.io.InterruptedIOException e) {
                throw e; // the user stopped the build: not this candidate's failure
            } catch (IOException | RuntimeException e) {
                r.status = CandidateResult.Status.ERROR;
                r.reason = "could not be built or measured: " + (e.getMessage() != null ? e.getMessage() : e.toString());
                clog.warn(r.reason);
                continue;
            }
            if (r.passed() && (winner == null || better(r, winner))) {
                winner = r;
            }
        }
        return winner;
    }

    /**
     * Why an unstructured candidate (the paper's L1 zeros) need not be measured, or null: its dense twin
     * (same precision and size, so the same shapes and the same work for a dense runtime) was measured
     * on the device and either passed (a candidate no faster cannot win) or missed a latency or memory
     * budget (which the zeros cannot fix). When the twin missed only mAP50, fine-tuning on the user's
     * data may still make the pruned one pass, so it is measured.
     */
    static String dominatedBy(CandidateResult r, List<CandidateResult> results) {
        Candidate c = r.candidate();
        if (c.unstructured() == Candidate.Unstructured.NONE) {
            return null;
        }
        for (CandidateResult t : results) {
            Candidate d = t.candidate();
            if (!d.dense() || d.precision() != c.precision() || d.imgsz() != c.imgsz() || !t.measuredOnDevice()) {
                continue;
            }
            boolean slow = t.budgets().stream().anyMatch(b -> !b.passed() && !b.metric().equals("map50"));
            if (t.passed() || slow) {
                return "not measured: dominated by " + d.id() + ", which has the same shapes and precision (L1 zeros"
                        + " do not make a dense runtime faster)" + (t.passed() ? " and already passes every budget"
                        : " and misses a latency or memory budget that the zeros cannot fix");
            }
        }
        return null;
    }

    /** The lowest measured ms per GFLOP among device-measured candidates of a precision, or null. */
    static Double fastestRate(IrPrecision precision, List<CandidateResult> results) {
        Double best = null;
        for (CandidateResult r : results) {
            if (r.measuredOnDevice() && r.candidate().precision() == precision && r.gflops() > 0) {
                double rate = r.latencyMs() / r.gflops();
                best = best == null ? rate : Math.min(best, rate);
            }
        }
        return best;
    }

    /**
     * The facts of the devices as the first candidate measured on each reported them; with several
     * devices each key names its device ("ssh://pi@pi4: cpu").
     */
    static Map<String, Object> deviceFacts(List<CandidateResult> results, boolean several) {
        Map<String, Object> facts = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (CandidateResult r : results) {
            for (DeviceFigures f : r.devices()) {
                if (f.measured() && seen.add(f.spec())) {
                    f.facts().forEach((k, v) -> facts.put(several ? f.spec() + ": " + k : k, v));
                }
            }
        }
        return facts;
    }

    /** Lower latency wins; equal latency: the smaller IR. */
    static boolean better(CandidateResult a, CandidateResult b) {
        int c = Double.compare(a.latencyMs(), b.latencyMs());
        return c < 0 || (c == 0 && a.sizeBytes() < b.sizeBytes());
    }

    /**
     * With no winner: the device-measured candidate whose worst miss (relative to its budget) is
     * smallest; when none reached the device, the one with the highest build-machine mAP50.
     */
    static CandidateResult closest(List<CandidateResult> results, Budgets budgets) {
        CandidateResult best = null;
        double bestMiss = Double.POSITIVE_INFINITY;
        for (CandidateResult r : results) {
            if (!r.measuredOnDevice()) {
                continue;
            }
            double miss = 0;
            for (BudgetResult b : r.budgets()) {
                if (!b.passed()) {
                    double rel = !b.measuredAtAll() ? Double.POSITIVE_INFINITY
                            : b.comparison().equals(">=") ? (b.budget() - b.measured()) / Math.max(b.budget(), 1e-9)
                            : (b.measured() - b.budget()) / Math.max(b.budget(), 1e-9);
                    miss = Math.max(miss, rel);
                }
            }
            if (best == null || miss < bestMiss) {
                best = r;
                bestMiss = miss;
            }
        }
        if (best != null) {
            return best;
        }
        return results.stream().filter(r -> !Double.isNaN(r.buildMap50()))
                .max(Comparator.comparingDouble(CandidateResult::buildMap50)).orElse(null);
    }

    /** The data's identity for the caches: the yaml's bytes, and every val image's and label's name, size and time. */
    public static String dataSignature(Path yaml, DataSet val) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Sample sample : val.samples()) {
            for (Path p : new Path[] {sample.image(), sample.labelFile()}) {
                if (p != null && Files.isRegularFile(p)) {
                    sb.append(p).append(':').append(Files.size(p)).append(':')
                            .append(Files.getLastModifiedTime(p).toMillis()).append(';');
                }
            }
        }
        return Fingerprint.sha256(yaml).substring(0, 16) + "/" + Integer.toHexString(sb.toString().hashCode()) + "/"
                + val.size();
    }

    /** The per-candidate steps, with the counters of one run. */
    private static final class Search {
        final Settings s;
        final Log log;
        final CandidateCache cache;
        final Path dataYaml;
        final String dataSig;
        final Map<String, Long> parametersByModel = new LinkedHashMap<>();
        final DeviceStep deviceStep;
        int fineTunes;
        int evaluations;
        int evaluationsCached;

        Search(Settings s, Log log, CandidateCache cache, Path dataYaml, String dataSig) {
            this.s = s;
            this.log = log;
            this.cache = cache;
            this.dataYaml = dataYaml;
            this.dataSig = dataSig;
            this.deviceStep = new DeviceStep(s.devices(), s.deviceParallelism(), cache, s.budgets());
        }

        /**
         * Trains a candidate's model on the data's train split at the candidate's size: a channel cut
         * with its pruned shapes (schedule none), a static pruning with its zeros held (fixed), or the
         * paper's dynamic pruning (epoch). train-dynamic's own fingerprint skips a training that is up to
         * date. Returns the best bundle.
         */
        Path fineTune(Candidate c, String model, String schedule, double conv, double bn, Log clog) throws IOException {
            Path tuned = cache.root().resolve("_bundles").resolve(c.recipe() + "-" + c.imgsz());
            clog.info(String.format(Locale.ROOT, "%s %d epochs at %d on the train split of %s (schedule %s, batch %d,"
                    + " seed %d)", c.unstructured() == Candidate.Unstructured.DYNAMIC ? "training with dynamic pruning"
                    : "fine-tuning", c.fineTuneEpochs(), c.imgsz(), dataYaml, schedule, FINE_TUNE_BATCH, FINE_TUNE_SEED));
            TrainDynamicJob.Outcome t = TrainDynamicJob.run(new TrainDynamicJob.Settings(model, dataYaml.toString(),
                    s.baseDir(), tuned, c.fineTuneEpochs(), FINE_TUNE_BATCH, c.imgsz(), FINE_TUNE_SEED, schedule,
                    conv, bn, "layer", 1.0, 0, false, 2, null, false, null, false, false, 0.0), clog);
            if (!t.skipped()) {
                fineTunes++;
            }
            return t.bundle();
        }

        void measure(CandidateResult r, Log clog) throws IOException {
            Candidate c = r.candidate();
            Path folder = cache.folder(c.id());
            // 1. build: the channel cut (shared by precisions and sizes), then the IR
            String exportModel = s.model();
            Path bundles = cache.root().resolve("_bundles");
            if (c.channelCut()) {
                Path bundle = bundles.resolve(String.format(Locale.ROOT, "flops%.2f", c.targetFlops()));
                PruneChannelsJob.run(new PruneChannelsJob.Settings(s.model(), s.baseDir(), bundle,
                        new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, Double.NaN, c.targetFlops()),
                        s.baseImgsz(), false, 0), clog);
                exportModel = bundle.toAbsolutePath().toString();
                if (c.fineTuneEpochs() > 0) {
                    exportModel = fineTune(c, exportModel, "none", 0, 0, clog).toAbsolutePath().toString();
                }
            } else if (c.unstructured() == Candidate.Unstructured.STATIC) {
                // the paper's static method: L1 zeros once, then (with epochs) training that holds them
                Path bundle = bundles.resolve("static");
                StaticPruning.Amounts paper = StaticPruning.Amounts.paper(s.model());
                PruneStaticJob.run(new PruneStaticJob.Settings(s.model(), s.baseDir(), bundle, paper.conv(), paper.bn(),
                        paper.scope(), false, FINE_TUNE_SEED), clog);
                exportModel = bundle.toAbsolutePath().toString();
                if (c.fineTuneEpochs() > 0) {
                    exportModel = fineTune(c, exportModel, "fixed", 0, 0, clog).toAbsolutePath().toString();
                }
            } else if (c.unstructured() == Candidate.Unstructured.DYNAMIC) {
                StaticPruning.Amounts paper = StaticPruning.Amounts.paper(s.model());
                exportModel = fineTune(c, s.model(), "epoch", paper.conv(), paper.bn(), clog).toAbsolutePath().toString();
            }
            Int8Calibration int8 = c.precision() == IrPrecision.INT8
                    ? new Int8Calibration(dataYaml.toString(), s.calibrationImages(), s.calibration(), List.of())
                    : null;
            ExportJob.Result exported = ExportJob.run(new ExportJob.Settings(exportModel, s.baseDir(), folder.resolve("ir"),
                    s.name(), c.imgsz(), c.precision(), true, int8), clog);
            r.ir = exported.ir().xml();
            r.onnx = exported.onnx();
            r.gflops = exported.ir().gflops();
            r.sizeBytes = exported.ir().irBytes();
            String irFp = Fingerprint.of(List.of(r.ir, exported.ir().bin()), Map.of());
            JsonObject build = cache.get(c.id(), STEP_BUILD, irFp);
            if (build == null) {
                String key = exportModel;
                Long params = parametersByModel.get(key);
                if (params == null) {
                    Graph g = ModelLoader.load(exportModel, s.baseDir(), 0, Log.silent()).fusedGraph(c.imgsz());
                    params = GraphStats.of(g).parameters();
                    parametersByModel.put(key, params);
                }
                build = new JsonObject();
                build.addProperty("parameters", params);
                build.addProperty("gflops", r.gflops);
                build.addProperty("sizeBytes", r.sizeBytes);
                cache.put(c.id(), STEP_BUILD, irFp, build);
            }
            r.parameters = build.get("parameters").getAsLong();
            clog.info(String.format(Locale.ROOT, "built: %.3f GFLOPs (predicted %.3f), %,d parameters, %.2f MB on disk",
                    r.gflops, r.predictedGflops(), r.parameters, r.sizeBytes / 1e6));

            // 2. accuracy on the build machine
            Map<String, String> evalSettings = new LinkedHashMap<>();
            evalSettings.put("data", dataSig);
            evalSettings.put("split", s.split());
            evalSettings.put("maxImages", Integer.toString(s.maxImages()));
            String evalFp = Fingerprint.of(List.of(r.ir, exported.ir().bin()), evalSettings);
            JsonObject eval = cache.get(c.id(), STEP_EVAL, evalFp);
            if (eval == null) {
                EvaluationResult e = EvaluateJob.run(new EvaluateJob.Settings(r.ir.toString(), dataYaml.toString(),
                        s.baseDir(), folder.resolve("eval"), EvalSettings.defaults().withImgsz(c.imgsz()), false, false, false,
                        s.split(), s.maxImages()), clog);
                eval = new JsonObject();
                eval.addProperty("map50", e.map50());
                eval.addProperty("map50_95", e.map50_95());
                cache.put(c.id(), STEP_EVAL, evalFp, eval);
                evaluations++;
            } else {
                evaluationsCached++;
                r.buildMapCached = true;
            }
            r.buildMap50 = eval.get("map50").getAsDouble();
            r.buildMap50_95 = eval.get("map50_95").getAsDouble();
            clog.info(String.format(Locale.ROOT, "build-machine mAP50 %.4f, mAP50-95 %.4f%s", r.buildMap50, r.buildMap50_95,
                    r.buildMapCached ? " (cached: this IR was evaluated on this data before)" : ""));
            Double min = s.budgets().minMap50();
            if (min != null && !(r.buildMap50 >= min)) {
                r.status = CandidateResult.Status.REJECTED_ON_BUILD_MACHINE;
                r.budgets = Budgets.builder().minMap50(min).build().check(r.buildMap50, null, Double.NaN);
                r.reason = String.format(Locale.ROOT, "build-machine mAP50 %.3f is below prune.minMap50 %.3f: not sent to"
                        + " the device", r.buildMap50, min);
                clog.info(r.reason);
                return;
            }

            // 3. the devices: every one must pass; the worst device's figures are the candidate's
            List<Path> devInputs = new ArrayList<>(List.of(r.ir, exported.ir().bin()));
            if (r.onnx != null) {
                devInputs.add(r.onnx);
            }
            List<DeviceFigures> figures = deviceStep.measure(c.id(), r.ir, r.onnx, devInputs, dataYaml, s.split(),
                    s.maxImages(), evalSettings, clog);
            r.devices = figures;
            r.deviceReport = figures.get(0).report();
            List<DeviceFigures> failed = figures.stream().filter(f -> !f.measured()).toList();
            List<DeviceFigures> measured = figures.stream().filter(DeviceFigures::measured).toList();
            if (!measured.isEmpty()) {
                DeviceFigures slowest = measured.stream().max(Comparator.comparingDouble(DeviceFigures::latencyMs)).get();
                r.deviceMap50 = measured.stream().mapToDouble(DeviceFigures::map50).min().getAsDouble();
                r.deviceMap50_95 = measured.stream().mapToDouble(DeviceFigures::map50_95).min().getAsDouble();
                r.latency = slowest.latency();
                r.latencyMs = slowest.latencyMs();
                r.peakMemoryMb = measured.stream().mapToDouble(DeviceFigures::peakMemoryMb).max().getAsDouble();
                r.backend = String.join(",", measured.stream().map(DeviceFigures::backend).distinct().toList());
                r.deviceCached = measured.stream().allMatch(DeviceFigures::cached);
                r.deviceFacts = measured.get(0).facts();
            }
            boolean several = figures.size() > 1;
            List<BudgetResult> all = new ArrayList<>();
            for (DeviceFigures f : figures) {
                for (BudgetResult b : f.budgets()) {
                    all.add(several ? new BudgetResult(b.metric(), b.label() + " on " + f.spec(), b.property(),
                            b.comparison(), b.budget(), b.measured(), b.unit(), b.passed()) : b);
                }
            }
            r.budgets = all;
            if (!failed.isEmpty()) {
                r.status = CandidateResult.Status.ERROR;
                r.reason = "not measured on " + String.join("; ", failed.stream().map(f -> f.spec() + ": " + f.error())
                        .toList());
                clog.warn(r.reason);
                return;
            }
            boolean ok = Budgets.allPassed(r.budgets);
            r.status = ok ? CandidateResult.Status.PASSED : CandidateResult.Status.FAILED;
            r.reason = ok ? "passes every budget" + (several ? " on every device" : "") : String.join("; ",
                    r.budgets.stream().filter(b -> !b.passed()).map(BudgetResult::explanation).toList());
            for (DeviceFigures f : figures) {
                clog.info(String.format(Locale.ROOT, "device %s (%s%s): mAP50 %.4f, latency median %.1f ms / p90 %.1f ms,"
                        + " peak memory %.0f MB: %s", f.spec(), f.backend(), f.cached() ? ", cached: this IR was measured"
                        + " on this device with these settings before" : "", f.map50(), f.latency().median(),
                        f.latency().p90(), f.peakMemoryMb(), f.passed() ? "passes every budget" : String.join("; ",
                                f.budgets().stream().filter(b -> !b.passed()).map(BudgetResult::explanation).toList())));
            }
        }
    }
}
