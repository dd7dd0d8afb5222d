package io.github.edgeprune.eval;

/**
 * Settings of a validation run, with val.py's defaults: input size 640, batch 8 here (val.py: 32),
 * NMS confidence 0.001, IoU 0.6, at most 300 detections an image and 30000 boxes into NMS.
 */
public record EvalSettings(int imgsz, int batch, double conf, double iou, int maxDet, int maxNms) {

    public EvalSettings {
        if (imgsz <= 0 || imgsz % 32 != 0) {
            throw new IllegalArgumentException("imgsz must be a positive multiple of 32, got " + imgsz);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        if (!(conf >= 0 && conf < 1)) {
            throw new IllegalArgumentException("conf must be in [0,1), got " + conf);
        }
        if (!(iou >= 0 && iou <= 1)) {
            throw new IllegalArgumentException("iou must be in [0,1], got " + iou);
        }
        if (maxDet <= 0 || maxNms <= 0) {
            throw new IllegalArgumentException("maxDet and maxNms must be positive");
        }
    }

    public static EvalSettings defaults() {
        return new EvalSettings(640, 8, 0.001, 0.6, 300, 30000);
    }

    public EvalSettings withImgsz(int v) {
        return new EvalSettings(v, batch, conf, iou, maxDet, maxNms);
    }

    public EvalSettings withBatch(int v) {
        return new EvalSettings(imgsz, v, conf, iou, maxDet, maxNms);
    }

    public EvalSettings withConf(double v) {
        return new EvalSettings(imgsz, batch, v, iou, maxDet, maxNms);
    }

    public EvalSettings withIou(double v) {
        return new EvalSettings(imgsz, batch, conf, v, maxDet, maxNms);
    }
}
