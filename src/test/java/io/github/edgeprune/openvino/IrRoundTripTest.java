package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.util.Log;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * yolov5n (random weights, random BatchNorm statistics) → IR → read back → both graphs run on the
 * same random image.
 */
class IrRoundTripTest {

    static final int SIZE = 320;
    static Graph graph;
    static float[] image;
    static float[] expected;

    @BeforeAll
    static void model() {
        graph = IrTestSupport.yolov5n(SIZE, 11);
        image = IrTestSupport.randomImage(SIZE, 5);
        expected = IrTestSupport.run(graph, image, SIZE, SIZE);
    }

    @Test
    void fp32RoundTripGivesTheSameOutputs(@TempDir Path dir) {
        OpenVinoExporter.Result r = new OpenVinoExporter(Log.silent()).export(graph, dir, "yolov5n", IrPrecision.FP32);
        Graph back = IrReader.read(r.xml());
        assertEquals(java.util.List.of("images"), back.inputs().stream().map(i -> i.name()).toList());
        assertEquals(java.util.List.of("output0"), back.outputs());
        assertArrayEquals(new long[] {1, 3, SIZE, SIZE}, back.inputs().get(0).shape());
        // the read graph is the fused graph: biased convolutions, no BatchNorm, same parameter count
        assertTrue(back.nodesOf(Op.BatchNorm.class).isEmpty());
        Graph fused = FoldBatchNorm.apply(graph);
        assertEquals(GraphStats.of(fused).parameters(), GraphStats.of(back).parameters());
        assertEquals(fused.nodesOf(Op.Conv2d.class).size(), back.nodesOf(Op.Conv2d.class).size());
        assertEquals(graph.metadata().get("names"), back.metadata().get("names"));
        assertEquals("8,16,32", back.metadata().get("stride"));
        assertEquals("320,320", back.metadata().get("imgsz"));

        float[] actual = IrTestSupport.run(back, image, SIZE, SIZE);
        assertEquals(expected.length, actual.length);
        double abs = IrTestSupport.maxAbs(expected, actual);
        double scaled = IrTestSupport.maxScaled(expected, actual);
        System.out.printf(Locale.ROOT, "FP32 round trip at %d: max |diff| %.3g, max |diff|/max(1,|y|) %.3g, IR %d B%n",
                SIZE, abs, scaled, r.irBytes());
        assertTrue(scaled < 1e-4, "max scaled difference " + scaled);
    }

    /**
     * FP16: the read-back graph must equal the original with every weight rounded to f16 (the
     * only change FP16 makes) within the FP32 tolerance; against the unrounded original it may
     * differ by what f16 rounding does (relative 2^-11 per weight, accumulated over ~60 layers).
     */
    @Test
    void fp16RoundTripEqualsTheHalfRoundedModel(@TempDir Path dir) {
        OpenVinoExporter.Result r = new OpenVinoExporter(Log.silent()).export(graph, dir, "yolov5n", IrPrecision.FP16);
        Graph back = IrReader.read(r.xml());
        float[] actual = IrTestSupport.run(back, image, SIZE, SIZE);
        float[] rounded = IrTestSupport.run(IrTestSupport.roundedToHalf(FoldBatchNorm.apply(graph)), image, SIZE, SIZE);
        double exact = IrTestSupport.maxScaled(rounded, actual);
        double vsOriginal = IrTestSupport.maxScaled(expected, actual);
        double absOriginal = IrTestSupport.maxAbs(expected, actual);
        System.out.printf(Locale.ROOT, "FP16 round trip at %d: vs f16-rounded model %.3g (scaled); vs FP32 model max |diff|"
                + " %.3g, scaled %.3g; IR %d B%n", SIZE, exact, absOriginal, vsOriginal, r.irBytes());
        assertTrue(exact < 1e-4, "read-back FP16 IR differs from the f16-rounded model by " + exact);
        // probabilities within 0.01, coordinates within 1 % of their value
        assertTrue(vsOriginal < 1e-2, "FP16 IR differs from the FP32 model by " + vsOriginal);
    }
}
