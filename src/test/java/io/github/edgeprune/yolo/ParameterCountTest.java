package io.github.edgeprune.yolo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter counts and GFLOPs must equal what Ultralytics prints for the same architecture
 * (figures quoted by the paper and ARCHITECTURE.md).
 */
class ParameterCountTest {

    @ParameterizedTest(name = "{0} nc={1}")
    @CsvSource({
        // model, nc, unfused params, fused params, unfused GFLOPs, fused GFLOPs (-1: not published)
        "yolov5n, 80, 1872157, 1867405, 4.6, 4.5",
        "yolov5m, 80, 21190557, 21172173, 49.2, 48.9",
        "yolov5n, 5, -1, 1765930, -1, 4.1",
        "yolov5m, 5, -1, 20869098, -1, 47.9",
    })
    void countsMatchUltralytics(String model, int nc, long unfused, long fused, double unfusedGflops, double fusedGflops) {
        YoloArchitecture arch = ModelZoo.architecture(model).withNc(nc);
        Graph graph = YoloGraphBuilder.build(arch, new RandomWeights(0), 640, 640);
        GraphStats raw = GraphStats.of(graph);
        GraphStats folded = GraphStats.of(FoldBatchNorm.apply(graph));
        if (unfused > 0) {
            assertEquals(unfused, raw.parameters(), "unfused parameters");
            assertEquals(unfusedGflops, round1(raw.gflops()), 1e-9, "unfused GFLOPs at 640");
        }
        assertEquals(fused, folded.parameters(), "fused parameters");
        assertEquals(fusedGflops, round1(folded.gflops()), 1e-9, "fused GFLOPs at 640");
    }

    @ParameterizedTest
    @CsvSource({"yolov5n, 214, 157", "yolov5m, 291, 212"})
    void layerCountsMatchUltralyticsSummary(String model, int layers, int fusedLayers) {
        Graph graph = YoloGraphBuilder.build(ModelZoo.architecture(model), new RandomWeights(0), 320, 320);
        assertEquals(layers, ModelSummary.of("m", graph).layers());
        assertEquals(fusedLayers, ModelSummary.of("m", FoldBatchNorm.apply(graph)).layers());
        assertEquals("YOLOv5n", ModelSummary.displayName("yolov5n.yaml"));
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
