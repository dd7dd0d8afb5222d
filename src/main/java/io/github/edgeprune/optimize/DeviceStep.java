package io.github.edgeprune.optimize;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.edgeprune.device.verify.BudgetResult;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.DeviceList;
import io.github.edgeprune.device.verify.LatencyStats;
import io.github.edgeprune.device.verify.ReportWriter;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A candidate's IR on every device of the search: each device's figures from the cache when this
 * IR was measured there with the same settings, else from a new verify-on-device run; devices run
 * in parallel (at most {@code parallelism} at a time). One device that cannot be reached does not
 * stop the others; its figures carry the error.
 *
 * <p>With one device the cache and report layout is a single device's ({@code device.json},
 * {@code device/}); with several, each device has its own ({@code device-<name>.json},
 * {@code device-<name>/}), so adding a device to a search re-measures only that device.
 */
public final class DeviceStep {

    private static final Gson GSON = new Gson();

    private final List<OptimizeJob.Device> devices;
    private final List<DeviceList.Entry> names;
    private final int parallelism;
    private final CandidateCache cache;
    private final Budgets budgets;
    int runs;
    int cachedRuns;

    public DeviceStep(List<OptimizeJob.Device> devices, int parallelism, CandidateCache cache, Budgets budgets) {
        this.devices = devices;
        this.names = DeviceList.parse(devices.stream().map(OptimizeJob.Device::spec).toList());
        this.parallelism = parallelism;
        this.cache = cache;
        this.budgets = budgets;
    }

    /** Device runs made by this step so far. */
    public synchronized int runs() {
        return runs;
    }

    /** Device figures this step took from the cache so far. */
    public synchronized int cachedRuns() {
        return cachedRuns;
    }

    /**
     * @param inputs the IR's files (xml, bin, the ONNX twin when present): part of the fingerprint
     * @param settings the data and image settings the IR is measured with: part of the fingerprint
     */
    public List<DeviceFigures> measure(String candidateId, Path ir, Path onnx, List<Path> inputs, Path dataYaml, String split,
            int maxImages, Map<String, String> settings, Log clog) throws IOException {
        List<Integer> indices = java.util.stream.IntStream.range(0, devices.size()).boxed().toList();
        boolean several = devices.size() > 1;
        return Parallel.map(indices, parallelism, "prune-optimize-device", i -> measureOne(i, candidateId, ir, onnx,
                inputs, dataYaml, split, maxImages, settings, several ? Log.prefixed(clog, "[" + devices.get(i).spec()
                        + "] ") : clog));
    }

    private DeviceFigures measureOne(int index, String candidateId, Path ir, Path onnx, List<Path> inputs, Path dataYaml,
            String split, int maxImages, Map<String, String> settings, Log log) throws IOException {
        OptimizeJob.Device d = devices.get(index);
        boolean single = devices.size() == 1;
        String step = single ? OptimizeJob.STEP_DEVICE : OptimizeJob.STEP_DEVICE + "-" + names.get(index).folder();
        Path reports = cache.folder(candidateId).resolve(step);
        Map<String, String> devSettings = new LinkedHashMap<>(settings);
        devSettings.put("device", d.spec());
        devSettings.put("backend", d.backend());
        devSettings.put("warmup", Integer.toString(d.warmup()));
        devSettings.put("iterations", Integer.toString(d.iterations()));
        devSettings.put("openvinoLib", String.valueOf(d.openvinoLib()));
        devSettings.put("remoteJava", d.remoteJava());
        devSettings.put("jvmArgs", String.join(" ", d.jvmArgs()));
        String fp = Fingerprint.of(inputs, devSettings);
        JsonObject dev = cache.get(candidateId, step, fp);
        boolean cached = dev != null;
        if (dev == null) {
            VerifyJob.Outcome out;
            try {
                out = VerifyJob.run(new VerifyJob.Settings(ir, onnx, dataYaml, split, maxImages, d.settings(), d.backend(),
                        d.warmup(), d.iterations(), budgets, reports, d.classPath(), d.openvinoLib(), d.remoteJava(),
                        d.jvmArgs(), d.runTimeout(), d.emulated(), d.extraFacts()), log);
            } catch (RuntimeException e) {
                if (single) {
                    throw e;
                }
                // one device that cannot measure must not hide the others' figures
                String why = e.getMessage() != null ? e.getMessage() : e.toString();
                log.warn("not measured: " + why);
                return DeviceFigures.failed(d.spec(), reports, why);
            }
            synchronized (this) {
                runs++;
            }
            dev = new JsonObject();
            dev.addProperty("map50", out.report().map50());
            dev.addProperty("map50_95", out.report().map50_95());
            dev.addProperty("backend", out.report().backend());
            dev.addProperty("peakMb", out.report().memory().peakMb());
            dev.addProperty("peakPercent", out.report().memory().peakPercent());
            JsonArray samples = new JsonArray();
            for (double v : out.report().latencySamples()) {
                samples.add(v);
            }
            dev.add("latencySamples", samples);
            dev.add("device", GSON.toJsonTree(out.report().device()));
            cache.put(candidateId, step, fp, dev);
        } else {
            synchronized (this) {
                cachedRuns++;
            }
        }
        JsonArray samples = dev.getAsJsonArray("latencySamples");
        double[] ms = new double[samples.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = samples.get(i).getAsDouble();
        }
        LatencyStats latency = LatencyStats.of(ms);
        Map<String, Object> facts = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : dev.getAsJsonObject("device").entrySet()) {
            facts.put(e.getKey(), e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue().toString());
        }
        double map50 = dev.get("map50").getAsDouble();
        double peak = dev.get("peakMb").getAsDouble();
        double peakPercent = dev.has("peakPercent") ? dev.get("peakPercent").getAsDouble() : Double.NaN;
        List<BudgetResult> checked = budgets.check(map50, latency, peak);
        List<BudgetResult> enforced = d.emulated() ? VerifyJob.notEnforcedOnEmulation(checked) : checked;
        if (cached) {
            restateBudgets(reports, enforced, log);
        }
        return new DeviceFigures(d.spec(), map50, dev.get("map50_95").getAsDouble(), latency,
                latency.get(budgets.latencyStatistic()), peak, peakPercent, dev.get("backend").getAsString(), cached, facts,
                enforced, reports, null);
    }

    /**
     * A cached measurement's report was written with the budgets of the run that measured it; the
     * figures are cached without budgets (so a changed budget re-measures nothing), and the report
     * is written again with this run's verdicts so that what a person opens agrees with optimize.json.
     */
    private static void restateBudgets(Path reports, List<BudgetResult> enforced, Log log) {
        if (!Files.isRegularFile(reports.resolve(ReportWriter.JSON))) {
            return; // the cache entry outlived its report folder: the figures stand, there is nothing to rewrite
        }
        try {
            ReportWriter.restate(reports, enforced, RESTATED);
        } catch (IOException | RuntimeException e) {
            log.warn("could not write the report in " + reports + " again with this run's budgets: " + e.getMessage());
        }
    }

    static final String RESTATED = "budget verdicts are those of the optimize run that last reused this measurement;"
            + " the figures were measured when this report was created and taken from the cache since";
}
