package io.github.edgeprune.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Training hyperparameters with YOLOv5 v7.0's {@code data/hyps/hyp.scratch-low.yaml} as defaults,
 * plus the constants {@code train.py} hard-codes ({@code nbs}, the 100-iteration warm-up floor, the
 * gradient-norm clip, the EMA decay and time constant), exposed so that small runs can change them.
 * Read an Ultralytics hyp yaml with {@link #fromMap(Map, String)}.
 */
public record Hyp(
        double lr0, double lrf, double momentum, double weightDecay,
        double warmupEpochs, double warmupMomentum, double warmupBiasLr,
        double box, double cls, double clsPw, double obj, double objPw, double anchorT,
        double hsvH, double hsvS, double hsvV,
        double degrees, double translate, double scale, double shear, double perspective,
        double flipud, double fliplr, double mosaic,
        int nbs, int warmupMinIterations, double maxGradNorm, double emaDecay, double emaTau) {

    /** hyp.scratch-low.yaml and train.py's constants. */
    public static Hyp defaults() {
        return new Hyp(0.01, 0.01, 0.937, 0.0005,
                3.0, 0.8, 0.1,
                0.05, 0.5, 1.0, 1.0, 1.0, 4.0,
                0.015, 0.7, 0.4,
                0.0, 0.1, 0.5, 0.0, 0.0,
                0.0, 0.5, 1.0,
                64, 100, 10.0, 0.9999, 2000);
    }

    public Hyp {
        positive(lr0, "lr0");
        fraction(lrf, "lrf", true);
        fraction(momentum, "momentum", false);
        nonNegative(weightDecay, "weight_decay");
        nonNegative(warmupEpochs, "warmup_epochs");
        fraction(warmupMomentum, "warmup_momentum", false);
        nonNegative(warmupBiasLr, "warmup_bias_lr");
        nonNegative(box, "box");
        nonNegative(cls, "cls");
        positive(clsPw, "cls_pw");
        nonNegative(obj, "obj");
        positive(objPw, "obj_pw");
        if (!(anchorT > 1)) {
            throw new IllegalArgumentException("hyp anchor_t must be > 1, got " + anchorT);
        }
        fraction(hsvH, "hsv_h", true);
        fraction(hsvS, "hsv_s", true);
        fraction(hsvV, "hsv_v", true);
        nonNegative(degrees, "degrees");
        fraction(translate, "translate", true);
        fraction(scale, "scale", true);
        nonNegative(shear, "shear");
        nonNegative(perspective, "perspective");
        fraction(flipud, "flipud", true);
        fraction(fliplr, "fliplr", true);
        fraction(mosaic, "mosaic", true);
        if (nbs < 1) {
            throw new IllegalArgumentException("hyp nbs must be at least 1, got " + nbs);
        }
        if (warmupMinIterations < 0) {
            throw new IllegalArgumentException("hyp warmup_min_iterations must be >= 0, got " + warmupMinIterations);
        }
        positive(maxGradNorm, "max_grad_norm");
        fraction(emaDecay, "ema_decay", false);
        positive(emaTau, "ema_tau");
    }

    /** The warm-up length in iterations: {@code max(round(warmup_epochs · nb), 100)}. */
    public int warmupIterations(int batchesPerEpoch) {
        return (int) Math.max(Math.round(warmupEpochs * batchesPerEpoch), warmupMinIterations);
    }

    /** {@code max(round(nbs / batch), 1)}: batches whose gradients add up before one optimiser step. */
    public int accumulate(int batch) {
        return (int) Math.max(Math.rint((double) nbs / batch), 1);
    }

    /** The keys of an Ultralytics hyp yaml (and ours), for reports and for reading one. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr0", lr0);
        m.put("lrf", lrf);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("warmup_epochs", warmupEpochs);
        m.put("warmup_momentum", warmupMomentum);
        m.put("warmup_bias_lr", warmupBiasLr);
        m.put("box", box);
        m.put("cls", cls);
        m.put("cls_pw", clsPw);
        m.put("obj", obj);
        m.put("obj_pw", objPw);
        m.put("anchor_t", anchorT);
        m.put("hsv_h", hsvH);
        m.put("hsv_s", hsvS);
        m.put("hsv_v", hsvV);
        m.put("degrees", degrees);
        m.put("translate", translate);
        m.put("scale", scale);
        m.put("shear", shear);
        m.put("perspective", perspective);
        m.put("flipud", flipud);
        m.put("fliplr", fliplr);
        m.put("mosaic", mosaic);
        m.put("nbs", nbs);
        m.put("warmup_min_iterations", warmupMinIterations);
        m.put("max_grad_norm", maxGradNorm);
        m.put("ema_decay", emaDecay);
        m.put("ema_tau", emaTau);
        return m;
    }

    /**
     * Reads an Ultralytics hyp yaml (already parsed): known keys override the defaults; keys that
     * YOLOv5 has but this trainer does not implement must hold their neutral value (mixup 0,
     * copy_paste 0, fl_gamma 0, label_smoothing 0), anything else is refused by name.
     */
    public static Hyp fromMap(Map<String, Object> yaml, String where) {
        Map<String, Object> m = defaults().toMap();
        for (Map.Entry<String, Object> e : yaml.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            Object v = e.getValue();
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException(where + ": hyp '" + key + "' must be a number, got " + v);
            }
            if (m.containsKey(key)) {
                m.put(key, n);
            } else if (key.equals("iou_t")) {
                // only used by YOLOv5's commented-out wh_iou matching; anchor_t decides
                continue;
            } else if (key.equals("mixup") || key.equals("copy_paste") || key.equals("fl_gamma")
                    || key.equals("label_smoothing") || key.equals("anchors")) {
                if (n.doubleValue() != 0 && !key.equals("anchors")) {
                    throw new IllegalArgumentException(where + ": hyp '" + key + "' = " + v
                            + " is not supported by this trainer (use 0)");
                }
            } else {
                throw new IllegalArgumentException(where + ": unknown hyp '" + key + "'");
            }
        }
        return new Hyp(d(m, "lr0"), d(m, "lrf"), d(m, "momentum"), d(m, "weight_decay"),
                d(m, "warmup_epochs"), d(m, "warmup_momentum"), d(m, "warmup_bias_lr"),
                d(m, "box"), d(m, "cls"), d(m, "cls_pw"), d(m, "obj"), d(m, "obj_pw"), d(m, "anchor_t"),
                d(m, "hsv_h"), d(m, "hsv_s"), d(m, "hsv_v"),
                d(m, "degrees"), d(m, "translate"), d(m, "scale"), d(m, "shear"), d(m, "perspective"),
                d(m, "flipud"), d(m, "fliplr"), d(m, "mosaic"),
                (int) d(m, "nbs"), (int) d(m, "warmup_min_iterations"), d(m, "max_grad_norm"),
                d(m, "ema_decay"), d(m, "ema_tau"));
    }

    /** Copy with a changed warm-up (epochs and the iteration floor). */
    public Hyp withWarmup(double epochs, int minIterations) {
        return new Hyp(lr0, lrf, momentum, weightDecay, epochs, warmupMomentum, warmupBiasLr, box, cls, clsPw, obj,
                objPw, anchorT, hsvH, hsvS, hsvV, degrees, translate, scale, shear, perspective, flipud, fliplr, mosaic,
                nbs, minIterations, maxGradNorm, emaDecay, emaTau);
    }

    /** Copy with another nominal batch size (64 in YOLOv5). */
    public Hyp withNbs(int newNbs) {
        return new Hyp(lr0, lrf, momentum, weightDecay, warmupEpochs, warmupMomentum, warmupBiasLr, box, cls, clsPw,
                obj, objPw, anchorT, hsvH, hsvS, hsvV, degrees, translate, scale, shear, perspective, flipud, fliplr,
                mosaic, newNbs, warmupMinIterations, maxGradNorm, emaDecay, emaTau);
    }

    /** Copy with another initial learning rate. */
    public Hyp withLr0(double newLr0) {
        return new Hyp(newLr0, lrf, momentum, weightDecay, warmupEpochs, warmupMomentum, warmupBiasLr, box, cls, clsPw,
                obj, objPw, anchorT, hsvH, hsvS, hsvV, degrees, translate, scale, shear, perspective, flipud, fliplr,
                mosaic, nbs, warmupMinIterations, maxGradNorm, emaDecay, emaTau);
    }

    private static double d(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).doubleValue();
    }

    private static void positive(double v, String name) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("hyp " + name + " must be a positive number, got " + v);
        }
    }

    private static void nonNegative(double v, String name) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("hyp " + name + " must be >= 0, got " + v);
        }
    }

    private static void fraction(double v, String name, boolean closedAtZero) {
        if (!(v >= 0 && v <= 1) || (!closedAtZero && v == 0)) {
            throw new IllegalArgumentException("hyp " + name + " must be in " + (closedAtZero ? "[0, 1]" : "(0, 1]")
                    + ", got " + v);
        }
    }
}
