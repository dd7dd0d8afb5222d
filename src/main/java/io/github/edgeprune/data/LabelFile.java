package io.github.edgeprune.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads and checks one YOLO label file, as Ultralytics' {@code verify_image_label} does, but
 * reporting every problem as {@code file:line: reason} instead of stopping at the first.
 *
 * <p>Each non-blank line is {@code class x y w h} (normalised centre and size). When any line has
 * more than 6 fields the file holds polygons ({@code class x1 y1 x2 y2 ...}), each turned into its
 * bounding box as Ultralytics does; then every line must be a polygon of at least 3 points.
 * Values are kept as float32, like numpy's label arrays, and checked as such: class an integer in
 * {@code 0..nc-1}, coordinates finite and in [0,1], sizes not negative. Rows that repeat exactly
 * are dropped with a warning (the remaining rows then come sorted, as numpy's {@code unique}
 * leaves them).
 */
public final class LabelFile {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    private static final String[] BOX_FIELDS = {"x", "y", "width", "height"};

    /** What a label file holds: rows {cls, cx, cy, w, h}, and what was wrong or odd with it. */
    public record Result(float[][] rows, List<String> problems, List<String> warnings) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private LabelFile() {
    }

    /** Reads a label file; a missing file is an image without objects (no rows, no problem). */
    public static Result read(Path file, int nc) {
        if (!Files.exists(file)) {
            return new Result(new float[0][], List.of(), List.of());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            return new Result(new float[0][], List.of(file + ": not a text file (not UTF-8)"), List.of());
        } catch (IOException e) {
            return new Result(new float[0][], List.of(file + ": cannot read: " + e.getMessage()), List.of());
        }
        return parse(file.toString(), text, nc);
    }

    /** Parses label text; {@code where} names the file in messages. */
    public static Result parse(String where, String text, int nc) {
        String[] lines = text.split("\\R", -1);
        List<String[]> fields = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        boolean polygons = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            fields.add(f);
            lineNumbers.add(i + 1);
            polygons |= f.length > 6;
        }

        List<String> problems = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (int k = 0; k < fields.size(); k++) {
            String[] f = fields.get(k);
            String at = where + ":" + lineNumbers.get(k) + ": ";
            if (polygons ? (f.length < 7 || f.length % 2 == 0) : f.length != 5) {
                problems.add(at + (polygons
                        ? "expected a class and at least 3 x y points (the file has polygon rows), found " + f.length + " fields"
                        : "expected 5 fields (class x y width height), found " + f.length));
                continue;
            }
            int before = problems.size();
            float cls = classValue(f[0], nc, at, problems);
            float[] values = new float[f.length - 1];
            for (int j = 1; j < f.length; j++) {
                String name = polygons ? ((j % 2 == 1 ? "x" : "y") + ((j + 1) / 2)) : BOX_FIELDS[j - 1];
                values[j - 1] = coordinate(f[j], name, !polygons && j >= 3, at, problems);
            }
            if (problems.size() > before) {
                continue;
            }
            rows.add(polygons ? polygonRow(cls, values) : new float[] {cls, values[0], values[1], values[2], values[3]});
        }

        List<String> warnings = new ArrayList<>();
        float[][] result = rows.toArray(new float[0][]);
        if (problems.isEmpty()) {
            float[][] unique = unique(result);
            if (unique.length < result.length) {
                warnings.add(where + ": " + (result.length - unique.length) + " duplicate labels removed");
                result = unique;
            }
        }
        return new Result(problems.isEmpty() ? result : new float[0][], List.copyOf(problems), List.copyOf(warnings));
    }

    private static float classValue(String s, int nc, String at, List<String> problems) {
        if (!NUMBER.matcher(s).matches()) {
            problems.add(at + "class '" + s + "' is not an integer");
            return Float.NaN;
        }
        double d = Double.parseDouble(s);
        float v = (float) d;
        if (v != Math.rint(v)) {
            problems.add(at + "class '" + s + "' is not an integer");
            return Float.NaN;
        }
        if (v < 0 || v > nc - 1) {
            problems.add(at + "class " + s + " outside 0.." + (nc - 1));
            return Float.NaN;
        }
        return v;
    }

    private static float coordinate(String s, String name, boolean size, String at, List<String> problems) {
        if (NON_FINITE.matcher(s).matches()) {
            problems.add(at + name + " '" + s + "' is not a finite number");
            return Float.NaN;
        }
        if (!NUMBER.matcher(s).matches()) {
            problems.add(at + name + " '" + s + "' is not a number");
            return Float.NaN;
        }
        float v = (float) Double.parseDouble(s);
        if (Float.isInfinite(v)) {
            problems.add(at + name + " '" + s + "' is not a finite number");
        } else if (size && v < 0) {
            problems.add(at + "negative size: " + name + " " + s);
        } else if (v < 0 || v > 1) {
            problems.add(at + name + " " + s + " outside [0,1]");
        }
        return v;
    }

    /** Ultralytics' segments2boxes: the polygon's bounding box as centre and size, in float32. */
    private static float[] polygonRow(float cls, float[] xy) {
        float x1 = Float.POSITIVE_INFINITY, y1 = Float.POSITIVE_INFINITY;
        float x2 = Float.NEGATIVE_INFINITY, y2 = Float.NEGATIVE_INFINITY;
        for (int i = 0; i + 1 < xy.length; i += 2) {
            x1 = Math.min(x1, xy[i]);
            x2 = Math.max(x2, xy[i]);
            y1 = Math.min(y1, xy[i + 1]);
            y2 = Math.max(y2, xy[i + 1]);
        }
        return new float[] {cls, (x1 + x2) / 2f, (y1 + y2) / 2f, x2 - x1, y2 - y1};
    }

    /** numpy.unique(rows, axis=0): distinct rows, sorted lexicographically. */
    static float[][] unique(float[][] rows) {
        float[][] sorted = rows.clone();
        Arrays.sort(sorted, LabelFile::compareRows);
        List<float[]> out = new ArrayList<>();
        for (float[] r : sorted) {
            if (out.isEmpty() || compareRows(out.get(out.size() - 1), r) != 0) {
                out.add(r);
            }
        }
        return out.size() == rows.length ? rows : out.toArray(new float[0][]);
    }

    private static int compareRows(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] < b[i]) {
                return -1;
            }
            if (a[i] > b[i]) {
                return 1;
            }
        }
        return 0;
    }
}
