package io.github.edgeprune.eval;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.executor.GraphPredictor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.Progress;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.ModelSummary;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The evaluate goal without Maven: P, R, mAP50, mAP50-95 and speed of a model (.pt, bundle,
 * yaml) or an exported one (OpenVINO .xml, ONNX) on a data set, as YOLOv5's val.py computes
 * them, printed as val.py's table and written to {@code evaluate.json}.
 */
public final class EvaluateJob {

    /** What to evaluate and how. */
    public record Settings(String model, String data, Path baseDir, Path outputDirectory, EvalSettings eval,
            boolean imgszGiven, boolean skipCorrupt, boolean verbose, String split, int maxImages) {
    }

    private EvaluateJob() {
    }

    public static EvaluationResult run(Settings s, Log log) throws IOException {
        if (s.data() == null || s.data().isBlank()) {
            throw new IllegalArgumentException("no data set given: set prune.data to an Ultralytics data yaml");
        }
        Path dataYaml = s.baseDir().resolve(s.data()).normalize();
        DataSet ds = DataSet.load(dataYaml, s.split(), s.skipCorrupt(), log);
        if (s.maxImages() > 0 && s.maxImages() < ds.size()) {
            log.info("Evaluating the first " + s.maxImages() + " of " + ds.size() + " images (prune.maxImages)");
            ds = ds.first(s.maxImages());
        }
        log.info(String.format(Locale.ROOT, "Data %s (%s): %d images, %d instances, %d classes", dataYaml, s.split(),
                ds.size(), ds.instances(), ds.nc()));
        LoadedModel loaded = load(s, log);
        EvalSettings settings = s.eval().withImgsz(loaded.imgsz());
        EvaluationResult result;
        try (Predictor predictor = loaded.predictor()) {
            result = Evaluator.evaluate(ds, predictor, settings, Progress.log(log));
        }
        result = result.with("model", s.model()).with("model_precision", loaded.precision())
                .with("data", dataYaml.toString());
        log.info(result.table(ds.names(), s.verbose()));
        Path json = s.outputDirectory().resolve("evaluate.json");
        AtomicOutput.writeString(json, result.toJson());
        log.info("Results written to " + json);
        return result;
    }

    /**
     * A model ready to run, with the input size it runs at and the precision it computes in
     * (FP32, FP16 or INT8: what the file says, for the evaluation record).
     */
    record LoadedModel(Predictor predictor, int imgsz, String precision) {
    }

    private static LoadedModel load(Settings s, Log log) {
        String lower = s.model() == null ? "" : s.model().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".xml") || lower.endsWith(".onnx")) {
            return ExportedModels.load(s.baseDir().resolve(s.model()).normalize(), s.eval().imgsz(), s.imgszGiven(), log);
        }
        YoloModel model = ModelLoader.load(s.model(), s.baseDir(), 0, log);
        Graph graph = model.fusedGraph(s.eval().imgsz());
        log.info(ModelSummary.of(model.displayName(), graph).toString());
        return new LoadedModel(new GraphPredictor(graph), s.eval().imgsz(), "FP32");
    }
}
