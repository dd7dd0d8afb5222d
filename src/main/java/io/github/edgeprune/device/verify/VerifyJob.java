package io.github.edgeprune.device.verify;

import io.github.edgeprune.agent.AgentMain;
import io.github.edgeprune.agent.AgentResult;
import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.data.Sample;
import io.github.edgeprune.device.Device;
import io.github.edgeprune.device.DeviceException;
import io.github.edgeprune.device.DeviceFacts;
import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.Devices;
import io.github.edgeprune.device.JarCache;
import io.github.edgeprune.device.MonitoredRun;
import io.github.edgeprune.device.RemoteTempDir;
import io.github.edgeprune.eval.Detections;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.eval.Evaluator;
import io.github.edgeprune.openvino.IrFiles;
import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * verify-on-device without Maven: upload the agent, the model files the backend reads (the IR
 * for openvino and djl, the ONNX twin for onnxruntime, both for auto) and the validation images
 * to the device, run them one image at a time while sampling the agent's
 * memory every second, compute mAP on this machine from the device's detections, check the
 * budgets, and write the reports. Budgets are validated by {@link Budgets} before anything
 * runs; the caller decides whether a missed budget fails the build.
 */
public final class VerifyJob {

    /**
     * @param classPath the agent's class path for a device architecture ({@code uname -m}), jars only
     *     for remote devices
     * @param emulated the device is an emulation: latency and memory are reported, not enforced
     */
    public record Settings(Path ir, Path onnx, Path data, String split, int maxImages, DeviceSettings device,
            String backend, int warmup, int iterations, Budgets budgets, Path reportDir,
            Function<String, List<Path>> classPath, String openvinoLib, String remoteJava, List<String> jvmArgs,
            Duration runTimeout, boolean emulated, Map<String, Object> extraFacts) {
    }

    /** The report, and whether every enforced budget passed. */
    public record Outcome(VerifyReport report, ReportWriter.Written files, List<BudgetResult> budgets, boolean passed) {
    }

    private VerifyJob() {
    }

    /** Refuses a backend the agent does not know, before anything is connected or uploaded. */
    public static void checkBackend(String backend) {
        if (!AgentMain.BACKENDS.contains(backend)) {
            throw new IllegalArgumentException("prune.backend must be one of " + String.join(", ", AgentMain.BACKENDS) + ", got '"
                    + backend + "'");
        }
    }

    /** INT8 for a model the INT8 pass wrote, else the IR's stored precision (FP16/FP32). */
    static String precisionOf(Path ir) {
        Map<String, String> meta = io.github.edgeprune.openvino.IrReader.read(ir).metadata();
        String q = meta.get("quantization.precision");
        return q != null ? q : meta.getOrDefault("ir.precision", "FP32");
    }

