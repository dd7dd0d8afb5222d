package io.github.edgeprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.YoloModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The paper's figures for yolov5n at 0.2 / 0.1: 20 % Conv2d and 9.91 % BatchNorm2d sparsity. */
class StaticPruningTest {

    private static YoloModel model;
    private static PruneTargets targets;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent());
        targets = PruneTargets.of(model.graph(256));
    }

    @Test
    void targetsAreTheSixtyConvAndFiftySevenBatchNormWeights() {
        assertEquals(60, targets.convWeights().size());
        assertEquals(57, targets.batchNormWeights().size());
        Sparsity before = Sparsity.of(model.stateDict(), targets);
        assertEquals(1_861_888, before.convTotal());
        assertEquals(4_752, before.bnTotal());
    }

    @Test
    void layerScopeGivesThePapersSparsity() {
        Map<String, HostTensor> weights = model.copyStateDict();
        StaticPruning.apply(weights, targets, new StaticPruning.Amounts(0.2, 0.1, PruneScope.LAYER));
        Sparsity s = Sparsity.of(weights, targets);
        assertEquals("20.00", String.format(java.util.Locale.ROOT, "%.2f", 100 * s.conv()));
        assertEquals("9.91", String.format(java.util.Locale.ROOT, "%.2f", 100 * s.batchNorm()));
        // each tensor has exactly round(0.2 n) zeros (the zeros it already had are among its smallest)
        for (String name : targets.convWeights()) {
            HostTensor t = weights.get(name);
            long before = model.stateDict().get(name).countZeros();
            assertEquals(Math.max(before, L1Pruner.pruneCount(0.2, t.size())), t.countZeros(), name);
        }
        // the original is untouched (yolov5n.pt holds a single exact zero among its conv weights)
        assertEquals(1, Sparsity.of(model.stateDict(), targets).convZeros());
    }

    @Test
    void globalScopeHitsTheAmountOverAllConvWeights() {
        Map<String, HostTensor> weights = model.copyStateDict();
        StaticPruning.apply(weights, targets, new StaticPruning.Amounts(0.2, 0.0, PruneScope.GLOBAL));
        Sparsity s = Sparsity.of(weights, targets);
        assertEquals(Math.rint(0.2 * 1_861_888), s.convZeros());
        assertEquals(0, s.bnZeros());
        // one cut-off: no kept weight is smaller than a pruned one
        float cut = 0;
        float smallestKept = Float.MAX_VALUE;
        for (String name : targets.convWeights()) {
            float[] orig = model.stateDict().get(name).floats();
            float[] now = weights.get(name).floats();
            for (int i = 0; i < orig.length; i++) {
                if (now[i] == 0) {
                    cut = Math.max(cut, Math.abs(orig[i]));
                } else {
                    smallestKept = Math.min(smallestKept, Math.abs(now[i]));
                }
            }
        }
        assertTrue(cut <= smallestKept, cut + " > " + smallestKept);
    }
}
