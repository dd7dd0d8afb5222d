package io.github.edgeprune.data;

import io.github.edgeprune.testing.TestData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PreprocessorTest {

    /** Ultralytics' own input tensors (OpenCV 4.6 there, 4.9 here): at most one gray level apart. */
    @ParameterizedTest
    @ValueSource(strings = {"000000000009", "000000000034"})
    void equalsUltralyticsInput(String id) {
        Path ref = TestData.reference();
        Path image = TestData.root().resolve("coco128/images/train2017/" + id + ".jpg");
        float[] expected = TestData.floats(ref.resolve(id + ".input.f32"));
        Preprocessor.PreprocessedImage p = Preprocessor.preprocess(image, 320);
        assertEquals(expected.length, p.chw().length);
        double maxDiff = 0;
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - p.chw()[i]);
            maxDiff = Math.max(maxDiff, d);
            if (d > 0) {
                differing++;
            }
        }
        System.out.printf("pre-processing %s: max abs difference %.6f (%.2f/255), %d of %d values differ%n",
                id, maxDiff, maxDiff * 255, differing, expected.length);
        assertTrue(maxDiff <= 1 / 255.0 + 1e-7, "max abs difference " + maxDiff);
    }

    @Test
    void letterboxGeometry() {
        // 640x480 at 320: r = 0.5, 320x240, dh = 40 -> 40 rows above and below
        Letterbox a = Letterbox.of(480, 640, 320);
        assertEquals(240, a.h());
        assertEquals(320, a.w());
        assertEquals(40.0, a.padH());
        assertEquals(40, a.top());
        assertEquals(0, a.left());
        // 640x425 at 320: h = int(212.5) = 212, dh = 54
        Letterbox b = Letterbox.of(425, 640, 320);
        assertEquals(212, b.h());
        assertEquals(54.0, b.padH());
        assertEquals(54, b.top());
        assertEquals(212.0 / 425, b.gain());
        // 427 wide, 640 high at 640: no resize, dw = 106.5 -> left round(106.4) = 106, right 107
        Letterbox c = Letterbox.of(640, 427, 640);
        assertEquals(427, c.w());
        assertEquals(106.5, c.padW());
        assertEquals(106, c.left());
        assertEquals(1.0, c.gain());
        // enlarging: 100x50 at 320: r = 3.2, 320x160
        Letterbox d = Letterbox.of(50, 100, 320);
        assertEquals(160, d.h());
        assertEquals(80, d.top());
        // int() truncation: 333x500 at 320: r = 0.64, w = int(213.12) = 213, dw = 53.5
        Letterbox e = Letterbox.of(500, 333, 320);
        assertEquals(213, e.w());
        assertEquals(53.5, e.padW());
        assertEquals(53, e.left());
    }

    @Test
    void paddingIsGray114AndChannelsAreRgb() {
        Path image = TestData.root().resolve("coco128/images/train2017/000000000009.jpg");
        Preprocessor.PreprocessedImage p = Preprocessor.preprocess(image, 320);
        float gray = 114 / 255f;
        for (int c = 0; c < 3; c++) {
            assertEquals(gray, p.chw()[c * 320 * 320], "top-left pixel of channel " + c);
            assertEquals(gray, p.chw()[c * 320 * 320 + 320 * 320 - 1], "bottom-right pixel of channel " + c);
        }
    }
}
