package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.graph.Op;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The two Intel-produced yolov5n IRs (Model Optimizer 2022.1 at 640, OVC 2024.4 at 416) read and run on a real image. */
class IntelIrTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"yolov5n_openvino_model, 640, 25200, output", "yolov5n_416_ov2024_4, 416, 10647, output0"})
    void readsAndRuns(String folder, int size, int rows, String outputName) {
        Path xml = IrTestSupport.data().resolve("openvino-ir").resolve(folder).resolve("yolov5n.xml");
        Graph g = IrReader.read(xml);
        assertEquals(List.of("images"), g.inputs().stream().map(i -> i.name()).toList());
        assertEquals(List.of(outputName), g.outputs());
        assertArrayEquals(new long[] {1, 3, size, size}, g.inputs().get(0).shape());
        // the shape sub-graphs feeding Interpolate became plain nearest upsampling ×2
        List<Op.ResizeNearest> ups = g.nodesOf(Op.ResizeNearest.class).stream().map(n -> (Op.ResizeNearest) n.op()).toList();
        assertEquals(List.of(new Op.ResizeNearest(2, 2), new Op.ResizeNearest(2, 2)), ups);
        // 60 convolutions with their biases folded back in; 57 SiLU; yolov5n's fused parameter count
        assertEquals(60, g.nodesOf(Op.Conv2d.class).size());
        assertTrue(g.nodesOf(Op.Conv2d.class).stream().allMatch(n -> n.inputs().size() == 3));
        assertEquals(57, g.nodesOf(Op.Silu.class).size());
        assertEquals(1_867_405, GraphStats.of(g).parameters());
        List<String> names = IrMetadata.names(g.metadata(), 0);
        assertEquals(80, names.size());
        assertEquals("person", names.get(0));
        assertEquals("toothbrush", names.get(79));
        assertEquals("32", g.metadata().get("stride"));

        // a real COCO image (Ultralytics' pre-processed 000000000009 at 320) letterboxed into the square
        float[] image = IrCheckpointTest.letterbox(IrCheckpointTest.floats(IrTestSupport.data()
                .resolve("reference/yolov5n-320/000000000009.input.f32")), 320, size);
        long[] shape = io.github.edgeprune.graph.ShapeInference.inferWithBatchOne(g).get(outputName);
        assertArrayEquals(new long[] {1, rows, 85}, shape);
        float[] y = IrTestSupport.run(g, image, size, size);
        assertEquals(rows * 85, y.length);
        double maxObj = 0;
        int confident = 0;
        for (int r = 0; r < rows; r++) {
            float cx = y[r * 85];
            float cy = y[r * 85 + 1];
            float w = y[r * 85 + 2];
            float h = y[r * 85 + 3];
            assertTrue(cx > -size * 0.1 && cx < size * 1.1 && cy > -size * 0.1 && cy < size * 1.1,
                    "centre " + cx + "," + cy + " outside the image at row " + r);
            assertTrue(w >= 0 && h >= 0 && w <= 4 * size && h <= 4 * size, "size " + w + "x" + h + " at row " + r);
            for (int c = 4; c < 85; c++) {
                float v = y[r * 85 + c];
                assertTrue(v >= 0 && v <= 1, "score " + v + " at row " + r + " column " + c);
            }
            maxObj = Math.max(maxObj, y[r * 85 + 4]);
            if (y[r * 85 + 4] > 0.5) {
                confident++;
            }
        }
        assertTrue(maxObj > 0.5 && confident > 0, "the image has objects: max objectness " + maxObj);
        System.out.printf(Locale.ROOT, "%s: %d nodes, %d parameters, output %s, max objectness %.3f, %d rows above 0.5%n",
                folder, g.nodes().size(), g.parameters().size(), java.util.Arrays.toString(shape), maxObj, confident);
    }
}
