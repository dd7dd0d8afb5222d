package io.github.edgeprune.prune.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.data.Preprocessor;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.executor.OwnedArrays;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.YoloGraphBuilder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency pass on yolov5n, and removal that leaves the output unchanged where it must. */
class ChannelRemovalTest {

    private static final int SIZE = 320;
    private static Graph yolov5n;

    @BeforeAll
    static void model() {
        yolov5n = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent()).graph(SIZE);
    }

    private static ChannelGroup groupOf(List<ChannelGroup> groups, String conv) {
        return groups.stream().filter(g -> g.convs().contains(conv)).findFirst().orElseThrow();
    }

    @Test
    void groupsFollowTheGraph() {
        List<ChannelGroup> groups = ChannelGroups.of(ChannelDependencies.of(yolov5n));
        // the Detect head's convolutions end in a reshape to anchors x (5 + nc): never pruned
        for (int i = 0; i < 3; i++) {
            assertFalse(groupOf(groups, "model.24.m." + i).prunable(), "model.24.m." + i);
        }
        // C3's residual: its cv1 and the bottleneck's cv2 are added, so they shrink together
        ChannelGroup c3 = groupOf(groups, "model.2.cv1.conv");
        assertEquals(List.of("model.2.cv1.conv", "model.2.m.0.cv2.conv"), c3.convs());
        assertTrue(c3.prunable());
        // a C3 in the head has no shortcut: its cv1 is a group of its own
        assertEquals(List.of("model.13.cv1.conv"), groupOf(groups, "model.13.cv1.conv").convs());
        assertTrue(groupOf(groups, "model.0.conv").prunable());
    }

    @Test
    void theDetectHeadsChannelsAreRefused() {
        ChannelDependencies deps = ChannelDependencies.of(yolov5n);
        ChannelDependencies.Space detect = deps.spaceOf("model.24.m.0");
        ChannelPruningException e = org.junit.jupiter.api.Assertions.assertThrows(ChannelPruningException.class,
                () -> ChannelRemoval.apply(deps, Set.of(deps.root(detect.first() + 4))));
        assertEquals("channel 4 of 'model.24.m.0' cannot be removed: it reaches a reshape, a graph output or another"
                + " op that keeps its channels whole", e.getMessage());
    }

    @Test
    void removingDeadChannelsLeavesTheOutputUnchanged() {
        ChannelDependencies deps = ChannelDependencies.of(yolov5n);
        List<ChannelGroup> groups = ChannelGroups.of(deps);
        // a plain chain, a residual Add, SPPF (pooled copies concatenated at four offsets), and a
        // Concat in the head (upsampled model.10 joined with model.6)
        Map<String, Parameter> params = new LinkedHashMap<>(yolov5n.parameters());
        Set<Integer> removed = new HashSet<>();
        for (String conv : List.of("model.0.conv", "model.2.cv1.conv", "model.9.cv1.conv", "model.10.conv")) {
            ChannelGroup g = groupOf(groups, conv);
            int[] classes = g.classes();
            for (int pos : new int[] {1, 4, 5}) {
                removed.add(classes[pos]);
            }
            for (String member : g.convs()) {
                ChannelDependencies.Space s = deps.spaceOf(member);
                Node bn = yolov5n.consumers(member).get(0);
                for (int c = 0; c < s.size(); c++) {
                    if (removed.contains(deps.root(s.first() + c))) {
                        zero(params, bn.input(1), c); // gamma
                        zero(params, bn.input(2), c); // beta: the channel is 0 after BN, so after SiLU
                    }
                }
            }
        }
        Graph dead = yolov5n.withParameters(params);
        ChannelDependencies deadDeps = ChannelDependencies.of(dead);
        Graph pruned = ChannelRemoval.apply(deadDeps, removed);
        assertEquals(13, pruned.parameter("model.0.conv.weight").tensor().shape()[0]);
        assertEquals(13, pruned.parameter("model.1.conv.weight").tensor().shape()[1]);
        assertEquals(4 * 125, pruned.parameter("model.9.cv2.conv.weight").tensor().shape()[1], "SPPF: 4 x (128 - 3)");
        assertEquals(125 + 128, pruned.parameter("model.13.cv1.conv.weight").tensor().shape()[1]);

        for (String image : List.of("000000000009.jpg", "000000000025.jpg")) {
            Path file = TestData.file("coco128/images/train2017").resolve(image);
            float[] chw = Preprocessor.preprocess(file, SIZE).chw();
            Map<String, float[]> a = run(dead, chw);
            Map<String, float[]> b = run(pruned, chw);
            float[] dense = a.get(YoloGraphBuilder.OUTPUT);
            float[] small = b.get(YoloGraphBuilder.OUTPUT);
            assertEquals(dense.length, small.length);
            double boxes = 0;
            double scores = 0;
            for (int i = 0; i < dense.length; i++) {
                double d = Math.abs(dense[i] - small[i]);
                if (i % 85 < 4) {
                    boxes = Math.max(boxes, d);
                } else {
                    scores = Math.max(scores, d);
                }
            }
            System.out.printf("[channels] %s: max |diff| boxes %.3g px, objectness and classes %.3g%n", image, boxes,
                    scores);
            // the same sums in another order: float rounding only (boxes are in pixels, up to 320)
            assertTrue(scores <= 1e-5, image + ": scores differ by " + scores);
            assertTrue(boxes <= 1e-5 * SIZE, image + ": boxes differ by " + boxes + " px");
        }
    }

    private static void zero(Map<String, Parameter> params, String name, int channel) {
        HostTensor t = params.get(name).tensor();
        float[] v = t.floats().clone();
        v[channel] = 0;
        params.put(name, params.get(name).withTensor(HostTensor.ofFloats(v, t.shape())));
    }

    private static Map<String, float[]> run(Graph g, float[] chw) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(g, m)) {
            NDArray x = OwnedArrays.of(m, chw, new Shape(1, 3, SIZE, SIZE));
            Map<String, NDArray> r = ex.run(Map.of(YoloGraphBuilder.INPUT, x), g.outputs(), GraphExecutor.Mode.INFERENCE);
            g.outputs().forEach(o -> out.put(o, r.get(o).toFloatArray()));
        }
        return out;
    }
}
