package io.github.edgeprune.eval;

import io.github.edgeprune.testing.TestData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.data.Letterbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** NMS and scale_boxes against Ultralytics' own detections for two COCO128 images at imgsz 320. */
class NmsReferenceTest {

    static List<float[]> readDetections(Path file) throws IOException {
        List<float[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            float[] r = new float[6];
            for (int i = 0; i < 6; i++) {
                r[i] = Float.parseFloat(f[i]);
            }
            rows.add(r);
        }
        return rows;
    }

    @ParameterizedTest
    @CsvSource({"000000000009, 480, 640", "000000000034, 425, 640"})
    void reproducesUltralyticsDetections(String id, int h0, int w0) throws IOException {
        Path ref = TestData.reference();
        float[] raw = TestData.floats(ref.resolve(id + ".output.f32"));
        assertEquals(6300 * 85, raw.length);
        List<float[]> expected = readDetections(ref.resolve(id + ".detections.txt"));

        Detections d = Nms.run(raw, 85, EvalSettings.defaults().withImgsz(320));
        // the reference file was scaled as detect.py does (no ratio_pad); see Boxes.toOriginalFromShape
        Detections scaled = Boxes.toOriginalFromShape(d, Letterbox.of(h0, w0, 320));
        assertEquals(expected.size(), scaled.size(), "number of detections");
        double maxBox = 0;
        double maxConf = 0;
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i);
            assertEquals((int) e[5], scaled.cls(i), "class of detection " + i);
            maxBox = Math.max(maxBox, Math.abs(e[0] - scaled.x1(i)));
            maxBox = Math.max(maxBox, Math.abs(e[1] - scaled.y1(i)));
            maxBox = Math.max(maxBox, Math.abs(e[2] - scaled.x2(i)));
            maxBox = Math.max(maxBox, Math.abs(e[3] - scaled.y2(i)));
            maxConf = Math.max(maxConf, Math.abs(e[4] - scaled.conf(i)));
        }
        System.out.printf("NMS %s: %d detections agree; max box difference %.5f px (file has 3 decimals), "
                + "max conf difference %.2e (file has 6 decimals)%n", id, expected.size(), maxBox, maxConf);
        assertTrue(maxBox <= 1e-3, "box difference " + maxBox);
        assertTrue(maxConf <= 1e-5, "conf difference " + maxConf);
    }

    /** Speed on a COCO-sized output: 25200 rows x 85 at 640, made by tiling the real 320 output. */
    @Test
    void fastOnFullSizeOutput() {
        Path ref = TestData.reference();
        float[] small = TestData.floats(ref.resolve("000000000009.output.f32"));
        float[] big = new float[25200 * 85];
        for (int k = 0; k < 4; k++) { // four copies of the 320 output, shifted into the four quadrants
            for (int r = 0; r < 6300; r++) {
                int src = r * 85;
                int dst = (k * 6300 + r) * 85;
                System.arraycopy(small, src, big, dst, 85);
                big[dst] += (k % 2) * 320;
                big[dst + 1] += (k / 2) * 320;
            }
        }
        EvalSettings s = EvalSettings.defaults();
        for (int i = 0; i < 30; i++) { // warm up
            Nms.run(big, 85, s);
        }
        int runs = 100;
        long t0 = System.nanoTime();
        int kept = 0;
        for (int i = 0; i < runs; i++) {
            kept += Nms.run(big, 85, s).size();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / runs;
        System.out.printf("NMS on [25200, 85]: %.2f ms per image (%d kept)%n", ms, kept / runs);
        assertEquals(300, kept / runs);
        // a guard against a quadratic blow-up, not a benchmark (that is bench/): about 1 ms here when quiet
        assertTrue(ms < 1000, "NMS took " + ms + " ms per image");
    }
}
