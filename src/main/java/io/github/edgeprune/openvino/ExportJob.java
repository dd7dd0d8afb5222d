package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.onnx.OnnxWriter;
import io.github.edgeprune.quant.Int8Quantizer;
import io.github.edgeprune.util.Progress;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.PluginVersion;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.ModelSummary;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The export-openvino goal without Maven: load the model (.pt, bundle or yaml), build its graph
 * at the input size, write the OpenVINO IR (+ Ultralytics' metadata.yaml) and, unless turned
 * off, its ONNX twin; skip when the model and settings have not changed since the last export.
 */
public final class ExportJob {

    /**
     * @param int8 the INT8 calibration (required when precision is INT8, ignored otherwise)
     */
    public record Settings(String model, Path baseDir, Path outputDirectory, String name, int imgsz,
            IrPrecision precision, boolean onnx, Int8Calibration int8) {

        public Settings(String model, Path baseDir, Path outputDirectory, String name, int imgsz, IrPrecision precision,
                boolean onnx) {
            this(model, baseDir, outputDirectory, name, imgsz, precision, onnx, null);
        }
    }

    /** The IR (and ONNX twin, or null) written or found up to date. */
    public record Result(OpenVinoExporter.Result ir, Path onnx) {
    }

    private ExportJob() {
    }

    public static Result run(Settings s, Log log) throws IOException {
        if (s.imgsz() <= 0 || s.imgsz() % 32 != 0) {
            throw new IllegalArgumentException("prune.imgsz must be a positive multiple of 32, got " + s.imgsz());
        }
        Path modelPath = s.baseDir().resolve(s.model()).normalize();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model", s.model());
        settings.put("imgsz", Integer.toString(s.imgsz()));
        settings.put("onnx", Boolean.toString(s.onnx()));
        Int8Quantizer.Settings int8 = null;
        if (s.precision() == IrPrecision.INT8) {
            if (s.int8() == null) {
                throw new IllegalArgumentException("prune.precision=INT8 needs calibration data: set prune.data to a data"
                        + " yaml (its train images calibrate the activation ranges)");
            }
            int8 = s.int8().resolve(s.baseDir(), log);
            settings.putAll(s.int8().fingerprintSettings(int8));
        }
        Int8Quantizer.Settings quantization = int8;
        String name = s.name() != null && !s.name().isBlank() ? s.name() : defaultName(modelPath);
        OpenVinoExporter.Request request = new OpenVinoExporter.Request(s.outputDirectory(), name, s.precision(),
                Files.exists(modelPath) ? List.of(modelPath) : List.of(), settings, PluginVersion.get());
        Path onnx = s.outputDirectory().resolve(name + ".onnx");
        Graph[] built = new Graph[1];
        OpenVinoExporter.Result ir = new OpenVinoExporter(log).export(() -> {
            // the IR is about to change: a twin of the old IR must not outlive it (an export
            // interrupted before the new twin is written would otherwise leave the stale one)
            try {
                Files.deleteIfExists(onnx);
            } catch (IOException e) {
                throw new UncheckedIOException(onnx + ": cannot replace the ONNX twin: " + e.getMessage(), e);
            }
            YoloModel model = ModelLoader.load(s.model(), s.baseDir(), 0, log);
            built[0] = model.graph(s.imgsz());
            log.info(ModelSummary.of(model.displayName(), built[0]).toString());
            if (quantization != null) {
                Int8Quantizer.Result q = Int8Quantizer.quantize(built[0], quantization, Progress.log(log));
                q.unmatchedExcludes().forEach(e -> log.warn("prune.int8Exclude: no convolution is named '" + e
                        + "' or starts with '" + e + ".'; nothing was kept in float for it"));
                log.info(Int8Quantizer.describe(q));
                built[0] = q.graph();
            }
            return built[0];
        }, request);
        if (s.onnx() && (!ir.skipped() || !Files.isRegularFile(onnx))) {
            // the graph the IR was written from (the IR writer folds BatchNorm into a copy); built
            // here only when the IR was up to date but the twin is missing
            Graph graph = built[0];
            if (graph == null) {
                graph = ModelLoader.load(s.model(), s.baseDir(), 0, log).graph(s.imgsz());
                if (quantization != null) {
                    graph = Int8Quantizer.quantize(graph, quantization, Progress.log(log)).graph();
                }
            }
            OnnxWriter.write(graph, onnx, PluginVersion.get());
            log.info("ONNX twin: " + onnx + String.format(java.util.Locale.ROOT, " (%.2f MB, %s, opset %d)",
                    Files.size(onnx) / 1e6, quantization != null ? "INT8 QDQ" : "FP32", OnnxWriter.OPSET));
        }
        if (ir.skipped()) {
            log.info(ir.summary());
        }
        return new Result(ir, s.onnx() ? onnx : null);
    }

    /** "yolov5n" for yolov5n.pt, and for a bundle made from it (its model.yaml names yolov5n.yaml). */
    static String defaultName(Path model) {
        Path yaml = model.resolve(io.github.edgeprune.yolo.ModelBundle.MODEL_YAML);
        if (Files.isDirectory(model) && Files.isRegularFile(yaml)) {
            try {
                Object doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                        new org.yaml.snakeyaml.LoaderOptions())).load(Files.readString(yaml));
                if (doc instanceof Map<?, ?> m && m.get("yaml_file") != null) {
                    return m.get("yaml_file").toString().replaceFirst("\\.ya?ml$", "");
                }
            } catch (IOException | RuntimeException e) {
                // fall back to the folder's name; reading the bundle later reports real problems
            }
        }
        String n = model.getFileName().toString();
        return n.replaceFirst("\\.(pt|pth|ya?ml)$", "");
    }
}
