package io.github.edgeprune.eval;

import io.github.edgeprune.util.Log;
import java.nio.file.Path;

/** Exported models (OpenVINO IR, ONNX) as predictors; their input size is fixed by the file. */
final class ExportedModels {

    private ExportedModels() {
    }

    static EvaluateJob.LoadedModel load(Path file, int requestedImgsz, boolean imgszGiven, Log log) {
        throw new IllegalArgumentException(file + ": evaluating exported models needs the OpenVINO IR reader");
    }
}
