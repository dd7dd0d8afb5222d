package io.github.edgeprune.prune.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Global selection on yolov5n: targets met, widths rounded, bad targets refused. */
class ChannelPrunerTest {

    private static Graph yolov5n;

    @BeforeAll
    static void model() {
        yolov5n = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent()).graph(320);
    }

    private static ChannelPruner.Settings flops(double keep) {
        return new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, Double.NaN, keep);
    }

    @Test
    void targetFlopsIsMetWithinThreePercentAndWidthsStayMultiplesOfEight() {
        ChannelPruner.Result r = new ChannelPruner(yolov5n, flops(0.6)).prune();
        System.out.printf("[channels] yolov5n@320 targetFlops 0.6: %.3f -> %.3f GFLOPs (%.3f), %d -> %d parameters,"
                + " %d of %d prunable channels removed%n", r.before().gflops(), r.after().gflops(), r.flopsRatio(),
                r.before().parameters(), r.after().parameters(), r.removedChannels(), r.prunableChannels());
        assertEquals(0.6, r.flopsRatio(), 0.6 * ChannelPruner.FLOPS_TOLERANCE);
        assertTrue(r.after().parameters() < r.before().parameters());
        for (ChannelPruner.Layer l : r.layers()) {
            assertTrue(l.after() == l.before() || (l.after() % 8 == 0 && l.after() >= 8), l.toString());
        }
        Map<String, ChannelPruner.Layer> byName = r.layers().stream()
                .collect(Collectors.toMap(ChannelPruner.Layer::name, l -> l));
        assertEquals(255, byName.get("model.24.m.0").after(), "Detect keeps na x (5 + nc)");
        assertEquals(byName.get("model.2.cv1.conv").after(), byName.get("model.2.m.0.cv2.conv").after(), "tied");
        // the pruned graph's own statistics agree with the result's
        assertEquals(GraphStats.gflops(r.graph()), r.after().gflops(), 1e-9);
    }

    @Test
    void aPrunedModelBuildsFromItsOwnWeightsAndSurvivesABundle(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        io.github.edgeprune.yolo.YoloModel dense = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0,
                Log.silent());
        ChannelPruner.Result r = new ChannelPruner(dense.graph(320), flops(0.6)).prune();
        io.github.edgeprune.yolo.YoloModel pruned = dense.withStateDict(r.graph().stateDict());
        // the builder reads each convolution's width from the weights: the same graph as the pass made
        Graph rebuilt = pruned.graph(320);
        assertEquals(r.graph().parameters().keySet(), rebuilt.parameters().keySet());
        for (String name : r.graph().parameters().keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(r.graph().parameter(name).tensor().shape(),
                    rebuilt.parameter(name).tensor().shape(), name);
        }
        assertEquals(r.after().gflops(), GraphStats.gflops(rebuilt), 1e-9);
        io.github.edgeprune.yolo.ModelBundle.write(tmp.resolve("b"), pruned, io.github.edgeprune.prune.PruneRecord
                .none(pruned.stateDict(), io.github.edgeprune.prune.PruneTargets.of(rebuilt)));
        Graph read = io.github.edgeprune.yolo.ModelBundle.read(tmp.resolve("b")).graph(640);
        assertEquals(r.after().parameters(), GraphStats.of(read).parameters());
    }

    @Test
    void channelRatioRemovesThatShareOfPrunableChannels() {
        ChannelPruner.Result r = new ChannelPruner(yolov5n,
                new ChannelPruner.Settings(ChannelImportance.L1, 8, 0.3, Double.NaN)).prune();
        double share = (double) r.removedChannels() / r.prunableChannels();
        System.out.printf("[channels] channelRatio 0.3 (l1): removed %.3f of prunable channels, GFLOPs kept %.3f%n",
                share, r.flopsRatio());
        // rounding to multiples of 8 moves each layer by up to 7 channels
        assertEquals(0.3, share, 0.05);
    }

    @Test
    void badTargetsAreRefusedBeforeAnythingIsPruned() {
        ChannelPruningException ratio = assertThrows(ChannelPruningException.class,
                () -> new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, 1.0, Double.NaN));
        assertTrue(ratio.getMessage().contains("prune.channelRatio must be in [0, 1), got 1.0"), ratio.getMessage());
        ChannelPruningException none = assertThrows(ChannelPruningException.class,
                () -> new ChannelPruner.Settings(ChannelImportance.BN_GAMMA, 8, Double.NaN, Double.NaN));
        assertTrue(none.getMessage().contains("exactly one"), none.getMessage());
        ChannelPruningException unreachable = assertThrows(ChannelPruningException.class,
                () -> new ChannelPruner(yolov5n, flops(0.02)).prune());
        assertTrue(unreachable.getMessage().startsWith("prune.targetFlops 0.020 cannot be met: with every prunable"
                + " layer at prune.roundTo=8 channels"), unreachable.getMessage());
        ChannelPruningException importance = assertThrows(ChannelPruningException.class,
                () -> ChannelImportance.parse("entropy"));
        assertEquals("prune.importance must be bn-gamma, l1 or l2, got 'entropy'", importance.getMessage());
    }
}
