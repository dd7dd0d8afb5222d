package io.github.edgeprune.train;

import io.github.edgeprune.data.Preprocessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * YOLOv5 v7.0's training-time image pipeline ({@code utils/dataloaders.py} and
 * {@code utils/augmentations.py}) with OpenCV: load_image (long side to imgsz, INTER_LINEAR when
 * augmenting), 4-image mosaic, random_perspective with box_candidates, letterbox (when mosaic is
 * off), augment_hsv, up-down and left-right flips. Random numbers come from the given generator
 * in YOLOv5's order of draws, so one seed per image makes the result independent of threads.
 */
public final class Augment {

    private static final Scalar GRAY = new Scalar(114, 114, 114);

    /** A finished training sample: CHW RGB floats in 0..1 and labels (cls, cx, cy, w, h) normalised. */
    public record Tensor(float[] chw, int height, int width, float[][] labels) {
    }

    /** Reads images and labels by index (the trainer's data set). */
    public interface Source {
        int size();

        Path image(int index);

        float[][] labels(int index);
    }

    private final Source source;
    private final int imgsz;
    private final Hyp hyp;

    public Augment(Source source, int imgsz, Hyp hyp) {
        loadNatives();
        this.source = source;
        this.imgsz = imgsz;
        this.hyp = hyp;
    }

    /**
     * Loads OpenCV's natives once, through the project's loader (which also keeps OpenCV's own
     * threading off, as YOLOv5's {@code cv2.setNumThreads(0)}: the loader's workers already process
     * images in parallel).
     */
    public static void loadNatives() {
        io.github.edgeprune.data.OpenCv.load();
    }

    /** One augmented training sample, drawn with this generator (YOLOv5's __getitem__ with augment=True). */
    public Tensor sample(int index, SplittableRandom rng) throws IOException {
        Mat img;
        List<float[]> labels; // cls, cx, cy, w, h normalised after this block
        if (rng.nextDouble() < hyp.mosaic()) {
            Mosaic m = mosaic(index, rng);
            img = m.image;
            labels = toNormalisedXywh(m.labels, img.cols(), img.rows());
        } else {
            Mat loaded = loadImage(index, true);
            int lw = loaded.cols();
            int lh = loaded.rows();
            double r = Math.min((double) imgsz / lh, (double) imgsz / lw);
            Letterboxed lb = letterbox(loaded, imgsz, r);
            loaded.release();
            List<float[]> px = new ArrayList<>();
            for (float[] row : source.labels(index)) {
                px.add(xywhn2xyxy(row, (float) (r * lw), (float) (r * lh), (float) lb.padW, (float) lb.padH));
            }
            Perspective p = randomPerspective(lb.image, px, 0, rng);
            lb.image.release();
            img = p.image;
            labels = toNormalisedXywh(p.labels, img.cols(), img.rows());
        }
        augmentHsv(img, hyp.hsvH(), hyp.hsvS(), hyp.hsvV(), rng);
        if (rng.nextDouble() < hyp.flipud()) {
            Core.flip(img, img, 0);
            for (float[] l : labels) {
                l[2] = 1 - l[2];
            }
        }
        if (rng.nextDouble() < hyp.fliplr()) {
            Core.flip(img, img, 1);
            for (float[] l : labels) {
                l[1] = 1 - l[1];
            }
        }
        Tensor t = new Tensor(toChwRgb(img), img.rows(), img.cols(), labels.toArray(new float[0][]));
        img.release();
        return t;
    }

    // ---- load_image ----

    /** cv2.imread, then the long side resized to imgsz to (ceil(w·r), ceil(h·r)). */
    Mat loadImage(int index, boolean augment) throws IOException {
        Path p = source.image(index);
        Mat im = Imgcodecs.imread(p.toString(), Imgcodecs.IMREAD_COLOR);
        if (im.empty()) {
            im.release();
            throw new IOException("cannot read image " + p);
        }
        int h0 = im.rows();
        int w0 = im.cols();
        double r = (double) imgsz / Math.max(h0, w0);
        if (r != 1) {
            int interp = augment || r > 1 ? Imgproc.INTER_LINEAR : Imgproc.INTER_AREA;
            Mat resized = new Mat();
            Imgproc.resize(im, resized, new Size(Math.ceil(w0 * r), Math.ceil(h0 * r)), 0, 0, interp);
            im.release();
            im = resized;
        }
        return im;
    }

    // ---- mosaic ----

