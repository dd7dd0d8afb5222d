package io.github.edgeprune.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class L1PrunerTest {

    @Test
    void countIsPythonRoundHalfToEven() {
        assertEquals(2, L1Pruner.pruneCount(0.1, 16)); // 1.6
        assertEquals(2, L1Pruner.pruneCount(0.5, 5)); // 2.5 -> 2 (even)
        assertEquals(4, L1Pruner.pruneCount(0.5, 7)); // 3.5 -> 4 (even)
        assertEquals(0, L1Pruner.pruneCount(0.0, 100));
    }

    @Test
    void layerScopeZeroesTheSmallestMagnitudesOfEachTensor() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.ofFloats(new float[] {0.5f, -0.1f, 0.3f, -0.9f}, 4));
        t.put("b", HostTensor.ofFloats(new float[] {2f, 1f, -3f, 0.2f}, 4));
        L1Pruner.pruneEach(t, List.of("a", "b"), 0.5);
        assertArrayEquals(new float[] {0.5f, 0f, 0f, -0.9f}, t.get("a").floats());
        assertArrayEquals(new float[] {2f, 0f, -3f, 0f}, t.get("b").floats());
    }

    @Test
    void globalScopeUsesOneCutOffAcrossTensors() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.ofFloats(new float[] {0.5f, -0.1f, 0.3f, -0.9f}, 4));
        t.put("b", HostTensor.ofFloats(new float[] {2f, 1f, -3f, 0.2f}, 4));
        L1Pruner.pruneGlobally(t, List.of("a", "b"), 0.5); // 4 smallest of 8: 0.1, 0.2, 0.3, 0.5
        assertArrayEquals(new float[] {0f, 0f, 0f, -0.9f}, t.get("a").floats());
        assertArrayEquals(new float[] {2f, 1f, -3f, 0f}, t.get("b").floats());
    }

    @Test
    void existingZerosCountTowardsTheAmount() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.ofFloats(new float[] {0f, 0f, 0.3f, -0.9f}, 4));
        L1Pruner.pruneEach(t, List.of("a"), 0.5);
        assertArrayEquals(new float[] {0f, 0f, 0.3f, -0.9f}, t.get("a").floats());
    }

    @Test
    void tiesAreBrokenByPositionAndTheCountIsExact() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.ofFloats(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 1f}, 5));
        L1Pruner.pruneEach(t, List.of("a"), 0.4);
        assertArrayEquals(new float[] {0f, 0f, 0.25f, 0.25f, 1f}, t.get("a").floats());
    }

    @Test
    void globalScopeSkipsEmptyTensors() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("e", HostTensor.ofFloats(new float[0], 0));
        t.put("a", HostTensor.ofFloats(new float[] {3f, 1f}, 2));
        L1Pruner.pruneGlobally(t, List.of("e", "a"), 0.5);
        assertArrayEquals(new float[] {3f, 0f}, t.get("a").floats());
    }

    @Test
    void amountsOutsideZeroToOneAreRefused() {
        for (double bad : new double[] {-0.1, 1.0, Double.NaN, 2}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> L1Pruner.checkAmount(bad, "prune.convSparsity"));
            assertTrue(e.getMessage().startsWith("prune.convSparsity must be a fraction in [0, 1)"), e.getMessage());
        }
    }
}
