package io.github.edgeprune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelFileTest {

    static List<String> problems(String text) {
        return LabelFile.parse("f.txt", text, 3).problems();
    }

    @Test
    void goodFile() {
        LabelFile.Result r = LabelFile.parse("f.txt", "0 0.5 0.5 0.2 0.1\n\n2 1 0 1 1\r\n", 3);
        assertTrue(r.ok());
        assertEquals(2, r.rows().length);
        assertArrayEquals(new float[] {2, 1, 0, 1, 1}, r.rows()[1]);
        assertTrue(r.warnings().isEmpty());
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() {
        String text = String.join("\n",
                "0 0.5 0.5 0.1 0.1", // 1 ok
                "5 0.5 0.5 0.1 0.1", // 2 class outside
                "0 0.5 0.5 0.1", // 3 field count
                "1.5 0.5 0.5 0.1 0.1", // 4 class not integer
                "0 abc 0.5 0.1 0.1", // 5 not a number
                "", // 6 blank: skipped, but counted
                "0 1.2 0.5 0.1 0.1", // 7 outside [0,1]
                "0 nan 0.5 0.1 0.1", // 8 not finite
                "0 0.5 0.5 -0.1 0.1", // 9 negative size
                "0 0.5 0.5 0.1 inf", // 10 not finite
                "-1 0.5 0.5 0.1 0.1", // 11 class outside
                "x 0.5 0.5 0.1 0.1", // 12 class not a number
                "0 0.5 0.5 0.1 0.1 0.9", // 13 six fields
                "0 0.5 -0.01 0.1 0.1", // 14 outside
                "1 0.5 0.5 0.1 0.1f"); // 15 Java-style float literal: not a number
        List<String> p = problems(text);
        assertEquals(List.of(
                "f.txt:2: class 5 outside 0..2",
                "f.txt:3: expected 5 fields (class x y width height), found 4",
                "f.txt:4: class '1.5' is not an integer",
                "f.txt:5: x 'abc' is not a number",
                "f.txt:7: x 1.2 outside [0,1]",
                "f.txt:8: x 'nan' is not a finite number",
                "f.txt:9: negative size: width -0.1",
                "f.txt:10: height 'inf' is not a finite number",
                "f.txt:11: class -1 outside 0..2",
                "f.txt:12: class 'x' is not an integer",
                "f.txt:13: expected 5 fields (class x y width height), found 6",
                "f.txt:14: y -0.01 outside [0,1]",
                "f.txt:15: height '0.1f' is not a number"), p);
    }

    @Test
    void severalProblemsOnOneLine() {
        assertEquals(List.of("f.txt:1: class 7 outside 0..2", "f.txt:1: x 2 outside [0,1]", "f.txt:1: negative size: height -1"),
                problems("7 2 0.5 0.1 -1"));
    }

    @Test
    void integralClassWrittenAsFloatIsAccepted() {
        assertTrue(problems("2.0 0.5 0.5 0.1 0.1\n1e0 0.5 0.5 0.1 0.1").isEmpty());
    }

    @Test
    void float32RoundingDecidesTheRange() {
        // numpy checks the float32 value: 1.00000001 is 1.0f and passes
        assertTrue(problems("0 1.00000001 0.5 0.1 0.1").isEmpty());
        assertEquals(1, problems("0 1.0001 0.5 0.1 0.1").size());
    }

    @Test
    void duplicatesAreRemovedWithAWarning() {
        LabelFile.Result r = LabelFile.parse("f.txt", "1 0.5 0.5 0.1 0.1\n0 0.2 0.2 0.1 0.1\n1 0.5 0.5 0.1 0.1\n", 3);
        assertTrue(r.ok());
        assertEquals(List.of("f.txt: 1 duplicate labels removed"), r.warnings());
        // numpy.unique leaves the rows sorted
        assertArrayEquals(new float[][] {{0, 0.2f, 0.2f, 0.1f, 0.1f}, {1, 0.5f, 0.5f, 0.1f, 0.1f}}, r.rows());
    }

    @Test
    void polygonsBecomeBoxes() {
        LabelFile.Result r = LabelFile.parse("f.txt", "1 0.1 0.2 0.5 0.2 0.3 0.6\n", 3);
        assertTrue(r.ok(), r.problems().toString());
        float[] row = r.rows()[0];
        assertEquals(1, row[0]);
        assertEquals(0.3f, row[1], 1e-7f); // x from .1 to .5
        assertEquals(0.4f, row[2], 1e-7f); // y from .2 to .6
        assertEquals(0.4f, row[3], 1e-7f);
        assertEquals(0.4f, row[4], 1e-7f);
        // in a polygon file a box row or an odd coordinate count is a problem
        assertEquals(List.of("f.txt:2: expected a class and at least 3 x y points (the file has polygon rows), found 5 fields",
                "f.txt:3: expected a class and at least 3 x y points (the file has polygon rows), found 8 fields",
                "f.txt:4: y2 1.5 outside [0,1]"),
                problems("1 0.1 0.2 0.5 0.2 0.3 0.6\n0 0.5 0.5 0.1 0.1\n0 .1 .1 .2 .2 .3 .3 .4\n0 .1 .1 .2 1.5 .3 .3"));
    }

    @Test
    void missingFileIsBackground() {
        LabelFile.Result r = LabelFile.read(java.nio.file.Path.of("/nonexistent/labels/x.txt"), 3);
        assertTrue(r.ok());
        assertEquals(0, r.rows().length);
    }

    @Test
    void labelPathRule() {
        assertEquals(java.nio.file.Path.of("/d/images/x/labels/train/a.txt"),
                ImageFiles.labelFor(java.nio.file.Path.of("/d/images/x/images/train/a.jpg")));
        assertEquals(java.nio.file.Path.of("/d/pics/a.b.txt"), ImageFiles.labelFor(java.nio.file.Path.of("/d/pics/a.b.png")));
    }
}
