package io.github.edgeprune.data;

import io.github.edgeprune.testing.TestData;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

class DataSetTest {

    /** Collects warnings. */
    static final class Recorder implements Log {
        final List<String> warnings = new ArrayList<>();

        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
            warnings.add(message);
        }
    }

    @TempDir
    Path tmp;

    @BeforeAll
    static void opencv() {
        OpenCv.load();
    }

    static void image(Path p, int h, int w) throws IOException {
        Files.createDirectories(p.getParent());
        Mat m = new Mat(h, w, CvType.CV_8UC3, new Scalar(10, 120, 200));
        assertTrue(Imgcodecs.imwrite(p.toString(), m));
        m.release();
    }

    static void text(Path p, String s) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, s);
    }

    Path yaml(String body) throws IOException {
        Path y = tmp.resolve("data.yaml");
        Files.writeString(y, body);
        return y;
    }

    @Test
    void coco128() {
        DataSet ds = DataSet.load(TestData.coco128Yaml(), "val", false, Log.silent());
        assertEquals(128, ds.size());
        assertEquals(929, ds.instances());
        assertEquals(80, ds.nc());
        assertEquals("person", ds.names().get(0));
        assertEquals("toothbrush", ds.names().get(79));
        assertEquals(List.of("000000000250.jpg", "000000000508.jpg"),
                ds.backgroundImages().stream().map(s -> s.image().getFileName().toString()).toList());
        Sample first = ds.samples().get(0);
        assertEquals("000000000009.jpg", first.image().getFileName().toString());
        assertEquals(480, first.height());
        assertEquals(640, first.width());
        assertTrue(first.labelFile().toString().endsWith("labels/train2017/000000000009.txt"));
        // first row of 000000000009.txt: 45 0.479492 0.688771 0.955609 0.5955
        assertArrayEquals(new float[] {45, 0.479492f, 0.688771f, 0.955609f, 0.5955f}, first.labels()[0]);
        assertEquals(71, java.util.Arrays.stream(ds.instancesPerClass()).filter(n -> n > 0).count());
    }

    /** One bad data set with every kind of problem: one exception lists them all. */
    Path badDataSet() throws IOException {
        Path y = yaml("path: .\ntrain: images/train\nval: images/val\nnc: 3\nnames: [a, b, c]\n");
        Path images = tmp.resolve("images/val");
        Path labels = tmp.resolve("labels/val");
        image(images.resolve("a.jpg"), 32, 48);
        text(labels.resolve("a.txt"), "0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n0 0.5 0.5\n");
        image(images.resolve("b.png"), 20, 20);
        text(labels.resolve("b.txt"), "1 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1 0.1\n"); // duplicates: a warning only
        text(images.resolve("c.jpg"), "this is not a JPEG");
        image(images.resolve("d.jpg"), 16, 16); // no label file: background
        image(images.resolve("e.jpg"), 16, 16);
        text(labels.resolve("e.txt"), "\n\n2 0.5 1.5 0.1 0.1\n");
        image(images.resolve("f.bmp"), 5, 40); // too small
        text(images.resolve("notes.txt"), "not an image");
        return y;
    }

    @Test
    void allProblemsInOneException() throws IOException {
        Path y = badDataSet();
        Recorder log = new Recorder();
        DataSetException e = assertThrows(DataSetException.class, () -> DataSet.load(y, "val", false, log));
        Path labels = tmp.resolve("labels/val").toAbsolutePath();
        Path images = tmp.resolve("images/val").toAbsolutePath();
        List<String> expected = List.of(
                labels.resolve("a.txt") + ":2: class 3 outside 0..2",
                labels.resolve("a.txt") + ":3: expected 5 fields (class x y width height), found 3",
                images.resolve("c.jpg") + ": cannot decode image",
                labels.resolve("e.txt") + ":3: y 1.5 outside [0,1]",
                images.resolve("f.bmp") + ": image size 40x5 is under 10 pixels");
        assertEquals(expected, e.problems());
        assertTrue(e.getMessage().startsWith(y.toAbsolutePath() + " (val): 5 problems in 4 of 6 images"), e.getMessage());
        for (String p : expected) {
            assertTrue(e.getMessage().contains(p), "message lists " + p);
        }
        assertEquals(List.of(labels.resolve("b.txt") + ": 1 duplicate labels removed"), log.warnings);
    }

    @Test
    void skipCorruptLeavesBadImagesOutAndWarns() throws IOException {
        Path y = badDataSet();
        Recorder log = new Recorder();
        DataSet ds = DataSet.load(y, "val", true, log);
        assertEquals(List.of("b.png", "d.jpg"), ds.samples().stream().map(s -> s.image().getFileName().toString()).toList());
        assertEquals(1, ds.instances()); // b's duplicate removed
        assertEquals(1, ds.backgroundImages().size());
        assertEquals(7, log.warnings.size(), log.warnings.toString()); // duplicate + 5 problems + summary
        assertTrue(log.warnings.stream().anyMatch(w -> w.endsWith("c.jpg: cannot decode image")));
        assertTrue(log.warnings.stream().anyMatch(w -> w.endsWith("a.txt:2: class 3 outside 0..2")));
        assertTrue(log.warnings.get(6).contains("skipped 4 corrupt images of 6"), log.warnings.get(6));
    }

    @Test
    void ncNamesMismatch() throws IOException {
        Path y = yaml("val: images\nnc: 4\nnames: [a, b, c]\n");
        DataSetException e = assertThrows(DataSetException.class, () -> DataSet.load(y, "val"));
        assertEquals(y.toAbsolutePath() + ": nc is 4 but names has 3 entries", e.getMessage());
    }

    @Test
    void emptySplit() throws IOException {
        Files.createDirectories(tmp.resolve("images/val"));
        text(tmp.resolve("images/val/readme.txt"), "no images here");
        Path y = yaml("val: images/val\nnames: [a]\n");
        DataSetException e = assertThrows(DataSetException.class, () -> DataSet.load(y, "val"));
        assertTrue(e.getMessage().startsWith(y.toAbsolutePath() + " (val): no images found in"), e.getMessage());
    }

    @Test
    void missingSplitFolder() throws IOException {
        Path y = yaml("val: images/nowhere\nnames: [a]\n");
        DataSetException e = assertThrows(DataSetException.class, () -> DataSet.load(y, "val"));
        assertTrue(e.getMessage().contains(tmp.resolve("images/nowhere") + ": does not exist"), e.getMessage());
    }

    @Test
    void missingAndMalformedYaml() throws IOException {
        Path none = tmp.resolve("none.yaml");
        DataSetException e1 = assertThrows(DataSetException.class, () -> DataSet.load(none, "val"));
        assertEquals(none.toAbsolutePath() + ": data yaml does not exist", e1.getMessage());
        Path bad = yaml("val: [images\nnames: {");
        DataSetException e2 = assertThrows(DataSetException.class, () -> DataSet.load(bad, "val"));
        assertTrue(e2.getMessage().startsWith(bad.toAbsolutePath() + ": malformed yaml"), e2.getMessage());
        Path list = yaml("- a\n- b\n");
        DataSetException e3 = assertThrows(DataSetException.class, () -> DataSet.load(list, "val"));
        assertTrue(e3.getMessage().startsWith(list.toAbsolutePath() + ": malformed data yaml"), e3.getMessage());
        Path noVal = yaml("train: images\nnames: [a]\n");
        DataSetException e4 = assertThrows(DataSetException.class, () -> DataSet.load(noVal, "val"));
        assertEquals(noVal.toAbsolutePath() + ": no 'val' split (the yaml has train)", e4.getMessage());
    }

    @Test
    void namesAsMapSplitsAsListsAndTextFiles() throws IOException {
        image(tmp.resolve("sets/one/images/x.jpg"), 16, 16);
        text(tmp.resolve("sets/one/labels/x.txt"), "1 0.5 0.5 0.5 0.5\n");
        image(tmp.resolve("sets/two/images/sub/y.png"), 16, 16);
        image(tmp.resolve("sets/two/images/.hidden/z.png"), 16, 16);
        image(tmp.resolve("sets/three/images/w.jpg"), 16, 16);
        text(tmp.resolve("sets/val.txt"), "./three/images/w.jpg\n" + tmp.resolve("sets/one/images/x.jpg") + "\n");
        Path y = yaml("path: sets\ntrain: [one/images, two/images]\nval: val.txt\nnames:\n  0: cat\n  1: dog\n");
        DataSet train = DataSet.load(y, "train");
        assertEquals(List.of("cat", "dog"), train.names());
        assertEquals(List.of("x.jpg", "y.png"), train.samples().stream().map(s -> s.image().getFileName().toString()).toList());
        assertEquals(1, train.instances());
        DataSet val = DataSet.load(y, "val");
        assertEquals(List.of("x.jpg", "w.jpg"),
                val.samples().stream().map(s -> s.image().getFileName().toString()).toList()); // sorted by path: one < three
        Path gaps = yaml("val: sets/one/images\nnames:\n  0: cat\n  2: dog\n");
        assertThrows(DataSetException.class, () -> DataYaml.read(gaps));
    }
}
