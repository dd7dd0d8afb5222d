package io.github.edgeprune.executor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data in memory PyTorch allocated itself.
 *
 * <p>Why: DJL's {@code create(float[])} wraps a Java direct buffer, with malloc's alignment at an
 * address that depends on what the JVM allocated before; PyTorch's own allocations are 64-byte
 * aligned. With wrapped buffers, seeded training gave other bits after other work in the same JVM
 * (2 of 6 identical runs differed, with NaN-filled memory freed between runs); with copies, 0 of 6.
 * The likely mechanism (not traced into libtorch): kernels whose vectorised path depends on the
 * address sum in another order.
 */
public final class OwnedArrays {

    private OwnedArrays() {
    }

    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        try (NDArray wrapped = manager.create(data, shape)) {
            return wrapped.duplicate();
        }
    }

    public static NDArray of(NDManager manager, long[] data, Shape shape) {
        try (NDArray wrapped = manager.create(data, shape)) {
            return wrapped.duplicate();
        }
    }

    /**
     * Writes {@code data} into {@code target}'s own memory. DJL's {@code set(float[])} instead points
     * the tensor at a new Java direct buffer (PyTorch's {@code set_} on a borrowed storage), which
     * only the wrapper keeps alive: replaced again, the old buffer is freed whenever the garbage
     * collector runs, while anything PyTorch still shares with it reads freed memory.
     */
    public static void copyInto(NDArray target, float[] data) {
        try (NDArray source = of(target.getManager(), data, target.getShape())) {
            target.set(new NDIndex("..."), source);
        }
    }
}
