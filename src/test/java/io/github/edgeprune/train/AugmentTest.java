package io.github.edgeprune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.data.DataSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/** The training image pipeline: label bookkeeping, YOLOv5's box filter, repeatability. */
class AugmentTest {

    @TempDir
    static Path tmp;

    private static TrainData data;

    @BeforeAll
    static void data() throws IOException {
        data = TrainData.of(DataSet.load(ShapesDataset.generate(tmp, 8, 1, 64, 5), "train"));
    }

    @Test
    void boxCandidatesAsYolov5() {
        // unchanged 10x10 box: kept
        assertTrue(Augment.boxCandidate(0, 0, 10, 10, 5, 5, 15, 15, 0.1));
        // 2 px wide after augmentation: dropped (must be wider than 2)
        assertFalse(Augment.boxCandidate(0, 0, 10, 10, 5, 5, 7, 15, 0.1));
        // 9% of its (scaled) area left: dropped; 11%: kept
        assertFalse(Augment.boxCandidate(0, 0, 100, 100, 0, 0, 30, 30, 0.1));
        assertTrue(Augment.boxCandidate(0, 0, 100, 100, 0, 0, 33.2, 33.2, 0.1));
        // aspect ratio 120: dropped
        assertFalse(Augment.boxCandidate(0, 0, 300, 3, 0, 0, 300, 2.5, 0.01));
    }

    @Test
    void withoutAugmentationTheImageAndLabelsComeThroughUnchanged() throws IOException {
        Hyp none = Hyp.fromMap(Map.of("mosaic", 0, "scale", 0, "translate", 0, "hsv_h", 0, "hsv_s", 0, "hsv_v", 0,
                "fliplr", 0), "test");
        Augment a = new Augment(data, 64, none);
        Augment.Tensor t = a.sample(0, new SplittableRandom(1));
        Mat img = Imgcodecs.imread(data.image(0).toString());
        assertArrayEquals(Augment.toChwRgb(img), t.chw());
        img.release();
        float[][] expected = data.labels(0);
        assertEquals(expected.length, t.labels().length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], t.labels()[i], 1e-5f);
        }
        // left-right flip mirrors x only
        Hyp flip = Hyp.fromMap(Map.of("mosaic", 0, "scale", 0, "translate", 0, "hsv_h", 0, "hsv_s", 0, "hsv_v", 0,
                "fliplr", 1), "test");
        Augment.Tensor f = new Augment(data, 64, flip).sample(0, new SplittableRandom(1));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(1 - expected[i][1], f.labels()[i][1], 1e-5);
            assertEquals(expected[i][2], f.labels()[i][2], 1e-5);
        }
    }

    @Test
    void mosaicSamplesAreRepeatableAndLabelsStayInTheImage() throws IOException {
        Augment a = new Augment(data, 64, Hyp.defaults());
        int boxes = 0;
        for (int k = 0; k < 16; k++) {
            Augment.Tensor t1 = a.sample(k % data.size(), TrainLoader.rng(3, 0, k));
            Augment.Tensor t2 = a.sample(k % data.size(), TrainLoader.rng(3, 0, k));
            assertEquals(3 * 64 * 64, t1.chw().length);
            assertArrayEquals(t1.chw(), t2.chw(), "same seed, same pixels");
            assertEquals(t1.labels().length, t2.labels().length);
            for (float[] l : t1.labels()) {
                assertTrue(l[0] >= 0 && l[0] < 3 && l[0] == Math.rint(l[0]), Arrays.toString(l));
                for (int c = 1; c < 5; c++) {
                    assertTrue(l[c] >= 0 && l[c] <= 1, Arrays.toString(l));
                }
                assertTrue(l[3] * 64 > 2 && l[4] * 64 > 2, "box_candidates keeps boxes wider and higher than 2 px");
                boxes++;
            }
        }
        assertTrue(boxes > 8, "mosaics carry labels: " + boxes);
        assertFalse(Arrays.equals(a.sample(0, TrainLoader.rng(3, 0, 0)).chw(), a.sample(0, TrainLoader.rng(3, 1, 0)).chw()),
                "another epoch, another augmentation");
    }

    @Test
    void epochOrderIsASeededPermutation() {
        int[] o = TrainLoader.order(50, 9, 2);
        assertArrayEquals(o, TrainLoader.order(50, 9, 2));
        assertFalse(Arrays.equals(o, TrainLoader.order(50, 9, 3)));
        int[] sorted = o.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void hypYamlKeysAreCheckedByName() {
        Hyp h = Hyp.fromMap(Map.of("lr0", 0.02, "iou_t", 0.2, "mixup", 0.0), "hyp.yaml");
        assertEquals(0.02, h.lr0());
        assertEquals(0.01, h.lrf());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Hyp.fromMap(Map.of("mixup", 0.1), "hyp.yaml"));
        assertTrue(e.getMessage().contains("mixup"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Hyp.fromMap(Map.of("lr00", 0.1), "hyp.yaml"));
        assertTrue(e.getMessage().contains("unknown hyp 'lr00'"), e.getMessage());
    }
}