    public static Outcome run(Settings s, Log log) throws IOException {
        checkBackend(s.backend());
        if (!Files.isRegularFile(s.ir())) {
            throw new IllegalArgumentException(s.ir() + ": no such IR; run export-openvino first or set prune.ir");
        }
        String precision = precisionOf(s.ir());
        log.info("Verifying " + s.ir() + " (" + precision + ")");
        DataSet ds = DataSet.load(s.data(), s.split(), false, log);
        if (s.maxImages() > 0) {
            ds = ds.first(s.maxImages());
        }
        long started = System.nanoTime();
        try (Device device = Devices.open(s.device(), log)) {
            DeviceFacts facts = device.facts();
            log.info("Device " + device.name() + ": " + describe(facts) + (s.emulated() ? " (emulated)" : ""));
            String java = device.requireJava(s.remoteJava());
            List<Path> classPath = s.classPath().apply(facts.arch());
            try (RemoteTempDir work = device.createTempDir()) {
                Staged staged = stage(device, work, s, ds, classPath, log);
                AgentResult agent = runAgent(device, work, s, staged, facts.memTotalMb(), log);
                MonitoredRun.Result run = staged.run;
                EvaluationResult metrics = Evaluator.evaluateDetections(ds, detectionsInOrder(agent, ds),
                        EvalSettings.defaults().withImgsz(agent.imgsz));
                double[] latencyMs = toArray(agent.inferenceMs);
                double[] frameMs = toArray(agent.frameMs);
                LatencyStats latency = LatencyStats.of(latencyMs);
                LatencyStats frame = LatencyStats.of(frameMs);
                var memory = run.memory().withReportedPeak(agent.vmHwmMb);
                List<BudgetResult> results = s.budgets().check(metrics.map50(), latency, memory.peakMb());
                List<BudgetResult> enforced = s.emulated() ? notEnforcedOnEmulation(results) : results;
                VerifyReport.Builder report = VerifyReport.builder()
                        .model(s.ir().toString())
                        .backend(agent.backend)
                        .precision(precision)
                        .emulated(s.emulated())
                        .device(facts)
                        .deviceFact("java", java)
                        .deviceFact("runtime", agent.runtime)
                        .map50(metrics.map50())
                        .map50_95(metrics.map50_95())
                        .latencySamples(latencyMs)
                        .latency(latency)
                        .frameSamples(frameMs)
                        .frame(frame)
                        .memory(memory)
                        .budgetResults(enforced)
                        .runSeconds((System.nanoTime() - started) / 1e9);
                s.extraFacts().forEach(report::deviceFact);
                for (AgentResult.Selection sel : agent.selection) {
                    report.note("backend " + sel.backend() + ": " + (sel.ok() ? "ran (" + sel.reason() + ")"
                            : "not used: " + sel.reason()));
                }
                report.note(String.format(Locale.ROOT, "%d images, one at a time, after %d warm-up inferences; mAP computed"
                        + " on the build machine from the device's detections", metrics.images(), agent.warmup));
                if (s.emulated()) {
                    report.note("emulated device: latency and memory are measured under qemu and are NOT representative"
                            + " of a real Raspberry Pi 4; latency and memory budgets are reported but not enforced");
                }
                VerifyReport built = report.build();
                ReportWriter.Written files = ReportWriter.write(s.reportDir(), built);
                log.info(String.format(Locale.ROOT, "Backend %s (%s): mAP50 %.4f, mAP50-95 %.4f; inference median %.1f ms,"
                        + " frame median %.1f ms; peak memory %.1f MB (%.1f %% of %.0f MB)", agent.backend, agent.runtime,
                        metrics.map50(), metrics.map50_95(), latency.median(), frame.median(), memory.peakMb(),
                        memory.peakPercent(), memory.deviceTotalMb()));
                log.info(Budgets.table(enforced));
                log.info("Report: " + files.html());
                return new Outcome(built, files, enforced, Budgets.allPassed(enforced));
            }
        }
    }

    /** Where everything the agent needs lies on the device. */
    private static final class Staged {
        String classPath;
        String ir;
        String onnx;
        String imageList;
        List<String> images;
        MonitoredRun.Result run;
    }

    private static Staged stage(Device device, RemoteTempDir work, Settings s, DataSet ds, List<Path> classPath, Log log)
            throws IOException {
        Staged st = new Staged();
        List<Path> imageFiles = ds.samples().stream().map(Sample::image).toList();
        boolean onnx = readsOnnx(s.backend()) && s.onnx() != null && Files.isRegularFile(s.onnx());
        // without an ONNX twin the IR goes along even for onnxruntime: the agent needs a model to
        // start, and then says that the twin is missing
        boolean ir = readsIr(s.backend()) || !onnx;
        if (device.isLocal()) {
            st.classPath = String.join(":", classPath.stream().map(Path::toString).toList());
            st.ir = ir ? s.ir().toString() : null;
            st.onnx = onnx ? s.onnx().toString() : null;
            st.images = imageFiles.stream().map(Path::toString).toList();
        } else {
            JarCache cache = new JarCache(device, log);
            JarCache.Result jars = cache.sync(classPath);
            log.info("Agent class path: " + jars.summary());
            st.classPath = jars.classPath();
            JarCache.Result images = cache.sync(imageFiles);
            log.info("Validation images: " + images.summary());
            st.images = images.remotePaths();
            if (ir) {
                st.ir = work.resolve(s.ir().getFileName().toString());
                device.upload(s.ir(), st.ir);
                Path bin = IrFiles.bin(s.ir());
                device.upload(bin, work.resolve(bin.getFileName().toString()));
            }
            if (onnx) {
                st.onnx = work.resolve(s.onnx().getFileName().toString());
                device.upload(s.onnx(), st.onnx);
            }
        }
        Path list = Files.createTempFile("edgeprune-images-", ".txt");
        try {
            Files.writeString(list, String.join("\n", st.images) + "\n", StandardCharsets.UTF_8);
            st.imageList = work.resolve("images.txt");
            device.upload(list, st.imageList);
        } finally {
            Files.deleteIfExists(list);
        }
        return st;
    }

