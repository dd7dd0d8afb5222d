package io.github.edgeprune.optimize.paper;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.PluginVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The study's reports under {@code <outputDirectory>/paper/}: {@code paper.json} (every figure),
 * {@code paper.html} (the table shaped like the paper's Tables 1-2, with the three measures side
 * by side, and SVG bar charts like its Figs. 5-8; no scripts) and {@code paper.md} (the table for
 * docs). Each is written atomically.
 */
public final class PaperReport {

    /** The files written. */
    public record Written(Path json, Path html, Path markdown) {
    }

    /**
     * What the paper published for yolov5n and yolov5m on a Raspberry Pi 4 (its Tables 1-2 and the
     * text on Figs. 5-6). Its memory figures (Figs. 7-8) are given only as charts: dynamic used less
     * memory than static in every case.
     */
    public record Published(String model, String dataSet, double dynamicMap50, double staticMap50, double dynamicMs,
            double staticMs) {
    }

    public static final List<Published> PUBLISHED = List.of(
            new Published("yolov5n", "COCO128", 0.75, 0.91, 962.4, 1012.3),
            new Published("yolov5m", "COCO128", 0.901, 0.968, 6423, 6439),
            new Published("yolov5n", "traffic", 0.906, 0.907, 848.4, 847.6),
            new Published("yolov5m", "traffic", 0.924, 0.928, 6213.2, 6227.8));

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#7f7f7f"};

    private PaperReport() {
    }

    static Written write(Path root, PaperStudy.Settings s, List<PaperRow> rows, PaperStudy.Counters counters,
            Map<String, Object> facts) throws IOException {
        Written w = new Written(root.resolve("paper.json"), root.resolve("paper.html"), root.resolve("paper.md"));
        AtomicOutput.writeString(w.json(), json(s, rows, counters, facts));
        AtomicOutput.writeString(w.html(), html(s, rows, counters, facts));
        AtomicOutput.writeString(w.markdown(), markdown(s, rows));
        return w;
    }

    /** The paper-shaped table: model and setting against method, the three measures as rows. */
    public static String markdown(PaperStudy.Settings s, List<PaperRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(caption(s));
        rows.forEach(r -> sb.append(" | ").append(r.method().label()));
        sb.append(" |\n|---");
        rows.forEach(r -> sb.append("|---"));
        sb.append("|\n");
        for (Measure m : Measure.values()) {
            sb.append("| ").append(m.heading);
            rows.forEach(r -> sb.append(" | ").append(m.cell(r)));
            sb.append(" |\n");
        }
        return sb.toString();
    }

    /** The three measures and the sparsity, as the table's rows. */
    private enum Measure {
        MAP50("mAP50") {
            String cell(PaperRow r) {
                return fixed(r.map50(), "%.3f");
            }
        },
        MS("inference ms (median)") {
            String cell(PaperRow r) {
                return fixed(r.medianMs(), "%.1f");
            }
        },
        MEMORY("peak memory MB") {
            String cell(PaperRow r) {
                return fixed(r.peakMemoryMb(), "%.0f") + (Double.isFinite(r.peakMemoryPercent())
                        ? String.format(Locale.ROOT, " (%.1f %%)", r.peakMemoryPercent()) : "");
            }
        },
        SPARSITY("Conv2d / BatchNorm2d zeros") {
            String cell(PaperRow r) {
                return String.format(Locale.ROOT, "%.2f %% / %.2f %%", 100 * r.convSparsity(), 100 * r.bnSparsity());
            }
        };

        final String heading;

        Measure(String heading) {
            this.heading = heading;
        }

        abstract String cell(PaperRow r);
    }

    private static String caption(PaperStudy.Settings s) {
        return Path.of(s.model()).getFileName() + ", " + Path.of(s.data()).getFileName() + ", " + s.imgsz() + " px, "
                + s.epochs() + (s.epochs() == 1 ? " epoch" : " epochs");
    }

