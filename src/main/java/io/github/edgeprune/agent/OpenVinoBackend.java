package io.github.edgeprune.agent;

import io.github.edgeprune.agent.openvino.CompiledModel;
import io.github.edgeprune.agent.openvino.InferRequest;
import io.github.edgeprune.agent.openvino.OpenVinoException;
import io.github.edgeprune.agent.openvino.OpenVinoLibrary;
import io.github.edgeprune.agent.openvino.OpenVinoRuntime;
import io.github.edgeprune.openvino.IrFiles;
import java.nio.file.Path;

/** The OpenVINO runtime (C API through JNA) on the IR, compiled for CPU: what the app runs. */
final class OpenVinoBackend implements InferenceBackend {

    private final OpenVinoRuntime runtime;
    private final CompiledModel model;
    private final InferRequest request;
    private final long[] shape;

    OpenVinoBackend(Path xml, String library) {
        try {
            runtime = OpenVinoLibrary.load(library);
        } catch (OpenVinoException e) {
            throw new BackendUnavailableException("openvino", e.getMessage());
        }
        try {
            model = runtime.compile(xml, IrFiles.bin(xml), "CPU");
            shape = model.inputShape(0);
            request = model.createInferRequest();
        } catch (OpenVinoException e) {
            runtime.close();
            throw new BackendUnavailableException("openvino", e.getMessage());
        }
    }

    @Override
    public String name() {
        return "openvino";
    }

    @Override
    public String runtime() {
        return "OpenVINO " + runtime.version();
    }

    @Override
    public int inputSize() {
        return (int) shape[2];
    }

    @Override
    public Output infer(float[] chw) {
        request.setInput(chw, shape);
        request.infer();
        io.github.edgeprune.tensor.HostTensor out = request.output(0);
        return new Output(out.floats(), (int) out.dim(-1));
    }

    @Override
    public void close() {
        request.close();
        model.close();
        runtime.close();
    }
}
