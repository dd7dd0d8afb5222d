package io.github.edgeprune.eval;

import java.util.Arrays;

/**
 * The detections of one image after NMS, best first: rows {@code x1, y1, x2, y2, conf, cls}
 * (corners in pixels, either of the letterboxed input or of the original image, as the producer
 * says). Immutable.
 */
public final class Detections {

    public static final int COLUMNS = 6;
    public static final Detections EMPTY = new Detections(new float[0]);

    private final float[] data;

    private Detections(float[] data) {
        this.data = data;
    }

    /** From rows {@code {x1, y1, x2, y2, conf, cls}}. */
    public static Detections of(float[][] rows) {
        float[] flat = new float[rows.length * COLUMNS];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != COLUMNS) {
                throw new IllegalArgumentException("detection row " + i + " has " + rows[i].length + " values, expected 6");
            }
            System.arraycopy(rows[i], 0, flat, i * COLUMNS, COLUMNS);
        }
        return new Detections(flat);
    }

    /** Takes the array without copying (for producers in this package). */
    static Detections wrap(float[] flat) {
        return new Detections(flat);
    }

    public int size() {
        return data.length / COLUMNS;
    }

    public float x1(int i) {
        return data[i * COLUMNS];
    }

    public float y1(int i) {
        return data[i * COLUMNS + 1];
    }

    public float x2(int i) {
        return data[i * COLUMNS + 2];
    }

    public float y2(int i) {
        return data[i * COLUMNS + 3];
    }

    public float conf(int i) {
        return data[i * COLUMNS + 4];
    }

    public int cls(int i) {
        return (int) data[i * COLUMNS + 5];
    }

    /** A copy of the flat {@code n * 6} values. */
    public float[] toArray() {
        return data.clone();
    }

    public float[][] toRows() {
        float[][] rows = new float[size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(data, i * COLUMNS, (i + 1) * COLUMNS);
        }
        return rows;
    }

    @Override
    public String toString() {
        return "Detections[" + size() + "]";
    }
}