    static String json(PaperStudy.Settings s, List<PaperRow> rows, PaperStudy.Counters c, Map<String, Object> facts) {
        JsonObject o = new JsonObject();
        o.addProperty("plugin", PluginVersion.get());
        JsonObject set = new JsonObject();
        set.addProperty("model", s.model());
        set.addProperty("data", s.data());
        set.addProperty("imgsz", s.imgsz());
        set.addProperty("epochs", s.epochs());
        set.addProperty("batch", s.batch());
        set.addProperty("seed", s.seed());
        set.addProperty("maxImages", s.maxImages());
        set.addProperty("convSparsity", s.convSparsity());
        set.addProperty("bnSparsity", s.bnSparsity());
        set.addProperty("precision", s.precision().name());
        set.addProperty("device", s.device().spec());
        set.addProperty("backend", s.device().backend());
        set.addProperty("warmup", s.device().warmup());
        o.add("settings", set);
        JsonArray arr = new JsonArray();
        for (PaperRow r : rows) {
            JsonObject j = new JsonObject();
            j.addProperty("method", r.method().id());
            j.addProperty("label", r.method().label());
            j.addProperty("description", r.description());
            j.addProperty("schedule", r.method().schedule().id());
            j.add("convSparsity", num(r.convSparsity()));
            j.add("bnSparsity", num(r.bnSparsity()));
            j.add("map50", num(r.map50()));
            j.add("map50_95", num(r.map50_95()));
            JsonObject lat = new JsonObject();
            lat.addProperty("count", r.latency().count());
            lat.add("median", num(r.latency().median()));
            lat.add("mean", num(r.latency().mean()));
            lat.add("p90", num(r.latency().p90()));
            lat.add("min", num(r.latency().min()));
            lat.add("max", num(r.latency().max()));
            j.add("inferenceMs", lat);
            j.add("peakMemoryMb", num(r.peakMemoryMb()));
            j.add("peakMemoryPercent", num(r.peakMemoryPercent()));
            j.addProperty("backend", r.backend());
            j.addProperty("irBytes", r.irBytes());
            j.add("irConvZeroShare", num(r.irConvZeroShare()));
            j.addProperty("bundle", r.bundle().toString());
            j.addProperty("ir", r.ir().toString());
            j.addProperty("deviceReport", r.deviceReport().toString());
            j.addProperty("trainedNow", r.trainedNow());
            j.addProperty("measuredNow", r.measuredNow());
            arr.add(j);
        }
        o.add("rows", arr);
        JsonObject run = new JsonObject();
        run.addProperty("prunes", c.prunes());
        run.addProperty("prunesCached", c.prunesCached());
        run.addProperty("trainings", c.trainings());
        run.addProperty("trainingsCached", c.trainingsCached());
        run.addProperty("exports", c.exports());
        run.addProperty("exportsCached", c.exportsCached());
        run.addProperty("deviceRuns", c.deviceRuns());
        run.addProperty("deviceRunsCached", c.deviceRunsCached());
        o.add("run", run);
        JsonObject dev = new JsonObject();
        facts.forEach((k, v) -> dev.addProperty(k, String.valueOf(v)));
        o.add("deviceFacts", dev);
        JsonArray pub = new JsonArray();
        for (Published p : PUBLISHED) {
            JsonObject j = new JsonObject();
            j.addProperty("model", p.model());
            j.addProperty("dataSet", p.dataSet());
            j.addProperty("dynamicMap50", p.dynamicMap50());
            j.addProperty("staticMap50", p.staticMap50());
            j.addProperty("dynamicMs", p.dynamicMs());
            j.addProperty("staticMs", p.staticMs());
            pub.add(j);
        }
        o.add("paperPublished", pub);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    static String html(PaperStudy.Settings s, List<PaperRow> rows, PaperStudy.Counters c, Map<String, Object> facts) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>prune:optimize, the paper's"
                + " study</title><style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:"
                + "collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.3em .7em;text-align:right}"
                + "th:first-child,td:first-child{text-align:left}.charts svg{margin-right:1em}.note{color:#555}"
                + "</style></head><body>\n");
        h.append("<h1>Static against dynamic pruning, as the paper compares them</h1>\n");
        h.append("<p>").append(escape(caption(s))).append(", batch ").append(s.batch()).append(", seed ").append(s.seed())
                .append(String.format(Locale.ROOT, "; Conv2d %.2f, BatchNorm2d %.2f (L1, per layer); %s IR; measured on",
                        s.convSparsity(), s.bnSparsity(), s.precision()))
                .append(' ').append(escape(s.device().spec())).append(" (").append(escape(describeDevice(facts)))
                .append(") with ").append(escape(rows.isEmpty() ? s.device().backend() : rows.get(0).backend()))
                .append(".</p>\n");
        h.append("<table id=\"paper-table\"><caption>Pruning results (shaped like the paper's Tables 1-2, with its"
                + " three measures side by side)</caption>\n<tr><th>").append(escape(caption(s))).append("</th>");
        rows.forEach(r -> h.append("<th>").append(escape(r.method().label())).append("</th>"));
        h.append("</tr>\n");
        for (Measure m : Measure.values()) {
            h.append("<tr><td>").append(escape(m.heading)).append("</td>");
            rows.forEach(r -> h.append("<td>").append(escape(m.cell(r))).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        h.append("<div class=\"charts\">");
        h.append(BarChart.svg("mAP50 (Tables 1-2)", "mAP50", bars(rows, PaperRow::map50), "%.3f"));
        h.append(BarChart.svg("Inference time (Figs. 5-6)", "ms, median", bars(rows, PaperRow::medianMs), "%.1f"));
        h.append(BarChart.svg("Peak memory (Figs. 7-8)", "MB", bars(rows, PaperRow::peakMemoryMb), "%.0f"));
        h.append("</div>\n");
        h.append("<h2>What each row ran</h2>\n<ul>");
        for (PaperRow r : rows) {
            h.append("<li><b>").append(escape(r.method().label())).append("</b>: ").append(escape(r.description()))
                    .append(String.format(Locale.ROOT, "; IR %.2f MB, %.2f %% of its convolution weights zero;"
                            + " latency p90 %.1f ms over %d images", r.irBytes() / 1e6, 100 * r.irConvZeroShare(),
                            r.latency().p90(), r.latency().count()))
                    .append(r.trainedNow() ? "" : "; fine-tuning up to date from an earlier run")
                    .append(r.measuredNow() ? "" : "; device figures from the cache").append("</li>");
        }
        h.append("</ul>\n<p class=\"note\">Every row starts from the same model and is fine-tuned the same number of"
                + " epochs with the same seed; the unpruned row is not in the paper: it shows what the fine-tuning alone"
                + " does, so that the gap between it and a pruned row is what the pruning costs. The weights measured are"
                + " the final epoch's. mAP50 comes from the device's detections on the val split.</p>\n");
        h.append(String.format(Locale.ROOT, "<p class=\"note\">This run: prune-static %d run / %d up to date, fine-tuning"
                + " %d / %d, exports %d / %d, device runs %d / %d.</p>\n", c.prunes(), c.prunesCached(), c.trainings(),
                c.trainingsCached(), c.exports(), c.exportsCached(), c.deviceRuns(), c.deviceRunsCached()));
        h.append("<h2>The paper's figures (Raspberry Pi 4, OpenVINO, webcam through detect.py)</h2>\n<table><tr>"
                + "<th>model, data set</th><th>dynamic mAP50</th><th>static mAP50</th><th>dynamic ms</th>"
                + "<th>static ms</th></tr>\n");
        for (Published p : PUBLISHED) {
            h.append("<tr><td>").append(escape(p.model() + ", " + p.dataSet())).append("</td>")
                    .append(String.format(Locale.ROOT, "<td>%.3f</td><td>%.3f</td><td>%.1f</td><td>%.1f</td></tr>\n",
                            p.dynamicMap50(), p.staticMap50(), p.dynamicMs(), p.staticMs()));
        }
        h.append("</table>\n<p class=\"note\">The paper gives memory only as charts (share of the Pi's memory):"
                + " dynamic pruning used less than static in every case.</p>\n</body></html>\n");
        return h.toString();
    }

    private static List<BarChart.Bar> bars(List<PaperRow> rows, java.util.function.ToDoubleFunction<PaperRow> value) {
        return java.util.stream.IntStream.range(0, rows.size()).mapToObj(i -> new BarChart.Bar(
                rows.get(i).method().id(), value.applyAsDouble(rows.get(i)), COLORS[i % COLORS.length])).toList();
    }

    private static String describeDevice(Map<String, Object> facts) {
        Object model = facts.get("cpu");
        Object arch = facts.get("arch");
        Object cores = facts.get("cores");
        StringBuilder sb = new StringBuilder();
        if (model != null) {
            sb.append(model);
        }
        if (arch != null) {
            sb.append(sb.length() > 0 ? ", " : "").append(arch);
        }
        if (cores != null) {
            sb.append(sb.length() > 0 ? ", " : "").append(cores).append(" cores");
        }
        return sb.length() == 0 ? "facts not reported" : sb.toString();
    }

    private static String fixed(double v, String format) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "n/a";
    }

    private static JsonElement num(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    /** Escapes text and attribute values; drops control characters XML 1.0 does not allow. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch < 0x20 && ch != '\n' && ch != '\t' ? ' ' : ch);
            }
        }
        return sb.toString();
    }
}
