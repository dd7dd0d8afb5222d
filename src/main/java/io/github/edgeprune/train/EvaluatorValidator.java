package io.github.edgeprune.train;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.eval.Evaluator;
import io.github.edgeprune.executor.GraphPredictor;
import io.github.edgeprune.util.Progress;
import io.github.edgeprune.yolo.YoloModel;

/**
 * Validates each epoch's weights with the project's evaluator (val.py's NMS, matching and
 * metrics) on the validation split, at the training image size, with the BatchNorm-folded graph
 * as {@code evaluate} runs it. YOLOv5's train-time validation uses rectangular batches; this one
 * letterboxes to the square as for exported models (see the evaluator).
 */
public final class EvaluatorValidator implements Validator {

    private final DataSet val;
    private final EvalSettings settings;

    private EvaluatorValidator(DataSet val, EvalSettings settings) {
        this.val = val;
        this.settings = settings;
    }

    /** val.py's defaults (conf 0.001, IoU 0.6, 300 detections), batch 16. */
    public static EvaluatorValidator of(DataSet val) {
        return of(val, EvalSettings.defaults().withBatch(16));
    }

    public static EvaluatorValidator of(DataSet val, EvalSettings settings) {
        if (val.size() == 0) {
            throw new IllegalArgumentException("validation data " + describe(val) + " has no images");
        }
        return new EvaluatorValidator(val, settings);
    }

    @Override
    public Metrics validate(YoloModel model, int imgsz, int epoch) {
        try (GraphPredictor predictor = new GraphPredictor(model.fusedGraph(imgsz))) {
            EvaluationResult r = Evaluator.evaluate(val, predictor, settings.withImgsz(imgsz), Progress.silent());
            return new Metrics(r.precision(), r.recall(), r.map50(), r.map50_95());
        }
    }

    /** The validation data's class names (its nc must match the training data's). */
    public java.util.List<String> names() {
        return val.names();
    }

    static String describe(DataSet ds) {
        return ds.yaml() == null ? "(in memory)" : ds.yaml() + " (" + ds.split() + ")";
    }
}
