package io.github.edgeprune.openvino;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The library entry of the {@code export-openvino} goal: writes {@code <out>/<name>.xml},
 * {@code <name>.bin}, Ultralytics' {@code metadata.yaml} and YOLOv5's {@code <name>.yaml} (the
 * file {@code DetectMultiBackend} reads beside an IR) for a graph, atomically, and skips the work
 * when a previous export from the same inputs and settings is still in place.
 *
 * <p>Atomic: the IR is planned and checked in memory first (a graph that cannot be written fails
 * before any file exists); the files are then written into a hidden staging folder inside the
 * output folder and moved into place one by one; the old fingerprint is removed before the first
 * move and the new one written last, so an interrupted export is never mistaken for a complete one.
 *
 * <p>Up to date: the fingerprint is the sha-256 of the input model files' bytes (a bundle folder:
 * all its files), every setting, the plugin version and {@link IrWriter#FORMAT_VERSION}. It is stored with the export's figures in
 * {@code <name>.fingerprint} (JSON); when it matches and every output exists with its recorded
 * size, the export is skipped.
 */
public final class OpenVinoExporter {

    public static final String UP_TO_DATE = "IR is up to date (inputs and settings unchanged), skipping export";

    private final Log log;

    public OpenVinoExporter(Log log) {
        this.log = Objects.requireNonNull(log);
    }

    /**
     * What to export and what the result depends on.
     *
     * @param outputDirectory folder for the outputs (created if missing; other files in it are left alone)
     * @param baseName file name without extension ({@code yolov5n} → {@code yolov5n.xml})
     * @param precision FP16 (default of the goal) or FP32
     * @param inputFiles the model files the graph was built from (checkpoint, bundle files, yaml)
     * @param settings every other setting that shapes the graph (imgsz, sparsity, class names …)
     * @param pluginVersion the plugin's version string
     */
    public record Request(Path outputDirectory, String baseName, IrPrecision precision, List<Path> inputFiles,
            Map<String, String> settings, String pluginVersion) {
        public Request {
            Objects.requireNonNull(outputDirectory, "outputDirectory");
            Objects.requireNonNull(precision, "precision");
            if (baseName == null || baseName.isBlank() || baseName.contains("/") || baseName.contains("\\")
                    || baseName.startsWith(".")) {
                throw new IllegalArgumentException("base name must be a plain file name, got '" + baseName + "'");
            }
            inputFiles = List.copyOf(inputFiles == null ? List.of() : inputFiles);
            Map<String, String> copy = new TreeMap<>();
            if (settings != null) {
                settings.forEach((k, v) -> copy.put(String.valueOf(k), String.valueOf(v)));
            }
            settings = java.util.Collections.unmodifiableMap(copy);
            pluginVersion = pluginVersion == null ? "" : pluginVersion;
        }

        /** A request without inputs to fingerprint: always exports. */
        public static Request of(Path outputDirectory, String baseName, IrPrecision precision) {
            return new Request(outputDirectory, baseName, precision, List.of(), Map.of(), "");
        }

        public Path xml() {
            return outputDirectory.resolve(baseName + ".xml");
        }

        public Path bin() {
            return outputDirectory.resolve(baseName + ".bin");
        }

        public Path metadataYaml() {
            return outputDirectory.resolve("metadata.yaml");
        }

        public Path yolov5Yaml() {
            return outputDirectory.resolve(baseName + ".yaml");
        }

        public Path fingerprintFile() {
            return outputDirectory.resolve(baseName + ".fingerprint");
        }
    }

    /**
     * What an export produced (or found in place, when {@code skipped}).
     *
     * @param convWeights elements of all convolution weights in the IR
     * @param zeroConvWeights of those, how many are exactly zero in the .bin
     * @param gflops GFLOPs per image at the IR's input size (Ultralytics' count, BatchNorm folded)
     */
    public record Result(Path xml, Path bin, Path metadataYaml, long xmlBytes, long binBytes, long convWeights,
            long zeroConvWeights, double gflops, IrPrecision precision, boolean skipped, String fingerprint,
            List<String> warnings) {

        /** Size of the IR (xml + bin) in bytes. */
        public long irBytes() {
            return xmlBytes + binBytes;
        }

        /** Share of zero convolution weights, 0..1. */
        public double zeroShare() {
            return convWeights == 0 ? 0 : (double) zeroConvWeights / convWeights;
        }

        /** One line for the console. */
        public String summary() {
            return String.format(Locale.ROOT, "%s %s: %.2f MB (xml %d B + bin %d B), %.2f %% zero conv weights (%d of %d),"
                    + " %.2f GFLOPs%s", precision, xml.getFileName(), irBytes() / 1e6, xmlBytes, binBytes, 100 * zeroShare(),
                    zeroConvWeights, convWeights, gflops, skipped ? " (up to date)" : "");
        }
    }

    /** Exports unconditionally (no fingerprint inputs): plain library use and tests. */
    public Result export(Graph graph, Path outputDirectory, String baseName, IrPrecision precision) {
        return export(() -> graph, Request.of(outputDirectory, baseName, precision));
    }

    public Result export(Graph graph, Request request) {
        return export(() -> graph, request);
    }

    /**
     * Exports the graph, or skips when the outputs are up to date; the graph is only built (the
     * supplier only called) when an export is needed.
     */
    public Result export(Supplier<Graph> graph, Request request) {
        String fingerprint = fingerprint(request);
        Result existing = upToDate(request, fingerprint);
        if (existing != null) {
            log.info(UP_TO_DATE);
            return existing;
        }
        IrWriter.Plan plan = IrWriter.plan(graph.get(), request.precision(), request.baseName());
        plan.warnings().forEach(log::warn);
        Result result;
        try {
            result = write(plan, request, fingerprint);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the IR into " + request.outputDirectory() + " failed: " + e.getMessage(), e);
        }
        log.info("OpenVINO IR written: " + result.summary());
        return result;
    }

    /**
     * Staging folders an interrupted export of this name left (a killed JVM runs no finally): they
     * never held a finished output, so the next export of the same name removes them.
     */
    private static void removeStaleStaging(Path dir, String baseName) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith("." + baseName + ".export-") && Files.isDirectory(p))
                    .forEach(AtomicOutput::deleteRecursively);
        }
    }

    private Result write(IrWriter.Plan plan, Request request, String fingerprint) throws IOException {
        Path dir = request.outputDirectory();
        Files.createDirectories(dir);
        removeStaleStaging(dir, request.baseName());
        Path staging = Files.createTempDirectory(dir, "." + request.baseName() + ".export-");
        try {
            String name = request.baseName();
            Path xml = staging.resolve(name + ".xml");
            Path bin = staging.resolve(name + ".bin");
            Files.writeString(xml, plan.xml(), StandardCharsets.UTF_8);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(bin), 1 << 20)) {
                plan.writeBin(out);
            }
            String yaml = IrMetadata.metadataYaml(plan.exportedGraph().metadata(), plan.classNames(), plan.imgsz(),
                    request.pluginVersion());
            Files.writeString(staging.resolve("metadata.yaml"), yaml, StandardCharsets.UTF_8);
            Files.writeString(staging.resolve(name + ".yaml"), yaml, StandardCharsets.UTF_8);
            Result result = new Result(request.xml(), request.bin(), request.metadataYaml(), Files.size(xml), Files.size(bin),
                    plan.convWeights(), plan.convZeros(), plan.gflops(), request.precision(), false, fingerprint,
                    plan.warnings());
            // the old fingerprint goes first, the new one comes last: a half-done move never looks complete
            Files.deleteIfExists(request.fingerprintFile());
            AtomicOutput.move(xml, request.xml());
            AtomicOutput.move(bin, request.bin());
            AtomicOutput.move(staging.resolve("metadata.yaml"), request.metadataYaml());
            AtomicOutput.move(staging.resolve(name + ".yaml"), request.yolov5Yaml());
            if (fingerprint != null) {
                AtomicOutput.writeString(request.fingerprintFile(), fingerprintJson(result, request));
            }
            return result;
        } finally {
            AtomicOutput.deleteRecursively(staging);
        }
    }

    // ---- fingerprint ----

    /**
     * The fingerprint of a request: {@link Fingerprint#of} over the input model files (folders
     * walked) and every setting, with precision, base name, the plugin version passed in and
     * {@link IrWriter#FORMAT_VERSION} added to the settings. Null when the request names no input
     * files (nothing to compare with: always export).
     */
    public static String fingerprint(Request request) {
        if (request.inputFiles().isEmpty()) {
            return null;
        }
        Map<String, String> settings = new TreeMap<>(request.settings());
        settings.put("openvino.precision", request.precision().name());
        settings.put("openvino.name", request.baseName());
        settings.put("openvino.writer", IrWriter.FORMAT_VERSION);
        settings.put("openvino.pluginVersion", request.pluginVersion());
        return Fingerprint.of(request.inputFiles(), settings);
    }

    private static String fingerprintJson(Result r, Request request) {
        JsonObject o = new JsonObject();
        o.addProperty("fingerprint", r.fingerprint());
        o.addProperty("writer", IrWriter.FORMAT_VERSION);
        o.addProperty("pluginVersion", request.pluginVersion());
        o.addProperty("precision", r.precision().name());
        o.addProperty("xmlBytes", r.xmlBytes());
        o.addProperty("binBytes", r.binBytes());
        o.addProperty("convWeights", r.convWeights());
        o.addProperty("zeroConvWeights", r.zeroConvWeights());
        o.addProperty("gflops", r.gflops());
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        return gson.toJson(o) + "\n";
    }

    /** The recorded result when the outputs in place match this fingerprint, else null. */
    private static Result upToDate(Request request, String fingerprint) {
        if (fingerprint == null || !Files.isRegularFile(request.fingerprintFile())) {
            return null;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(request.fingerprintFile())).getAsJsonObject();
            if (!fingerprint.equals(o.get("fingerprint").getAsString())) {
                return null;
            }
            long xmlBytes = o.get("xmlBytes").getAsLong();
            long binBytes = o.get("binBytes").getAsLong();
            for (Path p : new Path[] {request.xml(), request.bin(), request.metadataYaml(), request.yolov5Yaml()}) {
                if (!Files.isRegularFile(p)) {
                    return null;
                }
            }
            if (Files.size(request.xml()) != xmlBytes || Files.size(request.bin()) != binBytes) {
                return null;
            }
            return new Result(request.xml(), request.bin(), request.metadataYaml(), xmlBytes, binBytes,
                    o.get("convWeights").getAsLong(), o.get("zeroConvWeights").getAsLong(), o.get("gflops").getAsDouble(),
                    request.precision(), true, fingerprint, new ArrayList<>());
        } catch (IOException | RuntimeException e) {
            return null; // unreadable record: export again
        }
    }
}