    /** Backends that read the IR ({@code <name>.xml} and {@code .bin}); auto may pick one of them. */
    static boolean readsIr(String backend) {
        return List.of("auto", "openvino", "djl").contains(backend);
    }

    /** Backends that read the ONNX twin; auto may pick onnxruntime. */
    static boolean readsOnnx(String backend) {
        return List.of("auto", "onnxruntime").contains(backend);
    }

    private static AgentResult runAgent(Device device, RemoteTempDir work, Settings s, Staged st, double memTotalMb,
            Log log) {
        List<String> argv = new ArrayList<>();
        argv.add(s.remoteJava());
        argv.addAll(s.jvmArgs());
        argv.add("-XX:ErrorFile=" + work.resolve("hs_err_%p.log"));
        argv.add("-cp");
        argv.add(st.classPath);
        argv.add(AgentMain.class.getName());
        if (st.ir != null) {
            argv.addAll(List.of("--ir", st.ir));
        }
        argv.addAll(List.of("--images", st.imageList, "--out", work.resolve("result.json"),
                "--backend", s.backend(), "--warmup", Integer.toString(s.warmup()),
                "--iterations", Integer.toString(s.iterations())));
        if (st.onnx != null) {
            argv.addAll(List.of("--onnx", st.onnx));
        }
        if (s.openvinoLib() != null) {
            argv.addAll(List.of("--openvino-lib", s.openvinoLib()));
        }
        log.info("Running the agent on " + device.name() + " (" + s.backend() + " backend, " + st.images.size()
                + " images, warm-up " + s.warmup() + ")");
        List<String> stderr = new ArrayList<>();
        st.run = MonitoredRun.of(device, argv).workingDirectory(work.path()).timeout(s.runTimeout())
                .deviceTotalMb(memTotalMb)
                .onStderr(line -> {
                    stderr.add(line);
                    log.debug("agent: " + line);
                })
                .log(log).run();
        String json;
        try {
            json = device.readFile(work.resolve("result.json"));
        } catch (DeviceException e) {
            json = null;
        }
        AgentResult result = json == null || json.isBlank() ? null : AgentResult.fromJson(json);
        int exit = st.run.exec().exitCode();
        if (result != null && result.error != null) {
            throw new VerifyException("the agent on " + device.name() + " could not run the model: " + result.error);
        }
        if (exit != 0 || result == null) {
            String tail = String.join("\n", stderr.subList(Math.max(0, stderr.size() - 15), stderr.size()));
            throw new VerifyException("the agent on " + device.name() + " failed: " + st.run.exec().describeExit()
                    + (tail.isBlank() ? "" : "\n" + tail));
        }
        return result;
    }

    /** The agent's detections in data set order (the order the image list was written in). */
    private static List<Detections> detectionsInOrder(AgentResult agent, DataSet ds) {
        if (agent.images.size() != ds.size()) {
            throw new VerifyException("the agent returned detections for " + agent.images.size() + " of " + ds.size()
                    + " images");
        }
        List<Detections> out = new ArrayList<>();
        for (AgentResult.ImageResult r : agent.images) {
            out.add(Detections.of(r.detections()));
        }
        return out;
    }

    /** On an emulated device only the mAP budget is enforced; the others are shown as not enforced. */
    public static List<BudgetResult> notEnforcedOnEmulation(List<BudgetResult> results) {
        List<BudgetResult> out = new ArrayList<>();
        for (BudgetResult r : results) {
            if (r.metric().equals("map50")) {
                out.add(r);
            } else {
                out.add(new BudgetResult(r.metric(), r.label() + " [emulated: not enforced]", r.property(), r.comparison(),
                        r.budget(), r.measured(), r.unit(), true));
            }
        }
        return out;
    }

    private static String describe(DeviceFacts f) {
        return String.format(Locale.ROOT, "%s%s, %s, %d cores, %.0f MB RAM, %s", f.model().isBlank() ? "" : f.model() + ", ",
                f.arch(), f.cpu(), f.cores(), f.memTotalMb(), f.os());
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
