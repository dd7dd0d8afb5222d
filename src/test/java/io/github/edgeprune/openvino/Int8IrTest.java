package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.data.Preprocessor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.quant.Int8Quantizer;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.Progress;
import io.github.edgeprune.yolo.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The INT8 IR in Intel's form, and read back it computes what the quantized graph computes. */
class Int8IrTest {

    @TempDir
    Path tmp;

    private static int count(String xml, String regex) {
        Matcher m = Pattern.compile(regex).matcher(xml);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void theIrHoldsFakeQuantizeAndInt8WeightsAndRunsAsTheQuantizedGraph() throws Exception {
        int imgsz = 320;
        Graph model = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent()).graph(imgsz);
        List<Path> images = List.of(TestData.file("coco128/images/train2017/000000000009.jpg"),
                TestData.file("coco128/images/train2017/000000000030.jpg"));
        Int8Quantizer.Result q = Int8Quantizer.quantize(model, new Int8Quantizer.Settings(images, CalibrationMethod.MINMAX,
                List.of()), Progress.silent());
        OpenVinoExporter.Result written = new OpenVinoExporter(Log.silent()).export(q.graph(), tmp, "q", IrPrecision.INT8);
        String xml = Files.readString(written.xml());

        int convs = q.graph().nodesOf(Op.Conv2d.class).size();
        long inputs = q.graph().nodesOf(Op.Conv2d.class).stream().map(n -> n.input(0)).distinct().count();
        assertEquals(inputs + convs, count(xml, "type=\"FakeQuantize\" version=\"opset1\">\\s*<data levels=\"256\""),
                "one u8 FakeQuantize per tensor a convolution reads and one on each convolution's output");
        assertEquals(0, count(xml, "levels=\"255\""), "weights are not FakeQuantize ops but int8 constants");
        assertEquals(convs, count(xml, "element_type=\"i8\""), "every convolution weight is an i8 Const");
        assertEquals(convs, count(xml, "/multiply_by_scale\" type=\"Multiply\""), "each with its per-channel scale");
        assertTrue(xml.contains("<quantization>") && xml.contains("<precision value=\"INT8\""), "rt_info says INT8");
        assertEquals(IrPrecision.INT8, written.precision());

        Graph read = IrReader.read(written.xml());
        assertEquals("INT8", read.metadata().get("quantization.precision"));
        assertEquals("minmax", read.metadata().get("quantization.calibration"));
        for (Node c : read.nodesOf(Op.Conv2d.class)) {
            float[] w = read.parameter(c.input(1)).tensor().floats();
            long levels = java.util.Arrays.stream(toDoubles(w)).distinct().count();
            assertTrue(levels <= 255 * read.parameter(c.input(1)).tensor().dim(0),
                    c.name() + ": the weights read back lie on int8 grids");
        }
        float[] image = Preprocessor.preprocess(images.get(0), imgsz).chw();
        float[] expected = IrTestSupport.run(q.graph(), image, imgsz, imgsz);
        float[] actual = IrTestSupport.run(read, image, imgsz, imgsz);
        double diff = IrTestSupport.maxScaled(expected, actual);
        int beyond = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i])) > 0.05) {
                beyond++;
            }
        }
        double share = (double) beyond / expected.length;
        System.out.printf(Locale.ROOT, "[int8] IR read back vs the quantized graph: max scaled difference %.2e, %.3f %% of"
                + " the outputs beyond 0.05%n", diff, 100 * share);
        // Not bit for bit, by nature: the IR's biases are f16 (as in Intel's FP16-INT8 IRs), and
        // every FakeQuantize rounds, so a value that lands an ulp on the other side of a rounding
        // tie moves by a whole step (1/255 of its range), and such steps spread layer by layer. The
        // weights are the same int8 levels; measured here: 0.94 % of the outputs beyond 0.05 (0.01 %
        // beyond 0.1, all in low-objectness rows). What must hold is the accuracy: Int8ExportTest.
        assertTrue(share < 0.03, "IR vs graph: " + share + " of the outputs beyond 0.05");
    }

    @Test
    void anUnquantizedGraphIsNotWrittenAsInt8() {
        Graph model = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent()).graph(64);
        IrExportException e = org.junit.jupiter.api.Assertions.assertThrows(IrExportException.class,
                () -> new OpenVinoExporter(Log.silent()).export(model, tmp, "plain", IrPrecision.INT8));
        assertTrue(e.getMessage().contains("needs a quantized graph"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("plain.xml")), "nothing is written");
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
