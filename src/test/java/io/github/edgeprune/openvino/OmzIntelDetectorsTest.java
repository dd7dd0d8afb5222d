package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.data.OpenCv;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.ShapeInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Intel's two INT8 Open Model Zoo detectors on a real COCO128 image with a labelled person
 * (000000000036: a person under an umbrella, 481x640).
 */
class OmzIntelDetectorsTest {

    static final Path OMZ = IrTestSupport.data().resolve("openvino-ir/conformance/omz-intel");
    static final Path IMAGE = IrTestSupport.data().resolve("coco128/images/train2017/000000000036.jpg");
    static final Path LABELS = IrTestSupport.data().resolve("coco128/labels/train2017/000000000036.txt");

    /** OMZ person-vehicle-bike-detection-2000/2003 labels: 0 vehicle, 1 person, 2 bike (2000: 3 is the background). */
    static final int PERSON = 1;

    /**
     * The OMZ pre-processing: the image as cv2.imread gives it (BGR, 0..255), resized to the input
     * (no letterbox, no mean or scale: the IR's first layer multiplies by 1/255 itself), CHW.
     */
    static float[] bgrChw(Path image, int h, int w) {
        OpenCv.load();
        Mat im = Imgcodecs.imread(image.toString(), Imgcodecs.IMREAD_COLOR);
        assertFalse(im.empty(), "cannot read " + image);
        Mat resized = new Mat();
        Imgproc.resize(im, resized, new Size(w, h), 0, 0, Imgproc.INTER_LINEAR);
        byte[] hwc = new byte[h * w * 3];
        resized.get(0, 0, hwc);
        im.release();
        resized.release();
        float[] chw = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    chw[c * h * w + y * w + x] = hwc[(y * w + x) * 3 + c] & 0xff;
                }
            }
        }
        return chw;
    }

    /** The labelled person box of the image, normalised corners (YOLO labels are cx cy w h). */
    static float[] labelledPerson() throws Exception {
        for (String line : Files.readAllLines(LABELS)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 5 && f[0].equals("0")) {
                float cx = Float.parseFloat(f[1]);
                float cy = Float.parseFloat(f[2]);
                float bw = Float.parseFloat(f[3]);
                float bh = Float.parseFloat(f[4]);
                return new float[] {cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2};
            }
        }
        throw new AssertionError("no person in " + LABELS);
    }

    static double iou(float[] a, float[] b) {
        double ix = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        double iy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        double inter = ix * iy;
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }

    @Test
    void detection2000FindsTheLabelledPerson() throws Exception {
        Path xml = OMZ.resolve("person-vehicle-bike-detection-2000/FP16-INT8/person-vehicle-bike-detection-2000.xml");
        Graph g = IrReader.read(xml);
        assertEquals("image", g.inputs().get(0).name());
        assertArrayEquals(new long[] {1, 3, 256, 256}, g.inputs().get(0).shape());
        assertEquals(List.of("detection_out"), g.outputs());
        assertEquals(1, g.nodesOf(Op.DetectionOutput.class).size());
        assertEquals(1, g.nodesOf(Op.Softmax.class).size());
        assertEquals(60, g.nodesOf(Op.FakeQuantize.class).size());
        // PriorBoxClustered and the ReduceProd of the shape sub-graph were folded away
        assertTrue(g.nodesOf(Op.Reduce.class).isEmpty());
        // the priors: 16x16 cells x 4 + 8x8 x 5 = 1344, [1, 2, 1344·4] (boxes, variances)
        Op.DetectionOutput d = (Op.DetectionOutput) g.nodesOf(Op.DetectionOutput.class).get(0).op();
        assertEquals(new Op.DetectionOutput(3, 200, 200, 0.019999999552965164, 0.44999998807907104, true, false, true,
                false, false), d);
        assertArrayEquals(new long[] {1, 2, 5376},
                g.parameter(g.nodesOf(Op.DetectionOutput.class).get(0).input(2)).tensor().shape());

        float[] y = IrTestSupport.run(g, bgrChw(IMAGE, 256, 256), 256, 256);
        assertEquals(200 * 7, y.length);
        float[] person = labelledPerson();
        int rows = 0;
        double bestIou = 0;
        float[] best = null;
        for (int r = 0; r < 200 && y[r * 7] != -1; r++, rows++) {
            float[] row = Arrays.copyOfRange(y, r * 7, r * 7 + 7);
            for (float v : row) {
                assertTrue(Float.isFinite(v), "row " + r + " " + Arrays.toString(row));
            }
            assertEquals(0f, row[0], "image id");
            assertTrue(row[1] == 0 || row[1] == 1 || row[1] == 2, "label " + row[1]);
            assertTrue(row[2] > 0.02 && row[2] <= 1, "confidence " + row[2]);
            // not clipped by the model: allow what a box on the image border can stick out
            for (int k = 3; k < 7; k++) {
                assertTrue(row[k] >= -0.1 && row[k] <= 1.1, "coordinate " + row[k] + " in row " + r);
            }
            assertTrue(row[5] > row[3] && row[6] > row[4], "empty box in row " + r);
            if (row[1] == PERSON) {
                double o = iou(Arrays.copyOfRange(row, 3, 7), person);
                if (o > bestIou) {
                    bestIou = o;
                    best = row;
                }
            }
        }
        assertTrue(rows > 0 && rows < 200, rows + " detections");
        float lo = 1;
        float hi = 0;
        for (int r = 0; r < rows; r++) {
            for (int k = 3; k < 7; k++) {
                lo = Math.min(lo, y[r * 7 + k]);
                hi = Math.max(hi, y[r * 7 + k]);
            }
        }
        System.out.println("2000 box coordinates span " + lo + " .. " + hi);
        assertTrue(best != null && bestIou > 0.5, "best person IoU " + bestIou);
        System.out.printf(Locale.ROOT, "person-vehicle-bike-detection-2000 on 000000000036: %d detections; best person "
                + "conf %.3f box [%.3f %.3f %.3f %.3f], IoU %.3f with the labelled person [%.3f %.3f %.3f %.3f]%n", rows,
                best[2], best[3], best[4], best[5], best[6], bestIou, person[0], person[1], person[2], person[3]);
        for (int r = 0; r < Math.min(rows, 5); r++) {
            System.out.println("  " + Arrays.toString(Arrays.copyOfRange(y, r * 7, r * 7 + 7)));
        }
    }

    /** The tensors feeding 2003's post-processing, per level (stride 8 to 128): scores [N, 3] and box regressions [N, 4]. */
    static final List<String> TRUNK_2003 = List.of("Mul_677", "Reshape_671", "Mul_893", "Reshape_887", "Mul_1109",
            "Reshape_1103", "Mul_1325", "Reshape_1319", "Mul_1541", "Reshape_1535");

    /**
     * 2003's post-processing ends in NonMaxSuppression-9, whose output has a data-dependent size,
     * which a static graph cannot express: read up to the tensors feeding it and run the quantized
     * trunk (MobileNetV2 + ATSS head: FakeQuantize, Clamp, MVN, Interpolate, Gather of the batch).
     */
    @Test
    void detection2003TrunkRunsUpToThePostProcessing() throws Exception {
        Path xml = OMZ.resolve("person-vehicle-bike-detection-2003/FP16-INT8/person-vehicle-bike-detection-2003.xml");
        IrFormatException whole = assertThrows(IrFormatException.class, () -> IrReader.read(xml));
        assertTrue(whole.getMessage().endsWith("of type TopK (opset3) is not supported"), whole.getMessage());
        Graph g = IrReader.readUpTo(xml, TRUNK_2003);
        assertEquals(TRUNK_2003, g.outputs());
        assertArrayEquals(new long[] {1, 3, 480, 864}, g.inputs().get(0).shape());
        assertEquals(40, g.nodesOf(Op.Mvn.class).size());
        assertTrue(g.nodesOf(Op.FakeQuantize.class).size() > 100, g.nodesOf(Op.FakeQuantize.class).size() + " FakeQuantize");
        long[] cells = {60 * 108 * 3, 30 * 54 * 3, 15 * 27 * 3, 8 * 14 * 3, 4 * 7 * 3};
        Map<String, long[]> shapes = ShapeInference.inferWithBatchOne(g);
        for (int i = 0; i < cells.length; i++) {
            assertArrayEquals(new long[] {cells[i], 3}, shapes.get(TRUNK_2003.get(2 * i)));
            assertArrayEquals(new long[] {cells[i], 4}, shapes.get(TRUNK_2003.get(2 * i + 1)));
        }
        float[] image = bgrChw(IMAGE, 480, 864);
        double bestPerson = 0;
        double maxOther = 0;
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(g, m)) {
            Map<String, NDArray> out = ex.run(Map.of("image", m.create(image, new Shape(1, 3, 480, 864))), TRUNK_2003,
                    GraphExecutor.Mode.INFERENCE);
            for (int i = 0; i < cells.length; i++) {
                NDArray scores = out.get(TRUNK_2003.get(2 * i));
                NDArray boxes = out.get(TRUNK_2003.get(2 * i + 1));
                assertArrayEquals(new long[] {cells[i], 3}, scores.getShape().getShape());
                assertArrayEquals(new long[] {cells[i], 4}, boxes.getShape().getShape());
                float[] s = scores.toFloatArray();
                for (int k = 0; k < s.length; k++) {
                    // sigmoid(class) x sigmoid(centerness)
                    assertTrue(s[k] >= 0 && s[k] <= 1, "score " + s[k] + " at level " + i);
                    if (k % 3 == PERSON) {
                        bestPerson = Math.max(bestPerson, s[k]);
                    } else {
                        maxOther = Math.max(maxOther, s[k]);
                    }
                }
                for (float v : boxes.toFloatArray()) {
                    assertTrue(Float.isFinite(v), "box regression " + v + " at level " + i);
                }
            }
        }
        System.out.printf(Locale.ROOT, "person-vehicle-bike-detection-2003 trunk on 000000000036: %d nodes; best person score"
                + " %.3f, best other class %.3f%n", g.nodes().size(), bestPerson, maxOther);
        assertTrue(bestPerson > 0.3 && bestPerson > maxOther, "person " + bestPerson + ", others " + maxOther);
    }
}
