package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.onnx.OnnxWriter;
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

    public record Settings(String model, Path baseDir, Path outputDirectory, String name, int imgsz,
            IrPrecision precision, boolean onnx) {
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
            return built[0];
        }, request);
        if (s.onnx() && (!ir.skipped() || !Files.isRegularFile(onnx))) {
            // the graph the IR was written from (the IR writer folds BatchNorm into a copy); built
            // here only when the IR was up to date but the twin is missing
            Graph graph = built[0] != null ? built[0]
                    : ModelLoader.load(s.model(), s.baseDir(), 0, log).graph(s.imgsz());
            OnnxWriter.write(graph, onnx, PluginVersion.get());
            log.info("ONNX twin: " + onnx + String.format(java.util.Locale.ROOT, " (%.2f MB, FP32, opset %d)",
                    Files.size(onnx) / 1e6, OnnxWriter.OPSET));
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
