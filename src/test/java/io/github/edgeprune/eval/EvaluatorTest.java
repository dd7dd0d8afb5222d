package io.github.edgeprune.eval;

import io.github.edgeprune.testing.TestData;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.data.Letterbox;
import io.github.edgeprune.data.OpenCv;
import io.github.edgeprune.data.Sample;

import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

class EvaluatorTest {

    static final int IMGSZ = 320;
    private static DataSet cocoCache;

    /** COCO128, loaded once; the tests that need it skip when the shared data is absent. */
    static synchronized DataSet coco() {
        if (cocoCache == null) {
            cocoCache = DataSet.load(TestData.coco128Yaml(), "val", false, Log.silent());
        }
        return cocoCache;
    }

    /**
     * Returns the labels themselves as raw rows in letterboxed pixels (x * w + dw, as val.py places
     * labels), objectness 0.9 and a one-hot class score, for the labels {@code keep} accepts
     * (sample index, label index). It counts images to know which sample each one is.
     */
    static final class GroundTruthPredictor implements Predictor {
        final DataSet ds;
        final BiPredicate<Integer, Integer> keep;
        int next;

        GroundTruthPredictor(DataSet ds, BiPredicate<Integer, Integer> keep) {
            this.ds = ds;
            this.keep = keep;
        }

        @Override
        public float[][] predict(float[] images, int batch, int height, int width) {
            assertEquals(batch * 3 * height * width, images.length);
            int nc = ds.nc();
            float[][] out = new float[batch][];
            for (int b = 0; b < batch; b++, next++) {
                Sample s = ds.samples().get(next);
                Letterbox lb = Letterbox.of(s.height(), s.width(), height);
                List<float[]> rows = new ArrayList<>();
                for (int l = 0; l < s.labels().length; l++) {
                    if (!keep.test(next, l)) {
                        continue;
                    }
                    float[] lab = s.labels()[l];
                    float[] row = new float[5 + nc];
                    row[0] = (float) (lab[1] * lb.w() + lb.padW());
                    row[1] = (float) (lab[2] * lb.h() + lb.padH());
                    row[2] = lab[3] * lb.w();
                    row[3] = lab[4] * lb.h();
                    row[4] = 0.9f;
                    row[5 + (int) lab[0]] = 1f;
                    rows.add(row);
                }
                out[b] = new float[rows.size() * (5 + nc)];
                for (int i = 0; i < rows.size(); i++) {
                    System.arraycopy(rows.get(i), 0, out[b], i * (5 + nc), 5 + nc);
                }
            }
            return out;
        }

        @Override
        public int classes() {
            return ds.nc();
        }
    }

    /** Same-class COCO128 labels overlap up to IoU 0.87: NMS at 0.9 keeps every label. */
    static EvalSettings settings() {
        return EvalSettings.defaults().withImgsz(IMGSZ).withIou(0.9);
    }

    /**
     * Perfect detections: every class reaches recall 1 at precision 1, which YOLOv5's compute_ap
     * scores 0.995, not 1 (the sentinel point (1, 0) is the value at recall 1 of the 101-point
     * sampling), at every IoU threshold.
     */
    @Test
    void perfectDetections() {
        DataSet coco = coco();
        EvaluationResult r = Evaluator.evaluate(coco, new GroundTruthPredictor(coco, (i, l) -> true), settings(),
                Progress.silent());
        assertEquals(128, r.images());
        assertEquals(929, r.instances());
        assertEquals(0.995, r.map50(), 1e-9);
        assertEquals(0.995, r.map50_95(), 1e-9);
        assertEquals(1.0, r.precision(), 1e-9);
        assertEquals(1.0, r.recall(), 1e-9);
        assertEquals(71, r.classes().size());
        assertEquals(128, r.detections().size());
        assertEquals(0, r.detections().get(coco.samples().indexOf(coco.backgroundImages().get(0))).size());
        System.out.print(r.table(coco.names(), false));
    }

    /**
     * Half the labels of each class (the 1st, 3rd, 5th... in data set order) detected, no false
     * positive. Class c with n labels reaches recall k/n, k = ceil(n/2), at precision 1; its curve is
     * 1 up to that recall and then falls straight to 0 at recall 1. Sampled at 0, .01, ... 1 and
     * integrated with trapezoids; mAP is the mean over the 71 classes. P is 1 and R the mean of k/n.
     */
    @Test
    void halfTheLabels() {
        DataSet coco = coco();
        int[] seenOfClass = new int[80];
        boolean[][] kept = new boolean[coco.size()][];
        for (int i = 0; i < coco.size(); i++) {
            float[][] labels = coco.samples().get(i).labels();
            kept[i] = new boolean[labels.length];
            for (int l = 0; l < labels.length; l++) {
                kept[i][l] = seenOfClass[(int) labels[l][0]]++ % 2 == 0;
            }
        }
        int[] n = coco.instancesPerClass();
        double apSum = 0;
        double recallSum = 0;
        int classes = 0;
        for (int c = 0; c < 80; c++) {
            if (n[c] == 0) {
                continue;
            }
            classes++;
            double rc = (double) ((n[c] + 1) / 2) / n[c];
            recallSum += rc;
            double ap = 0;
            for (int i = 0; i < 100; i++) {
                ap += 0.01 * (curve(i / 100.0, rc) + curve((i + 1) / 100.0, rc)) / 2;
            }
            apSum += ap;
        }
        double expected = apSum / classes;
        EvaluationResult r = Evaluator.evaluate(coco, new GroundTruthPredictor(coco, (i, l) -> kept[i][l]),
                settings().withBatch(5), Progress.silent()); // 128 = 25 x 5 + 3: a short last batch
        System.out.printf("half the labels: mAP50 %.6f (expected %.6f), mAP50-95 %.6f, R %.6f%n",
                r.map50(), expected, r.map50_95(), r.recall());
        assertEquals(expected, r.map50(), 1e-9);
        assertEquals(expected, r.map50_95(), 1e-9);
        assertEquals(1.0, r.precision(), 1e-9);
        assertEquals(recallSum / classes, r.recall(), 1e-9);
        assertEquals(929, r.instances());

        // the same detections sent back by a device give the same numbers without a predictor
        EvaluationResult again = Evaluator.evaluateDetections(coco, r.detections(), settings());
        assertEquals(r.map50(), again.map50());
        assertEquals(r.map50_95(), again.map50_95());
        assertEquals(r.precision(), again.precision());
        assertEquals(r.recall(), again.recall());
    }