    record Mosaic(Mat image, List<float[]> labels) {
    }

    /** load_mosaic: four images around a random centre on a 2s × 2s gray canvas, then random_perspective. */
    Mosaic mosaic(int index, SplittableRandom rng) throws IOException {
        int s = imgsz;
        int border = -(s / 2);
        int yc = (int) uniform(rng, -border, 2 * s + border);
        int xc = (int) uniform(rng, -border, 2 * s + border);
        int n = source.size();
        int[] indices = {index, (int) (rng.nextDouble() * n), (int) (rng.nextDouble() * n), (int) (rng.nextDouble() * n)};
        for (int i = indices.length - 1; i > 0; i--) { // random.shuffle
            int j = (int) (rng.nextDouble() * (i + 1));
            int t = indices[i];
            indices[i] = indices[j];
            indices[j] = t;
        }
        Mat canvas = new Mat(2 * s, 2 * s, CvType.CV_8UC3, GRAY);
        List<float[]> labels = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Mat loaded = loadImage(indices[i], true);
            int h = loaded.rows();
            int w = loaded.cols();
            int x1a;
            int y1a;
            int x2a;
            int y2a;
            int x1b;
            int y1b;
            int x2b;
            int y2b;
            if (i == 0) {
                x1a = Math.max(xc - w, 0);
                y1a = Math.max(yc - h, 0);
                x2a = xc;
                y2a = yc;
                x1b = w - (x2a - x1a);
                y1b = h - (y2a - y1a);
                x2b = w;
                y2b = h;
            } else if (i == 1) {
                x1a = xc;
                y1a = Math.max(yc - h, 0);
                x2a = Math.min(xc + w, s * 2);
                y2a = yc;
                x1b = 0;
                y1b = h - (y2a - y1a);
                x2b = Math.min(w, x2a - x1a);
                y2b = h;
            } else if (i == 2) {
                x1a = Math.max(xc - w, 0);
                y1a = yc;
                x2a = xc;
                y2a = Math.min(s * 2, yc + h);
                x1b = w - (x2a - x1a);
                y1b = 0;
                x2b = w;
                y2b = Math.min(y2a - y1a, h);
            } else {
                x1a = xc;
                y1a = yc;
                x2a = Math.min(xc + w, s * 2);
                y2a = Math.min(s * 2, yc + h);
                x1b = 0;
                y1b = 0;
                x2b = Math.min(w, x2a - x1a);
                y2b = Math.min(y2a - y1a, h);
            }
            if (x2a > x1a && y2a > y1a) {
                Mat src = loaded.submat(new Rect(x1b, y1b, x2b - x1b, y2b - y1b));
                Mat dst = canvas.submat(new Rect(x1a, y1a, x2a - x1a, y2a - y1a));
                src.copyTo(dst);
                src.release();
                dst.release();
            }
            int padw = x1a - x1b;
            int padh = y1a - y1b;
            for (float[] row : source.labels(indices[i])) {
                float[] b = xywhn2xyxy(row, w, h, padw, padh);
                for (int k = 1; k < 5; k++) {
                    b[k] = Math.max(0, Math.min(2 * s, b[k]));
                }
                labels.add(b);
            }
            loaded.release();
        }
        Perspective p = randomPerspective(canvas, labels, border, rng);
        canvas.release();
        return new Mosaic(p.image, p.labels);
    }

    // ---- random_perspective ----

    record Perspective(Mat image, List<float[]> labels) {
    }

    /**
     * random_perspective: M = T·S·R·P·C (centre, perspective, rotation and scale, shear,
     * translation), draws in YOLOv5's order; output size = input + 2·border; boxes through the
     * four corners, clipped, then kept if box_candidates accepts them.
     */
    Perspective randomPerspective(Mat im, List<float[]> targets, int border, SplittableRandom rng) {
        int height = im.rows() + border * 2;
        int width = im.cols() + border * 2;
        double[][] c = identity();
        c[0][2] = -im.cols() / 2.0;
        c[1][2] = -im.rows() / 2.0;
        double[][] p = identity();
        p[2][0] = uniform(rng, -hyp.perspective(), hyp.perspective());
        p[2][1] = uniform(rng, -hyp.perspective(), hyp.perspective());
        double[][] r = identity();
        double a = uniform(rng, -hyp.degrees(), hyp.degrees());
        double s = uniform(rng, 1 - hyp.scale(), 1 + hyp.scale());
        double alpha = s * Math.cos(Math.toRadians(a));
        double beta = s * Math.sin(Math.toRadians(a));
        r[0][0] = alpha;
        r[0][1] = beta;
        r[1][0] = -beta;
        r[1][1] = alpha;
        double[][] sh = identity();
        sh[0][1] = Math.tan(uniform(rng, -hyp.shear(), hyp.shear()) * Math.PI / 180);
        sh[1][0] = Math.tan(uniform(rng, -hyp.shear(), hyp.shear()) * Math.PI / 180);
        double[][] t = identity();
        t[0][2] = uniform(rng, 0.5 - hyp.translate(), 0.5 + hyp.translate()) * width;
        t[1][2] = uniform(rng, 0.5 - hyp.translate(), 0.5 + hyp.translate()) * height;
        double[][] m = mul(t, mul(sh, mul(r, mul(p, c))));
        boolean perspective = hyp.perspective() != 0;
        Mat out;
        if (border != 0 || !isIdentity(m)) {
            out = new Mat();
            if (perspective) {
                Mat mm = new Mat(3, 3, CvType.CV_64F);
                mm.put(0, 0, m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]);
                Imgproc.warpPerspective(im, out, mm, new Size(width, height), Imgproc.INTER_LINEAR,
                        Core.BORDER_CONSTANT, GRAY);
                mm.release();
            } else {
                Mat mm = new Mat(2, 3, CvType.CV_64F);
                mm.put(0, 0, m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2]);
                Imgproc.warpAffine(im, out, mm, new Size(width, height), Imgproc.INTER_LINEAR, Core.BORDER_CONSTANT,
                        GRAY);
                mm.release();
            }
        } else {
            out = im.clone();
        }
        List<float[]> kept = new ArrayList<>();
        for (float[] tg : targets) {
            double[][] corners = {{tg[1], tg[2]}, {tg[3], tg[4]}, {tg[1], tg[4]}, {tg[3], tg[2]}};
            double minX = Double.MAX_VALUE;
            double minY = Double.MAX_VALUE;
            double maxX = -Double.MAX_VALUE;
            double maxY = -Double.MAX_VALUE;
            for (double[] xy : corners) {
                double x = m[0][0] * xy[0] + m[0][1] * xy[1] + m[0][2];
                double y = m[1][0] * xy[0] + m[1][1] * xy[1] + m[1][2];
                if (perspective) {
                    double z = m[2][0] * xy[0] + m[2][1] * xy[1] + m[2][2];
                    x /= z;
                    y /= z;
                }
                minX = Math.min(minX, x);
                minY = Math.min(minY, y);
                maxX = Math.max(maxX, x);
                maxY = Math.max(maxY, y);
            }
            minX = clip(minX, 0, width);
            maxX = clip(maxX, 0, width);
            minY = clip(minY, 0, height);
            maxY = clip(maxY, 0, height);
            if (boxCandidate(tg[1] * s, tg[2] * s, tg[3] * s, tg[4] * s, minX, minY, maxX, maxY, 0.10)) {
                kept.add(new float[] {tg[0], (float) minX, (float) minY, (float) maxX, (float) maxY});
            }
        }
        return new Perspective(out, kept);
    }

    /**
     * box_candidates(wh_thr=2, ar_thr=100, eps=1e-16): the box after augmentation is wider and
     * higher than 2 px, keeps more than {@code areaThr} of its (scaled) area and has an aspect ratio
     * below 100.
     */
    static boolean boxCandidate(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2,
            double by2, double areaThr) {
        double eps = 1e-16;
        double w1 = ax2 - ax1;
        double h1 = ay2 - ay1;
        double w2 = bx2 - bx1;
        double h2 = by2 - by1;
        double ar = Math.max(w2 / (h2 + eps), h2 / (w2 + eps));
        return w2 > 2 && h2 > 2 && w2 * h2 / (w1 * h1 + eps) > areaThr && ar < 100;
    }

    // ---- letterbox (mosaic off) ----

    record Letterboxed(Mat image, double padW, double padH) {
    }

    /** letterbox(auto=False, scaleup=True) to a square of imgsz, gray 114; r is the scale used. */
    Letterboxed letterbox(Mat im, int size, double r) {
        int h = im.rows();
        int w = im.cols();
        int unpadW = (int) Math.rint(w * r);
        int unpadH = (int) Math.rint(h * r);
        double dw = (size - unpadW) / 2.0;
        double dh = (size - unpadH) / 2.0;
        Mat resized = im;
        if (w != unpadW || h != unpadH) {
            resized = new Mat();
            Imgproc.resize(im, resized, new Size(unpadW, unpadH), 0, 0, Imgproc.INTER_LINEAR);
        }
        int top = (int) Math.rint(dh - 0.1);
        int bottom = (int) Math.rint(dh + 0.1);
        int left = (int) Math.rint(dw - 0.1);
        int right = (int) Math.rint(dw + 0.1);
        Mat out = new Mat();
        Core.copyMakeBorder(resized, out, top, bottom, left, right, Core.BORDER_CONSTANT, GRAY);
        if (resized != im) {
            resized.release();
        }
        return new Letterboxed(out, dw, dh);
    }

    // ---- colour ----

    /** augment_hsv: random gains on hue, saturation and value through look-up tables, in place. */
    static void augmentHsv(Mat im, double hgain, double sgain, double vgain, SplittableRandom rng) {
        if (hgain == 0 && sgain == 0 && vgain == 0) {
            return;
        }
        double r0 = uniform(rng, -1, 1) * hgain + 1;
        double r1 = uniform(rng, -1, 1) * sgain + 1;
        double r2 = uniform(rng, -1, 1) * vgain + 1;
        Mat hsv = new Mat();
        Imgproc.cvtColor(im, hsv, Imgproc.COLOR_BGR2HSV);
        Mat lut = new Mat(1, 256, CvType.CV_8UC3);
        byte[] table = new byte[256 * 3];
        for (int x = 0; x < 256; x++) {
            double hue = (x * r0) % 180;
            if (hue < 0) {
                hue += 180;
            }
            table[x * 3] = (byte) (int) hue;
            table[x * 3 + 1] = (byte) (int) clip(x * r1, 0, 255);
            table[x * 3 + 2] = (byte) (int) clip(x * r2, 0, 255);
        }
        lut.put(0, 0, table);
        Mat mapped = new Mat();
        Core.LUT(hsv, lut, mapped);
        Imgproc.cvtColor(mapped, im, Imgproc.COLOR_HSV2BGR);
        hsv.release();
        lut.release();
        mapped.release();
    }

    // ---- helpers ----

    /** (cls, cx, cy, w, h) normalised → (cls, x1, y1, x2, y2) pixels with padding. */
    static float[] xywhn2xyxy(float[] row, float w, float h, float padw, float padh) {
        return new float[] {row[0],
            w * (row[1] - row[3] / 2) + padw,
            h * (row[2] - row[4] / 2) + padh,
            w * (row[1] + row[3] / 2) + padw,
            h * (row[2] + row[4] / 2) + padh};
    }

    /** xyxy2xywhn(clip=True, eps=1e-3). */
    static List<float[]> toNormalisedXywh(List<float[]> xyxy, int w, int h) {
        double eps = 1e-3;
        List<float[]> out = new ArrayList<>();
        for (float[] b : xyxy) {
            double x1 = clip(b[1], 0, w - eps);
            double y1 = clip(b[2], 0, h - eps);
            double x2 = clip(b[3], 0, w - eps);
            double y2 = clip(b[4], 0, h - eps);
            out.add(new float[] {b[0], (float) ((x1 + x2) / 2 / w), (float) ((y1 + y2) / 2 / h), (float) ((x2 - x1) / w),
                (float) ((y2 - y1) / h)});
        }
        return out;
    }

    /**
     * HWC BGR bytes → CHW RGB floats / 255 of a square image (the sample is imgsz × imgsz), as the
     * validation pre-processing does it (at its own size nothing is resized or padded).
     */
    static float[] toChwRgb(Mat img) {
        if (img.rows() != img.cols()) {
            throw new IllegalArgumentException("expected a square image, got " + img.cols() + "x" + img.rows());
        }
        float[] out = new float[3 * img.rows() * img.cols()];
        Preprocessor.preprocess(img, img.rows(), out, 0);
        return out;
    }

    static double uniform(SplittableRandom rng, double a, double b) {
        return a + (b - a) * rng.nextDouble();
    }

    private static double clip(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double[][] identity() {
        return new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    }

    private static boolean isIdentity(double[][] m) {
        double[][] id = identity();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (m[i][j] != id[i][j]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] c = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    sum += a[i][k] * b[k][j];
                }
                c[i][j] = sum;
            }
        }
        return c;
    }
}
