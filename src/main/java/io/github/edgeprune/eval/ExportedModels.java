package io.github.edgeprune.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.edgeprune.executor.GraphPredictor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.openvino.IrReader;
import io.github.edgeprune.util.Log;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Exported models as predictors: an OpenVINO IR read back and run by the executor, or an ONNX
 * file run by ONNX Runtime. Their input size is fixed by the file, so it wins over
 * {@code prune.imgsz} (with a note when the user asked for another).
 */
final class ExportedModels {

    private ExportedModels() {
    }

    static EvaluateJob.LoadedModel load(Path file, int requestedImgsz, boolean imgszGiven, Log log) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".xml")) {
            Graph graph = IrReader.read(file);
            int size = (int) graph.inputs().get(0).shape()[2];
            note(file, size, requestedImgsz, imgszGiven, log);
            String precision = precision(graph.metadata().get("quantization.precision"),
                    graph.metadata().getOrDefault("ir.precision", "FP32"));
            log.info(file.getFileName() + ": precision " + precision);
            return new EvaluateJob.LoadedModel(new GraphPredictor(graph), size, precision);
        }
        OnnxPredictor p = new OnnxPredictor(file);
        note(file, p.size, requestedImgsz, imgszGiven, log);
        log.info(file.getFileName() + ": precision " + p.precision);
        return new EvaluateJob.LoadedModel(p, p.size, p.precision);
    }

    /** INT8 when the INT8 pass recorded itself, else what the file stores its weights as. */
    static String precision(String quantized, String stored) {
        return quantized != null && !quantized.isBlank() ? quantized : stored;
    }

    private static void note(Path file, int size, int requested, boolean given, Log log) {
        if (given && size != requested) {
            log.warn(file.getFileName() + " has a fixed input of " + size + "x" + size + "; evaluating at " + size
                    + ", not at prune.imgsz=" + requested);
        } else {
            log.info(file.getFileName() + ": input size " + size + " (taken from the model)");
        }
    }

    /** ONNX Runtime, one image at a time (exported models have a static batch of 1). */
    private static final class OnnxPredictor implements Predictor {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final String input;
        private final int size;
        private final int classes;
        private final String precision;

        OnnxPredictor(Path file) {
            try {
                session = env.createSession(file.toString(), new OrtSession.SessionOptions());
                input = session.getInputNames().iterator().next();
                long[] in = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
                long[] out = ((TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape();
                size = (int) in[2];
                classes = (int) out[out.length - 1] - 5;
                precision = precision(session.getMetadata().getCustomMetadata().get("quantization.precision"), "FP32");
            } catch (OrtException e) {
                throw new IllegalArgumentException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
            }
        }

        @Override
        public float[][] predict(float[] images, int batch, int height, int width) {
            int per = 3 * height * width;
            float[][] out = new float[batch][];
            for (int b = 0; b < batch; b++) {
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images, b * per, per),
                        new long[] {1, 3, height, width}); OrtSession.Result r = session.run(Map.of(input, x))) {
                    FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    out[b] = new float[y.remaining()];
                    y.get(out[b]);
                } catch (OrtException e) {
                    throw new IllegalStateException("ONNX Runtime inference failed: " + e.getMessage(), e);
                }
            }
            return out;
        }

        @Override
        public int classes() {
            return classes;
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                // only frees memory
            }
        }
    }
}