    /** Precision envelope of a class found up to recall rc with no false positive. */
    static double curve(double x, double rc) {
        if (rc >= 1) {
            return x >= 1 ? 0 : 1;
        }
        return x <= rc ? 1 : (1 - x) / (1 - rc);
    }

    @Test
    void jsonAndTable() {
        DataSet coco = coco();
        EvaluationResult r = Evaluator.evaluate(coco, new GroundTruthPredictor(coco, (i, l) -> true), settings(),
                Progress.silent());
        r.with("model", "yolov5n.xml").with("data", "coco128.yaml");
        JsonObject o = JsonParser.parseString(r.toJson()).getAsJsonObject();
        assertEquals("yolov5n.xml", o.get("model").getAsString());
        for (String k : List.of("precision", "recall", "map50", "map50_95", "images", "instances", "ms_preprocess",
                "ms_inference", "ms_nms", "imgsz")) {
            assertTrue(o.has(k), k);
        }
        assertEquals(0.995, o.get("map50").getAsDouble(), 1e-9);
        assertEquals(320, o.get("imgsz").getAsInt());
        assertEquals(71, o.getAsJsonArray("classes").size());
        assertTrue(r.msPreprocess() > 0);
        String table = r.table(coco.names(), true);
        String[] lines = table.split("\n");
        assertEquals("                 Class     Images  Instances          P          R      mAP50   mAP50-95", lines[0]);
        assertEquals("                   all        128        929          1          1      0.995      0.995", lines[1]);
        // person: 254 labels in 61 images
        assertEquals("                person         61        254          1          1      0.995      0.995", lines[2]);
        assertEquals(1 + 1 + 71 + 1, lines.length);
        assertTrue(lines[lines.length - 1].startsWith("Speed: "), lines[lines.length - 1]);
    }

    @Test
    void pythonG() {
        assertEquals("0.995", EvaluationResult.g3(0.995));
        assertEquals("1", EvaluationResult.g3(0.99999));
        assertEquals("0.0123", EvaluationResult.g3(0.012345));
        assertEquals("0", EvaluationResult.g3(0));
        assertEquals("0.5", EvaluationResult.g3(0.5));
        assertEquals("1.23e-05", EvaluationResult.g3(0.0000123456));
        assertEquals("123", EvaluationResult.g3(123.4));
        assertEquals("1.23e+03", EvaluationResult.g3(1234));
    }

    @Test
    void classCountMustMatch() {
        DataSet coco = coco();
        Predictor wrong = new Predictor() {
            @Override
            public float[][] predict(float[] images, int batch, int height, int width) {
                return new float[batch][0];
            }

            @Override
            public int classes() {
                return 5;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(coco, wrong, settings(), Progress.silent()));
    }

    /** Images reach the predictor in data set order, letterboxed, RGB planes, 0..1. */
    @Test
    void imagesArriveInOrderAsChwRgb(@TempDir Path tmp) throws IOException {
        OpenCv.load();
        double[][] bgr = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path p = tmp.resolve("img" + i + ".png");
            Mat m = new Mat(32, 64, CvType.CV_8UC3, new Scalar(bgr[i]));
            Imgcodecs.imwrite(p.toString(), m);
            m.release();
            samples.add(new Sample(p, tmp.resolve("img" + i + ".txt"), new float[0][], 32, 64));
        }
        DataSet ds = DataSet.of(List.of("a"), samples);
        List<float[]> seen = new ArrayList<>();
        Predictor p = new Predictor() {
            @Override
            public float[][] predict(float[] images, int batch, int height, int width) {
                int plane = height * width;
                for (int b = 0; b < batch; b++) {
                    int center = b * 3 * plane + (height / 2) * width + width / 2;
                    seen.add(new float[] {images[center], images[center + plane], images[center + 2 * plane],
                            images[b * 3 * plane]});
                }
                return new float[batch][0];
            }

            @Override
            public int classes() {
                return 1;
            }
        };
        EvaluationResult r = Evaluator.evaluate(ds, p, EvalSettings.defaults().withImgsz(64).withBatch(2), Progress.silent());
        float gray = 114 / 255f;
        assertArrayEquals(new float[] {0, 0, 1, gray}, seen.get(0)); // blue (BGR 255,0,0) as RGB
        assertArrayEquals(new float[] {0, 1, 0, gray}, seen.get(1));
        assertArrayEquals(new float[] {1, 0, 0, gray}, seen.get(2));
        assertEquals(3, r.images());
        assertEquals(0, r.map50());
    }
}
