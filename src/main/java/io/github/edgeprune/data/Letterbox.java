package io.github.edgeprune.data;

/**
 * The geometry of YOLOv5 v7.0's validation pre-processing of one image: the original size
 * {@code (h0, w0)}, the size after {@code load_image}'s resize {@code (h, w)}, and the padding of
 * {@code letterbox(auto=False, scaleup=False)} to an {@code imgsz x imgsz} square.
 *
 * @param padW {@code dw}, half the horizontal padding (a multiple of 0.5), as val.py's ratio_pad
 * @param padH {@code dh}
 * @param top rows of padding above ({@code round(dh - 0.1)})
 * @param left columns of padding on the left ({@code round(dw - 0.1)})
 */
public record Letterbox(int imgsz, int h0, int w0, int h, int w, double padW, double padH, int top, int left) {

    /** The geometry for an image of {@code h0 x w0} pixels at input size {@code imgsz}. */
    public static Letterbox of(int h0, int w0, int imgsz) {
        if (h0 <= 0 || w0 <= 0 || imgsz <= 0) {
            throw new IllegalArgumentException("bad sizes: image " + h0 + "x" + w0 + ", imgsz " + imgsz);
        }
        double r = (double) imgsz / Math.max(h0, w0);
        int w = w0;
        int h = h0;
        if (r != 1) {
            w = (int) (w0 * r);
            h = (int) (h0 * r);
        }
        double dw = (imgsz - w) / 2.0;
        double dh = (imgsz - h) / 2.0;
        int top = (int) Math.rint(dh - 0.1);
        int left = (int) Math.rint(dw - 0.1);
        return new Letterbox(imgsz, h0, w0, h, w, dw, dh, top, left);
    }

    /** The resize ratio load_image used ({@code imgsz / max(h0, w0)}). */
    public double ratio() {
        return (double) imgsz / Math.max(h0, w0);
    }

    /** {@code h / h0}: val.py's {@code ratio_pad[0][0]}, the gain scale_boxes divides by. */
    public double gain() {
        return (double) h / h0;
    }
}
