package io.github.edgeprune.agent;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** ONNX Runtime (CPU) on the ONNX twin that export-openvino writes beside the IR. */
final class OnnxRuntimeBackend implements InferenceBackend {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final long[] shape;

    OnnxRuntimeBackend(Path onnx, int threads) {
        if (onnx == null || !Files.isRegularFile(onnx)) {
            throw new BackendUnavailableException("onnxruntime", "no ONNX twin of the model was given (export-openvino writes"
                    + " <name>.onnx unless prune.onnx=false)");
        }
        try {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            session = env.createSession(onnx.toString(), options);
            Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
            input = in.getKey();
            shape = ((TensorInfo) in.getValue().getInfo()).getShape();
        } catch (OrtException e) {
            throw new BackendUnavailableException("onnxruntime", "ONNX Runtime could not load " + onnx + ": " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public String runtime() {
        return "ONNX Runtime " + env.getVersion();
    }

    @Override
    public int inputSize() {
        return (int) shape[2];
    }

    @Override
    public Output infer(float[] chw) {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), shape);
                OrtSession.Result out = session.run(Map.of(input, x))) {
            OnnxTensor y = (OnnxTensor) out.get(0);
            FloatBuffer b = y.getFloatBuffer();
            float[] rows = new float[b.remaining()];
            b.get(rows);
            long[] shape = y.getInfo().getShape();
            return new Output(rows, (int) shape[shape.length - 1]);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime inference failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing a session only frees memory; nothing to report
        }
    }
}
