package io.github.edgeprune.eval;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a validation run measured: val.py's P, R, mAP50, mAP50-95 over all classes with labels, the
 * per-class rows, the time per image of each phase, and (when kept) the detections of every image
 * in original pixels, in data set order.
 */
public final class EvaluationResult {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Metrics metrics;
    private final int images;
    private final int instances;
    private final List<ClassResult> classes;
    private final double msPreprocess;
    private final double msInference;
    private final double msNms;
    private final int imgsz;
    private final int batch;
    private final List<Detections> detections;
    private final Map<String, JsonElement> extra = new LinkedHashMap<>();

    EvaluationResult(DetectionStats stats, double msPreprocess, double msInference, double msNms, int imgsz, int batch,
            List<Detections> detections) {
        this.metrics = stats.metrics();
        this.images = stats.images();
        this.instances = stats.instances();
        this.msPreprocess = msPreprocess;
        this.msInference = msInference;
        this.msNms = msNms;
        this.imgsz = imgsz;
        this.batch = batch;
        this.detections = detections == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(detections));
        int[] cls = metrics.classes();
        int[] nt = metrics.instances();
        int[] imagesPerClass = stats.imagesPerClass();
        double[] p = metrics.precision();
        double[] r = metrics.recall();
        double[] ap50 = metrics.ap50();
        double[] ap = metrics.ap50to95();
        List<ClassResult> rows = new ArrayList<>();
        for (int i = 0; i < cls.length; i++) {
            rows.add(new ClassResult(cls[i], imagesPerClass[cls[i]], nt[i], p[i], r[i], ap50[i], ap[i]));
        }
        this.classes = List.copyOf(rows);
    }

    public double precision() {
        return metrics.meanPrecision();
    }

    public double recall() {
        return metrics.meanRecall();
    }

    public double map50() {
        return metrics.map50();
    }

    public double map50_95() {
        return metrics.map50to95();
    }

    /** Images seen (with or without labels). */
    public int images() {
        return images;
    }

    /** Labels over all images. */
    public int instances() {
        return instances;
    }

    /** One row per class with labels, by class index. */
    public List<ClassResult> classes() {
        return classes;
    }

    /** The full {@code ap_per_class} output (curve index, AP at each threshold...). */
    public Metrics metrics() {
        return metrics;
    }

    public double msPreprocess() {
        return msPreprocess;
    }

    public double msInference() {
        return msInference;
    }

    public double msNms() {
        return msNms;
    }

    public int imgsz() {
        return imgsz;
    }

    public int batch() {
        return batch;
    }

    /** Detections per image in original pixels, in data set order (empty if not kept). */
    public List<Detections> detections() {
        return detections;
    }

    /** Adds a field to {@link #toJson()} (model path, data path, device...); returns this. */
    public EvaluationResult with(String key, Object value) {
        extra.put(key, GSON.toJsonTree(value));
        return this;
    }

    public JsonObject toJsonObject() {
        JsonObject o = new JsonObject();
        extra.forEach(o::add);
        o.addProperty("precision", precision());
        o.addProperty("recall", recall());
        o.addProperty("map50", map50());
        o.addProperty("map50_95", map50_95());
        o.addProperty("images", images);
        o.addProperty("instances", instances);
        o.addProperty("ms_preprocess", msPreprocess);
        o.addProperty("ms_inference", msInference);
        o.addProperty("ms_nms", msNms);
        o.addProperty("imgsz", imgsz);
        o.addProperty("batch", batch);
        JsonArray rows = new JsonArray();
        for (ClassResult c : classes) {
            JsonObject row = new JsonObject();
            row.addProperty("class", c.cls());
            row.addProperty("images", c.images());
            row.addProperty("instances", c.instances());
            row.addProperty("precision", c.precision());
            row.addProperty("recall", c.recall());
            row.addProperty("map50", c.map50());
            row.addProperty("map50_95", c.map50_95());
            rows.add(row);
        }
        o.add("classes", rows);
        return o;
    }

    /** Pretty-printed JSON: the extra fields first, then the measurements and the per-class rows. */
    public String toJson() {
        return GSON.toJson(toJsonObject());
    }

    /**
     * A table like val.py prints: header, the {@code all} row, then (if {@code perClass}) one row
     * per class with labels, and the speed line. Numbers as Python's {@code %11.3g}.
     */
    public String table(List<String> names, boolean perClass) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%22s%11s%11s%11s%11s%11s%11s%n",
                "Class", "Images", "Instances", "P", "R", "mAP50", "mAP50-95"));
        sb.append(row("all", images, instances, precision(), recall(), map50(), map50_95()));
        if (perClass) {
            for (ClassResult c : classes) {
                String name = names != null && c.cls() < names.size() ? names.get(c.cls()) : String.valueOf(c.cls());
                sb.append(row(name, c.images(), c.instances(), c.precision(), c.recall(), c.map50(), c.map50_95()));
            }
        }
        if (batch > 0) {
            sb.append(String.format(Locale.ROOT,
                    "Speed: %.1fms pre-process, %.1fms inference, %.1fms NMS per image at shape (%d, 3, %d, %d)%n",
                    msPreprocess, msInference, msNms, batch, imgsz, imgsz));
        }
        return sb.toString();
    }

    private static String row(String name, int images, int instances, double p, double r, double m50, double m) {
        return String.format(Locale.ROOT, "%22s%11d%11d%11s%11s%11s%11s%n", name, images, instances,
                g3(p), g3(r), g3(m50), g3(m));
    }

    /** Python's {@code '%.3g' % v}. */
    static String g3(double v) {
        if (v == 0) {
            return "0";
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN));
        int exponent = d.precision() - d.scale() - 1;
        if (exponent < -4 || exponent >= 3) {
            String mantissa = d.movePointLeft(exponent).stripTrailingZeros().toPlainString();
            return String.format(Locale.ROOT, "%se%s%02d", mantissa, exponent < 0 ? "-" : "+", Math.abs(exponent));
        }
        return d.stripTrailingZeros().toPlainString();
    }
}
