package io.github.edgeprune.executor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.eval.Predictor;
import io.github.edgeprune.graph.Graph;

/**
 * The evaluator's view of a graph run by the executor. A graph with a static batch of 1 (an IR
 * read back) is run image by image; our own graphs take the whole batch at once.
 */
public final class GraphPredictor implements Predictor {

    private final NDManager manager;
    private final GraphExecutor executor;
    private final boolean staticBatchOne;
    private final int classes;

    public GraphPredictor(Graph graph) {
        this.manager = Engines.newManager();
        this.executor = new GraphExecutor(graph, manager);
        this.staticBatchOne = graph.inputs().get(0).shape()[0] == 1;
        long[] out = executor.shapeAtBatchOne(graph.outputs().get(0));
        this.classes = (int) out[out.length - 1] - 5;
    }

    @Override
    public float[][] predict(float[] images, int batch, int height, int width) {
        float[][] out = new float[batch][];
        int per = 3 * height * width;
        if (staticBatchOne) {
            for (int b = 0; b < batch; b++) {
                float[] one = new float[per];
                System.arraycopy(images, b * per, one, 0, per);
                out[b] = run(one, 1, height, width)[0];
            }
            return out;
        }
        float[] input = images.length == batch * per ? images : java.util.Arrays.copyOf(images, batch * per);
        return run(input, batch, height, width);
    }

    private float[][] run(float[] input, int batch, int height, int width) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = OwnedArrays.of(scope, input, new Shape(batch, 3, height, width));
            NDArray y = executor.forward(x, GraphExecutor.Mode.INFERENCE).get(0);
            float[] flat = y.toFloatArray();
            int per = flat.length / batch;
            float[][] out = new float[batch][];
            for (int b = 0; b < batch; b++) {
                out[b] = java.util.Arrays.copyOfRange(flat, b * per, (b + 1) * per);
            }
            return out;
        }
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public void close() {
        executor.close();
        manager.close();
    }
}
