package io.github.edgeprune.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * YOLOv5 v7.0 validation pre-processing: {@code cv2.imread} (BGR, EXIF orientation applied),
 * resize so the long side is {@code imgsz} ({@code INTER_AREA} when shrinking,
 * {@code INTER_LINEAR} when enlarging), letterbox to an {@code imgsz x imgsz} square with gray
 * 114, BGR to RGB, HWC to CHW, divide by 255 in float32. The padding is written directly instead
 * of through {@code copyMakeBorder}; the pixels are the same.
 */
public final class Preprocessor {

    /** The float32 value of each byte divided by 255, as {@code im.float() / 255} computes it. */
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT[i] = (float) i / 255f;
        }
    }

    public static final int PAD_VALUE = 114;

    private Preprocessor() {
    }

    /** An image as the model sees it: {@code [3, imgsz, imgsz]} RGB floats in 0..1, and its geometry. */
    public record PreprocessedImage(float[] chw, Letterbox letterbox) {
    }

    /** Reads an image as cv2.imread does; fails with {@code file: cannot decode image}. */
    public static Mat read(Path image) {
        OpenCv.load();
        Mat m = Imgcodecs.imread(image.toString(), Imgcodecs.IMREAD_COLOR);
        if (m.empty()) {
            m.release();
            throw new DataSetException(image + (Files.exists(image) ? ": cannot decode image" : ": image does not exist"));
        }
        return m;
    }

    public static PreprocessedImage preprocess(Path image, int imgsz) {
        float[] chw = new float[3 * imgsz * imgsz];
        Letterbox lb = preprocess(image, imgsz, chw, 0);
        return new PreprocessedImage(chw, lb);
    }

    /** Pre-processes an image into {@code dst[offset .. offset + 3*imgsz*imgsz)}. */
    public static Letterbox preprocess(Path image, int imgsz, float[] dst, int offset) {
        Mat m = read(image);
        try {
            return preprocess(m, imgsz, dst, offset);
        } finally {
            m.release();
        }
    }

    /** Pre-processes a BGR 8-bit image (as imread gives it) into {@code dst} at {@code offset}. */
    public static Letterbox preprocess(Mat bgr, int imgsz, float[] dst, int offset) {
        if (bgr.type() != CvType.CV_8UC3) {
            throw new IllegalArgumentException("expected an 8-bit BGR image, got " + CvType.typeToString(bgr.type()));
        }
        Letterbox lb = Letterbox.of(bgr.rows(), bgr.cols(), imgsz);
        Mat resized = bgr;
        if (lb.ratio() != 1) {
            resized = new Mat();
            int interpolation = lb.ratio() < 1 ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR;
            Imgproc.resize(bgr, resized, new Size(lb.w(), lb.h()), 0, 0, interpolation);
        }
        try {
            int h = lb.h();
            int w = lb.w();
            byte[] px = new byte[h * w * 3];
            Mat src = resized.isContinuous() ? resized : resized.clone();
            src.get(0, 0, px);
            if (src != resized) {
                src.release();
            }
            int plane = imgsz * imgsz;
            Arrays.fill(dst, offset, offset + 3 * plane, UNIT[PAD_VALUE]);
            int top = lb.top();
            int left = lb.left();
            for (int y = 0; y < h; y++) {
                int s = y * w * 3;
                int d = offset + (y + top) * imgsz + left;
                for (int x = 0; x < w; x++, s += 3, d++) {
                    dst[d] = UNIT[px[s + 2] & 0xff]; // R
                    dst[d + plane] = UNIT[px[s + 1] & 0xff]; // G
                    dst[d + 2 * plane] = UNIT[px[s] & 0xff]; // B
                }
            }
            return lb;
        } finally {
            if (resized != bgr) {
                resized.release();
            }
        }
    }
}
