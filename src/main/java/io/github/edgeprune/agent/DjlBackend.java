package io.github.edgeprune.agent;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.openvino.IrReader;
import java.nio.file.Path;

/** The plugin's own executor (DJL, PyTorch engine) on the IR read back: a build-machine backend. */
final class DjlBackend implements InferenceBackend {

    private final NDManager manager;
    private final GraphExecutor executor;
    private final int size;

    DjlBackend(Path xml) {
        Graph graph = IrReader.read(xml);
        manager = Engines.newManager();
        executor = new GraphExecutor(graph, manager);
        size = (int) graph.inputs().get(0).shape()[2];
    }

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public String runtime() {
        return Engines.describe();
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public Output infer(float[] chw) {
        try (NDManager scope = manager.newSubManager()) {
            ai.djl.ndarray.NDArray y = executor.forward(scope.create(chw, new Shape(1, 3, size, size)),
                    GraphExecutor.Mode.INFERENCE).get(0);
            long[] shape = y.getShape().getShape();
            return new Output(y.toFloatArray(), (int) shape[shape.length - 1]);
        }
    }

    @Override
    public void close() {
        executor.close();
        manager.close();
    }
}
