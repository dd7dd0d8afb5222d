package io.github.edgeprune.eval;

import io.github.edgeprune.data.Letterbox;

/** Box conversions of val.py, in float32 as numpy and torch compute them. */
public final class Boxes {

    /** box_iou's eps. */
    static final float IOU_EPS = 1e-7f;

    private Boxes() {
    }

    /**
     * IoU of two corner boxes as YOLOv5's {@code box_iou} (float32, {@code + 1e-7} in the
     * denominator).
     */
    public static float iou(float ax1, float ay1, float ax2, float ay2, float bx1, float by1, float bx2, float by2) {
        float w = Math.max(0f, Math.min(ax2, bx2) - Math.max(ax1, bx1));
        float h = Math.max(0f, Math.min(ay2, by2) - Math.max(ay1, by1));
        float inter = w * h;
        float areaA = (ax2 - ax1) * (ay2 - ay1);
        float areaB = (bx2 - bx1) * (by2 - by1);
        return inter / (areaA + areaB - inter + IOU_EPS);
    }

    /**
     * {@code scale_boxes} with val.py's {@code ratio_pad}: detections in letterboxed input pixels
     * to original image pixels (subtract the padding, divide by {@code h/h0}, clip to the image).
     */
    public static Detections toOriginal(Detections d, Letterbox lb) {
        return scale(d, lb, lb.padW(), lb.padH(), lb.gain());
    }

    /**
     * {@code scale_boxes} without {@code ratio_pad}, as detect.py calls it (and as the reference
     * detections in the shared test data were made): gain {@code min(imgsz/h0, imgsz/w0)} and the
     * padding recomputed from it. It differs from {@link #toOriginal} when {@code int()} truncated
     * the resized size (e.g. 425 rows at 320: 212 rows, gain 0.4988 against 0.5), by up to about a
     * pixel.
     */
    public static Detections toOriginalFromShape(Detections d, Letterbox lb) {
        double gain = Math.min((double) lb.imgsz() / lb.h0(), (double) lb.imgsz() / lb.w0());
        double padW = (lb.imgsz() - lb.w0() * gain) / 2;
        double padH = (lb.imgsz() - lb.h0() * gain) / 2;
        return scale(d, lb, padW, padH, gain);
    }

    private static Detections scale(Detections d, Letterbox lb, double padWd, double padHd, double gainD) {
        float[] a = d.toArray();
        float padW = (float) padWd;
        float padH = (float) padHd;
        float gain = (float) gainD;
        float w0 = lb.w0();
        float h0 = lb.h0();
        for (int o = 0; o < a.length; o += Detections.COLUMNS) {
            a[o] = clip((a[o] - padW) / gain, w0);
            a[o + 1] = clip((a[o + 1] - padH) / gain, h0);
            a[o + 2] = clip((a[o + 2] - padW) / gain, w0);
            a[o + 3] = clip((a[o + 3] - padH) / gain, h0);
        }
        return Detections.wrap(a);
    }

    private static float clip(float v, float max) {
        return v < 0f ? 0f : (v > max ? max : v);
    }

    /**
     * Labels {@code {cls, cx, cy, w, h}} (normalised) to rows {@code {cls, x1, y1, x2, y2}} in
     * original image pixels, by val.py's own path: the data loader places them in the letterboxed
     * image ({@code xywhn2xyxy} with the padding), clips them to {@code imgsz - 0.001} and
     * normalises them again ({@code xyxy2xywhn}); val.py scales them to pixels, turns them into
     * corners and applies {@code scale_boxes} like the detections. The result differs from
     * {@code cx * w0} etc. by float rounding only (and by the 0.001 px clip at the far edges).
     */
    public static float[][] labelsToOriginal(float[][] labels, Letterbox lb) {
        float[][] out = new float[labels.length][];
        float w = lb.w();
        float h = lb.h();
        float padW = (float) lb.padW();
        float padH = (float) lb.padH();
        float size = lb.imgsz();
        float max = (float) (lb.imgsz() - 1e-3); // the loader clips to the letterboxed image, both axes
        float gain = (float) lb.gain();
        float w0 = lb.w0();
        float h0 = lb.h0();
        for (int i = 0; i < labels.length; i++) {
            float[] l = labels[i];
            // xywhn2xyxy(labels, w, h, padw, padh), numpy float32
            float x1 = w * (l[1] - l[3] / 2f) + padW;
            float y1 = h * (l[2] - l[4] / 2f) + padH;
            float x2 = w * (l[1] + l[3] / 2f) + padW;
            float y2 = h * (l[2] + l[4] / 2f) + padH;
            // xyxy2xywhn(clip=True, eps=1e-3): clip_boxes to (imgsz - eps), then normalise
            x1 = clip(x1, max);
            y1 = clip(y1, max);
            x2 = clip(x2, max);
            y2 = clip(y2, max);
            float ncx = ((x1 + x2) / 2f) / size;
            float ncy = ((y1 + y2) / 2f) / size;
            float nw = (x2 - x1) / size;
            float nh = (y2 - y1) / size;
            // val.py: targets[:, 2:] *= (width, height, width, height); xywh2xyxy; scale_boxes
            float cx = ncx * size;
            float cy = ncy * size;
            float bw = nw * size;
            float bh = nh * size;
            float tx1 = cx - bw / 2f;
            float ty1 = cy - bh / 2f;
            float tx2 = cx + bw / 2f;
            float ty2 = cy + bh / 2f;
            out[i] = new float[] {l[0],
                    clip((tx1 - padW) / gain, w0), clip((ty1 - padH) / gain, h0),
                    clip((tx2 - padW) / gain, w0), clip((ty2 - padH) / gain, h0)};
        }
        return out;
    }
}
