package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.YoloModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two Intel-produced yolov5n IRs (Model Optimizer 2022.1 at 640, OVC 2024.4 at 416) read and run
 * on a real COCO image letterboxed into the square (Ultralytics' pre-processed 320 image centred in
 * a canvas of gray 114), and compared with our graph of yolov5n.pt at the same size.
 */
class IntelIrTest {

    /** yolov5n.pt, the weights Intel's tools converted; read once for both IRs. */
    static YoloModel model;

    @BeforeAll
    static void loadModel() {
        model = ModelLoader.load(IrTestSupport.data().resolve("models/yolov5n.pt").toString(), Path.of("."), 0,
                Log.silent());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"yolov5n_openvino_model, 640, 25200, output", "yolov5n_416_ov2024_4, 416, 10647, output0"})
    void readsAndRuns(String folder, int size, int rows, String outputName, @TempDir Path dir) throws Exception {
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
        float[] image = IrTestSupport.letterbox(IrTestSupport.floats(IrTestSupport.data()
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
        compareWithOurs(xml, size, image, y, dir);
        System.out.printf(Locale.ROOT, "%s: %d nodes, %d parameters, output %s, max objectness %.3f, %d rows above 0.5%n",
                folder, g.nodes().size(), g.parameters().size(), java.util.Arrays.toString(shape), maxObj, confident);
    }

    /**
     * Our graph of yolov5n.pt (the weights Intel's tools converted) at the same size, on the same
     * real image: the FP32 graph and our own FP16 IR against Intel's IR, and our f16 weights against
     * Intel's bit for bit.
     */
    static void compareWithOurs(Path xml, int size, float[] image, float[] theirs, Path dir) throws Exception {
        Graph graph = model.graph(size);
        float[] ours32 = IrTestSupport.run(io.github.edgeprune.graph.FoldBatchNorm.apply(graph), image, size, size);
        Graph ourIr = IrReader.read(new OpenVinoExporter(Log.silent()).export(graph, dir, "yolov5n", IrPrecision.FP16)
                .xml());
        float[] ours16 = IrTestSupport.run(ourIr, image, size, size);

        double d32 = IrTestSupport.maxScaled(theirs, ours32);
        double d16 = IrTestSupport.maxScaled(theirs, ours16);
        System.out.printf(Locale.ROOT, "Intel %d IR vs our fused yolov5n.pt graph: FP32 %.2e (scores %.2e), our FP16 IR %.2e"
                + " (scores %.2e, xywh %.3f px)%n", size, d32, IrTestSupport.maxConfidenceDiff(theirs, ours32), d16,
                IrTestSupport.maxConfidenceDiff(theirs, ours16), IrTestSupport.maxBoxDiff(theirs, ours16));
        // our FP16 IR holds (almost exactly) Intel's f16 weights: the outputs agree to 1e-3
        assertTrue(d16 < 1e-3, "Intel IR vs our FP16 IR " + d16);
        assertTrue(IrTestSupport.maxConfidenceDiff(theirs, ours16) < 1e-3, "scores, Intel IR vs our FP16 IR");
        // against the FP32 graph the gap is f16 rounding of the weights (≤ 2^-11 relative each, over ~60
        // layers): measured ≤ 5e-3 on scores and ≤ 1.4 px on box coordinates (absolute, yolov5n.pt at 320 vs
        // Ultralytics); bounds 0.02 and 3 % (|Δ| / max(1, |y|))
        assertTrue(IrTestSupport.maxConfidenceDiff(theirs, ours32) < 0.02, "scores, Intel IR vs our FP32 graph");
        assertTrue(d32 < 0.03, "Intel IR vs our FP32 graph " + d32);
        assertEquals(IrTestSupport.topDetection(theirs), IrTestSupport.topDetection(ours16),
                "the best box is the same anchor and class");

        // and the FP16 weights themselves: our f16 convolution weights against Intel's, bit for bit
        IrXmlModel ix = IrXmlModel.parse(xml);
        IrXmlModel ox = IrXmlModel.parse(dir.resolve("yolov5n.xml"));
        ByteBuffer ib = ByteBuffer.wrap(Files.readAllBytes(xml.resolveSibling("yolov5n.bin")))
                .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer ob = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("yolov5n.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        long same = 0;
        long total = 0;
        long off = 0;
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof Op.Conv2d)) {
                continue;
            }
            String name = n.input(1) + "_compressed";
            IrXmlModel.Layer a = ix.byName(name);
            IrXmlModel.Layer b = ox.byName(name);
            assertEquals(a.data().get("shape"), b.data().get("shape"), name);
            int ao = Integer.parseInt(a.data().get("offset"));
            int bo = Integer.parseInt(b.data().get("offset"));
            int count = Integer.parseInt(a.data().get("size")) / 2;
            for (int i = 0; i < count; i++) {
                short x = ib.getShort(ao + 2 * i);
                short y = ob.getShort(bo + 2 * i);
                total++;
                if (x == y) {
                    same++;
                } else if (Math.abs(x - y) > 1) {
                    off++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "conv weights, ours vs Intel %d: %d of %d f16 values bit-identical (%.4f %%), %d differ"
                + " by more than one ulp%n", size, same, total, 100.0 * same / total, off);
        assertEquals(1_861_888, total);
        assertTrue(same > 0.99 * total, "f16 weights equal to Intel's: " + same + " of " + total);
        assertEquals(0, off, "no weight differs by more than one f16 ulp");
    }
}
