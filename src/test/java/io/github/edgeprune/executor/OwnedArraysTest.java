package io.github.edgeprune.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Writing Java data into PyTorch memory in place, and why DJL's own {@code set} is not used. */
class OwnedArraysTest {

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void copyIntoWritesThroughTheTensorsOwnStorage() {
        try (NDManager m = manager.newSubManager()) {
            NDArray t = OwnedArrays.of(m, new float[] {1, 2, 3, 4}, new Shape(4));
            NDArray view = t.get("1:3"); // shares t's storage
            OwnedArrays.copyInto(t, new float[] {5, 6, 7, 8});
            assertArrayEquals(new float[] {5, 6, 7, 8}, t.toFloatArray());
            assertArrayEquals(new float[] {6, 7}, view.toFloatArray(), "the view sees the new values: same storage");
        }
    }

    @Test
    void djlsSetMovesTheTensorToAnotherStorage() {
        // the reason for copyInto: set(float[]) re-points the tensor at a Java direct buffer, so what
        // shared the old storage is left behind (and, after a second set, on memory only the garbage
        // collector decides the life of)
        try (NDManager m = manager.newSubManager()) {
            NDArray t = OwnedArrays.of(m, new float[] {1, 2, 3, 4}, new Shape(4));
            NDArray view = t.get("1:3");
            t.set(new float[] {5, 6, 7, 8});
            assertArrayEquals(new float[] {5, 6, 7, 8}, t.toFloatArray());
            assertArrayEquals(new float[] {2, 3}, view.toFloatArray(), "the view kept the old storage");
        }
    }

    @Test
    void arraysMadeFromJavaDataDoNotShareIt() {
        float[] data = {1, 2, 3};
        try (NDManager m = manager.newSubManager()) {
            NDArray a = OwnedArrays.of(m, data, new Shape(3));
            data[0] = 9;
            assertArrayEquals(new float[] {1, 2, 3}, a.toFloatArray());
            a.muli(2);
            assertArrayEquals(new float[] {9, 2, 3}, data);
        }
    }
}
