package io.github.edgeprune.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Progress;
import io.github.edgeprune.yolo.YoloArchitecture;
import io.github.edgeprune.yolo.YoloModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class Int8QuantizerTest {

    private static final List<Path> IMAGES = List.of(
            TestData.file("coco128/images/train2017/000000000009.jpg"),
            TestData.file("coco128/images/train2017/000000000025.jpg"),
            TestData.file("coco128/images/train2017/000000000030.jpg"));

    static Graph tinyGraph() {
        Map<String, Object> src = new java.util.LinkedHashMap<>(
                io.github.edgeprune.yolo.ModelZoo.architecture("yolov5n").source());
        src.put("width_multiple", 0.125);
        src.remove("yaml_file");
        YoloModel m = YoloModel.random(YoloArchitecture.fromMap(src, "tiny.yaml"), YoloModel.defaultNames(80), 3, "tiny");
        return m.graph(128);
    }

    @Test
    void activationGridsPutZeroExactlyOnTheGrid() {
        // a SiLU output: [-0.278, 5]: zero point 14 on a scale of 5.278/255
        QuantRange r = QuantRange.activation(-0.2785, 5.0);
        assertEquals(256, r.levels());
        long zp = r.zeroPoint();
        assertEquals(Math.round(0.2785 / (5.2785 / 255)), zp);
        assertEquals(-zp * r.scale(), r.low(), 1e-7);
        assertEquals((255 - zp) * r.scale(), r.high(), 1e-6);
        // the grid point nearest zero is zero itself: (0 - low) / scale is an integer
        double k = -r.low() / r.scale();
        assertEquals(Math.rint(k), k, 1e-4);
        // an image in [0, 1]: zero point 0, steps of 1/255 (every 8-bit pixel value is on the grid)
        QuantRange image = QuantRange.activation(0, 1);
        assertEquals(0, image.zeroPoint());
        assertEquals(1.0 / 255, image.scale(), 1e-9);
        // a range that excludes zero is widened to include it
        assertEquals(0f, QuantRange.activation(0.5, 2).low());
        assertEquals(0f, QuantRange.activation(-3, -1).high());
        assertThrows(IllegalArgumentException.class, () -> QuantRange.activation(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> QuantRange.activation(2, 1));
    }

    @Test
    void weightGridsAreSymmetricAndNeverEmpty() {
        QuantRange w = QuantRange.weight(0.635);
        assertEquals(255, w.levels());
        assertEquals(-w.high(), w.low());
        assertEquals(0.005, w.scale(), 1e-9);
        QuantRange dead = QuantRange.weight(0); // a pruned-away channel: all zeros
        assertTrue(dead.high() > 0 && Float.isFinite(dead.high()), "a zero channel still has a usable grid");
    }

    @Test
    void everyConvolutionReadsQuantizedInputsAndWeightsUnlessExcluded() {
        Graph g = tinyGraph();
        Int8Quantizer.Result all = Int8Quantizer.quantize(g, new Int8Quantizer.Settings(IMAGES, CalibrationMethod.MINMAX,
                List.of()), Progress.silent());
        Graph q = all.graph();
        List<Node> convs = q.nodesOf(Op.Conv2d.class);
        assertEquals(convs.size(), all.quantized());
        for (Node c : convs) {
            Node x = q.producer(c.input(0));
            Node w = q.producer(c.input(1));
            assertTrue(x != null && x.op() instanceof Op.FakeQuantize fq && fq.levels() == 256, c.name() + " input");
            assertTrue(w != null && w.op() instanceof Op.FakeQuantize fq && fq.levels() == 255, c.name() + " weight");
            assertTrue(q.isParameter(w.input(0)), c.name() + ": the weight FakeQuantize reads the float weight");
            assertEquals(q.parameter(w.input(0)).tensor().dim(0), q.parameter(w.input(1)).tensor().dim(0),
                    "one weight range per output channel");
        }
        assertTrue(q.nodesOf(Op.BatchNorm.class).isEmpty(), "BatchNorm is folded before the weights are quantized");
        // C3's two 1x1 convolutions read one tensor: one FakeQuantize serves both
        long tensors = convs.stream().map(n -> n.input(0)).distinct().count();
        long activationFq = q.nodes().stream().filter(n -> n.op() instanceof Op.FakeQuantize fq && fq.levels() == 256)
                .count();
        assertEquals(tensors + convs.size(), activationFq, "inputs (shared) and each convolution's output");
        assertTrue(tensors < convs.size());
        for (Node c : convs) {
            List<Node> readers = q.consumers(c.output());
            assertEquals(1, readers.size(), c.name());
            assertTrue(readers.get(0).op() instanceof Op.FakeQuantize fq && fq.levels() == 256,
                    c.name() + ": its output is quantized too (ONNX Runtime fuses QLinearConv only so)");
        }
        Graph inputsOnly = Int8Quantizer.quantize(g, new Int8Quantizer.Settings(IMAGES, CalibrationMethod.MINMAX,
                List.of(), false), Progress.silent()).graph();
        assertEquals(tensors, inputsOnly.nodes().stream().filter(n -> n.op() instanceof Op.FakeQuantize fq
                && fq.levels() == 256).count(), "without output quantization: one per input tensor");
        // the Detect decode (Sigmoid, grid and anchors) stays float: nothing after the last convolutions
        for (Node s : q.nodesOf(Op.Sigmoid.class)) {
            assertTrue(!(q.producer(s.input(0)).op() instanceof Op.FakeQuantize), s.name());
        }
        assertEquals("INT8", q.metadata().get("quantization.precision"));
        assertEquals("3", q.metadata().get("quantization.calibration_images"));

        Int8Quantizer.Result some = Int8Quantizer.quantize(g, new Int8Quantizer.Settings(IMAGES, CalibrationMethod.MINMAX,
                List.of("model.24", "model.0.conv", "model.99")), Progress.silent());
        Map<String, Boolean> quantized = some.graph().nodesOf(Op.Conv2d.class).stream().collect(Collectors.toMap(
                Node::name, c -> some.graph().producer(c.input(1)) != null));
        assertEquals(false, quantized.get("model.0.conv"));
        quantized.forEach((name, isQ) -> assertEquals(!(name.startsWith("model.24.") || name.equals("model.0.conv")), isQ,
                name));
        assertEquals(4, some.excluded(), "the first conv and Detect's three");
        assertEquals(List.of("model.99"), some.unmatchedExcludes());
        assertNull(Int8Quantizer.excludedBy("model.240.conv", List.of("model.24")), "a prefix ends at a dot");
        assertNotNull(Int8Quantizer.excludedBy("model.24.m.0", List.of("model.24")));
    }

    @Test
    void percentileRangesAreNoWiderThanTheMinMax() {
        Graph g = io.github.edgeprune.graph.FoldBatchNorm.apply(tinyGraph());
        List<String> values = g.nodesOf(Op.Conv2d.class).stream().map(n -> n.input(0)).distinct().toList();
        Map<String, Calibrator.Observed> minMax = Calibrator.observe(g, IMAGES, values, CalibrationMethod.MINMAX,
                Progress.silent());
        Map<String, Calibrator.Observed> pct = Calibrator.observe(g, IMAGES, values, CalibrationMethod.PERCENTILE,
                Progress.silent());
        int narrower = 0;
        for (String v : values) {
            assertTrue(pct.get(v).min() >= minMax.get(v).min() - 1e-6 && pct.get(v).max() <= minMax.get(v).max() + 1e-6, v);
            if (pct.get(v).max() < minMax.get(v).max() - 1e-6) {
                narrower++;
            }
        }
        assertTrue(narrower > values.size() / 2, narrower + " of " + values.size() + " ranges lose their outliers");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Calibrator.observe(g, List.of(),
                values, CalibrationMethod.MINMAX, Progress.silent()));
        assertTrue(none.getMessage().contains("at least one image"), none.getMessage());
    }
}
