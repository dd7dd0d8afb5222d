package io.github.edgeprune.eval;

/** A detector that the evaluator runs batch by batch (an engine, a device, or a fake in tests). */
public interface Predictor extends AutoCloseable {

    /**
     * Runs a batch: images is [batch,3,h,w] RGB 0..1 CHW floats, row-major. Returns per image the
     * raw rows [N, 5+nc] flattened (xywh input pixels, obj, class scores). The last batch of a data
     * set may be smaller than the others. The array must not be kept after the call returns: the
     * evaluator reuses it.
     */
    float[][] predict(float[] images, int batch, int height, int width);

    /** Number of classes (nc) of the rows {@link #predict} returns. */
    int classes();

    @Override
    default void close() {
    }
}
