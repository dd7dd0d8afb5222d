package io.github.edgeprune.agent;

/**
 * One way of running the exported model on the device: OpenVINO on the IR, ONNX Runtime on the
 * ONNX twin, or the plugin's own executor on the IR. Inputs are one letterboxed image
 * [1, 3, H, W] (RGB 0..1, CHW); outputs the raw rows [N, 5 + nc].
 */
public interface InferenceBackend extends AutoCloseable {

    /** openvino, onnxruntime or djl. */
    String name();

    /** The runtime and its version, e.g. "ONNX Runtime 1.23.2". */
    String runtime();

    /** The model's input height (= width). */
    int inputSize();

    /** Raw detector rows of one image and their width (5 + nc). */
    record Output(float[] rows, int columns) {
    }

    Output infer(float[] chw);

    @Override
    void close();
}
