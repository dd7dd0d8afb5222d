package io.github.edgeprune.optimize;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.edgeprune.device.verify.BudgetResult;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The optimize reports: {@code optimize.json} for machines, {@code optimize.html} for people (a Pareto
 * chart of mAP50 against latency as inline SVG, the candidate table, device facts, total time) and
 * {@code TEST-prune-optimize.xml} for CI (one test case per budget of the winner, or of the closest
 * candidate when none passes). Each file is written atomically.
 */
public final class OptimizeReport {

    public static final String JSON = "optimize.json";
    public static final String HTML = "optimize.html";
    public static final String JUNIT = "TEST-prune-optimize.xml";
    static final String SUITE = "prune.optimize";

    public record Written(Path json, Path html, Path junit) {
    }

    private OptimizeReport() {
    }

    static Written write(Path folder, OptimizeJob.Outcome o, OptimizeJob.Settings s) throws IOException {
        Written w = new Written(folder.resolve(JSON), folder.resolve(HTML), folder.resolve(JUNIT));
        AtomicOutput.writeString(w.json(), json(o, s));
        AtomicOutput.writeString(w.html(), html(o, s));
        AtomicOutput.writeString(w.junit(), junit(o));
        return w;
    }

    // ---------------------------------------------------------------- JSON

    static String json(OptimizeJob.Outcome o, OptimizeJob.Settings s) {
        JsonObject root = new JsonObject();
        root.addProperty("model", s.model());
        root.addProperty("data", s.data());
        root.addProperty("device", s.deviceSpecs());
        root.addProperty("backend", s.device().backend());
        JsonArray devs = new JsonArray();
        s.devices().forEach(d -> devs.add(d.spec()));
        root.add("devices", devs);
        root.addProperty("passed", o.passed());
        root.add("winner", o.winner() == null ? JsonNull.INSTANCE : new JsonPrimitive(o.winner().candidate().id()));
        root.add("winnerIr", o.winnerIr() == null ? JsonNull.INSTANCE : new JsonPrimitive(o.winnerIr().toString()));
        root.add("closest", o.closest() == null ? JsonNull.INSTANCE : new JsonPrimitive(o.closest().candidate().id()));
        if (!o.passed()) {
            root.addProperty("failure", o.failureMessage());
        }
        JsonObject budgets = new JsonObject();
        Budgets b = o.budgets();
        budgets.add("minMap50", num(b.minMap50()));
        budgets.add("maxLatencyMs", num(b.maxLatencyMs()));
        budgets.addProperty("latencyStatistic", b.latencyStatistic().id());
        budgets.add("maxMemoryMb", num(b.maxMemoryMb()));
        root.add("budgets", budgets);
        JsonObject search = new JsonObject();
        search.addProperty("order", "ascending predicted cost = GFLOPs x precision factor (FP16 1.0, INT8 "
                + Candidate.costFactor(io.github.edgeprune.openvino.IrPrecision.INT8) + ")");
        search.addProperty("searchMargin", s.searchMargin());
        search.addProperty("calibration", s.calibration().id());
        search.addProperty("deviceRuns", o.deviceRuns());
        search.addProperty("deviceRunsCached", o.deviceRunsCached());
        search.addProperty("evaluations", o.evaluations());
        search.addProperty("evaluationsCached", o.evaluationsCached());
        search.addProperty("seconds", round(o.seconds(), 1));
        root.add("search", search);
        JsonArray cands = new JsonArray();
        for (CandidateResult r : o.candidates()) {
            JsonObject c = new JsonObject();
            c.addProperty("id", r.candidate().id());
            c.addProperty("recipe", r.candidate().recipe());
            c.add("targetFlops", num(r.candidate().channelCut() ? r.candidate().targetFlops() : null));
            c.addProperty("unstructured", r.candidate().unstructured().name().toLowerCase(java.util.Locale.ROOT));
            c.addProperty("fineTuneEpochs", r.candidate().fineTuneEpochs());
            c.addProperty("precision", r.candidate().precision().name());
            c.addProperty("imgsz", r.candidate().imgsz());
            c.addProperty("order", r.order());
            c.add("predictedGflops", num(r.predictedGflops()));
            c.add("predictedCost", num(r.predictedCost()));
            c.add("gflops", num(r.gflops()));
            c.add("parameters", r.parameters() < 0 ? JsonNull.INSTANCE : new JsonPrimitive(r.parameters()));
            c.add("sizeBytes", r.sizeBytes() < 0 ? JsonNull.INSTANCE : new JsonPrimitive(r.sizeBytes()));
            c.add("buildMap50", num(r.buildMap50()));
            c.add("buildMap50_95", num(r.buildMap50_95()));
            c.addProperty("buildMapCached", r.buildMapCached());
            c.add("map50", num(r.deviceMap50()));
            c.add("map50_95", num(r.deviceMap50_95()));
            if (r.latency() != null) {
                JsonObject l = new JsonObject();
                l.add("count", new JsonPrimitive(r.latency().count()));
                l.add("mean", num(r.latency().mean()));
                l.add("median", num(r.latency().median()));
                l.add("p90", num(r.latency().p90()));
                l.add("p99", num(r.latency().p99()));
                l.add("min", num(r.latency().min()));
                l.add("max", num(r.latency().max()));
                c.add("latencyMs", l);
            } else {
                c.add("latencyMs", JsonNull.INSTANCE);
            }
            c.add("peakMemoryMb", num(r.peakMemoryMb()));
            c.add("backend", r.backend() == null ? JsonNull.INSTANCE : new JsonPrimitive(r.backend()));
            c.addProperty("deviceCached", r.deviceCached());
            JsonArray verdicts = new JsonArray();
            for (BudgetResult br : r.budgets()) {
                JsonObject v = new JsonObject();
                v.addProperty("metric", br.metric());
                v.addProperty("property", br.property());
                v.addProperty("comparison", br.comparison());
                v.add("budget", num(br.budget()));
                v.add("measured", num(br.measured()));
                v.addProperty("verdict", br.verdict());
                verdicts.add(v);
            }
            c.add("verdicts", verdicts);
            JsonArray perDevice = new JsonArray();
            for (DeviceFigures f : r.devices()) {
                JsonObject d = new JsonObject();
                d.addProperty("device", f.spec());
                d.addProperty("verdict", !f.measured() ? "ERROR" : f.passed() ? "PASSED" : "FAILED");
                d.add("error", f.error() == null ? JsonNull.INSTANCE : new JsonPrimitive(f.error()));
                d.add("map50", num(f.map50()));
                d.add("map50_95", num(f.map50_95()));
                d.add("latencyMedianMs", num(f.latency() == null ? Double.NaN : f.latency().median()));
                d.add("latencyP90Ms", num(f.latency() == null ? Double.NaN : f.latency().p90()));
                d.add("peakMemoryMb", num(f.peakMemoryMb()));
                d.add("backend", f.backend() == null ? JsonNull.INSTANCE : new JsonPrimitive(f.backend()));
                d.addProperty("cached", f.cached());
                perDevice.add(d);
            }
            c.add("devices", perDevice);
            c.addProperty("status", r.status() == null ? "ERROR" : r.status().name());
            c.addProperty("reason", r.reason());
            c.add("ir", r.ir() == null ? JsonNull.INSTANCE : new JsonPrimitive(r.ir().toString()));
            cands.add(c);
        }
        root.add("candidates", cands);
        JsonObject facts = new JsonObject();
        o.deviceFacts().forEach((k, v) -> facts.addProperty(k, String.valueOf(v)));
        root.add("deviceFacts", facts);
        root.addProperty("createdAt", Instant.now().toString());
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root) + "\n";
    }

    private static JsonElement num(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? JsonNull.INSTANCE : new JsonPrimitive(round(v, 6));
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    // ---------------------------------------------------------------- console

    /** The candidate table for the console, in search order. */
    static String table(OptimizeJob.Outcome o) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "candidate", "GFLOPs", "MB", "mAP50 build", "mAP50 device", "latency med/p90 ms",
                "peak MB", "status"});
        List<CandidateResult> sorted = new ArrayList<>(o.candidates());
        sorted.sort(Comparator.comparingInt(CandidateResult::order));
        for (CandidateResult r : sorted) {
            rows.add(new String[] {Integer.toString(r.order()), r.candidate().id(), f(r.gflops(), "%.3f"),
                    r.sizeBytes() < 0 ? "-" : f(r.sizeBytes() / 1e6, "%.2f"), f(r.buildMap50(), "%.3f"),
                    f(r.deviceMap50(), "%.3f"),
                    r.latency() == null ? "-" : f(r.latency().median(), "%.1f") + " / " + f(r.latency().p90(), "%.1f"),
                    f(r.peakMemoryMb(), "%.0f"), r.status() == null ? "ERROR" : r.status().name()});
        }
        int[] w = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + w[i] + "s  ", rows.get(k)[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (k == 0) {
                sb.append("-".repeat(line.toString().stripTrailing().length())).append('\n');
            }
        }
        return sb.toString();
    }

    private static String f(double v, String fmt) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, fmt, v);
    }

    // ---------------------------------------------------------------- JUnit XML

    static String junit(OptimizeJob.Outcome o) {
        CandidateResult subject = o.winner() != null ? o.winner() : o.closest();
        List<String> cases = new ArrayList<>();
        int failures = 0;
        if (subject == null || subject.budgets().isEmpty()) {
            boolean ok = o.passed();
            failures += ok ? 0 : 1;
            cases.add("  <testcase classname=\"" + SUITE + "\" name=\"a candidate passes every budget\" time=\"0\">"
                    + (ok ? "" : "<failure message=\"" + x(firstLine(o.failureMessage())) + "\">" + x(o.failureMessage())
                            + "</failure>") + "</testcase>");
        } else {
            String who = (o.winner() != null ? "winner " : "closest ") + subject.candidate().id();
            for (BudgetResult b : subject.budgets()) {
                String name = who + ": " + b.label() + " " + b.budgetText() + " (" + b.property() + ")";
                String body = "";
                if (!b.passed()) {
                    failures++;
                    body = "<failure message=\"" + x(b.explanation()) + "\">" + x(o.passed() ? b.explanation()
                            : o.failureMessage()) + "</failure>";
                }
                cases.add("  <testcase classname=\"" + SUITE + "\" name=\"" + x(name) + "\" time=\"0\">" + body
                        + "</testcase>");
            }
        }
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\""
                + " time=\"%.3f\">\n", SUITE, cases.size(), failures, o.seconds()));
        sb.append("  <properties>\n");
        sb.append("    <property name=\"winner\" value=\"").append(o.winner() == null ? "" : x(o.winner().candidate().id()))
                .append("\"/>\n");
        sb.append("    <property name=\"candidates\" value=\"").append(o.candidates().size()).append("\"/>\n");
        sb.append("    <property name=\"deviceRuns\" value=\"").append(o.deviceRuns()).append("\"/>\n");
        sb.append("    <property name=\"deviceRunsCached\" value=\"").append(o.deviceRunsCached()).append("\"/>\n");
        sb.append("  </properties>\n");
        cases.forEach(c -> sb.append(c).append('\n'));
        sb.append("</testsuite>\n");
        return sb.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** XML/HTML escaping (text and attributes); control characters XML 1.0 forbids become spaces. */
    static String x(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- HTML

    static String html(OptimizeJob.Outcome o, OptimizeJob.Settings s) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>prune:optimize</title><style>"
                + "body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;font-size:85%}"
                + "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td.l,th.l{text-align:left}"
                + ".ok{background:#e3f4e1}.bad{background:#f8e0de}.skip{background:#f1f1f1}.win{font-weight:bold}"
                + ".banner{padding:.6em 1em;font-size:120%}"
                // the failure message wraps inside the banner; a verdict line or an id is never broken
                + ".banner pre{white-space:pre-wrap;font-size:80%;margin:.4em 0 0}td.nw,span.nw{white-space:nowrap}</style></head><body>\n");
        h.append("<h1>prune:optimize</h1>\n");
        if (o.passed()) {
            CandidateResult w = o.winner();
            h.append("<div class=\"banner ok\">WINNER <b>").append(x(w.candidate().id())).append("</b> (")
                    .append(x(w.candidate().describe())).append(String.format(Locale.ROOT, "): mAP50 %.3f on the device,"
                            + " %s latency %.1f ms, %.3f GFLOPs, %.2f MB", w.deviceMap50(),
                            o.budgets().latencyStatistic().id(), w.latencyMs(), w.gflops(), w.sizeBytes() / 1e6))
                    .append("</div>\n");
        } else {
            h.append("<div class=\"banner bad\">FAILED: <pre>").append(x(o.failureMessage())).append("</pre></div>\n");
        }
        h.append("<p>model <b>").append(x(s.model())).append("</b>, data <b>").append(x(s.data())).append("</b>, device <b>")
                .append(x(s.deviceSpecs())).append("</b>, backend <b>").append(x(s.device().backend())).append("</b>. ")
                .append(String.format(Locale.ROOT, "Total time %.1f s; device runs: %d new, %d from the cache;"
                        + " build-machine evaluations: %d new, %d from the cache.", o.seconds(), o.deviceRuns(),
                        o.deviceRunsCached(), o.evaluations(), o.evaluationsCached())).append("</p>\n");
        h.append("<h2>mAP50 against latency</h2>\n").append(pareto(o)).append('\n');
        h.append("<p>One point per candidate measured on the device (mAP50 from the device's detections, ")
                .append(x(o.budgets().latencyStatistic().id()))
                .append(" inference latency); the dashed line joins the Pareto front. Candidates not sent to the device"
                        + " are in the table only.</p>\n");
        h.append("<h2>Candidates</h2>\n<p>In search order: ascending predicted cost (GFLOPs x precision factor: FP16 1.0,"
                + " INT8 ").append(Candidate.costFactor(io.github.edgeprune.openvino.IrPrecision.INT8)).append(").</p>\n");
        h.append("<table><tr><th>#</th><th class=\"l\">candidate</th><th class=\"l\">recipe</th><th>precision</th>"
                + "<th>imgsz</th><th>GFLOPs</th><th>parameters</th><th>size MB</th><th>mAP50 build</th>"
                + "<th>mAP50 device</th><th>mAP50-95 device</th><th>latency median ms</th><th>latency p90 ms</th>"
                + "<th>peak MB</th><th class=\"l\">verdicts</th><th class=\"l\">status</th><th class=\"l\">why</th></tr>\n");
        List<CandidateResult> sorted = new ArrayList<>(o.candidates());
        sorted.sort(Comparator.comparingInt(CandidateResult::order));
        for (CandidateResult r : sorted) {
            String cls = r.status() == CandidateResult.Status.WINNER ? "ok win" : r.passed() ? "ok"
                    : r.status() == CandidateResult.Status.FAILED || r.status() == CandidateResult.Status.ERROR ? "bad" : "skip";
            StringBuilder verdicts = new StringBuilder();
            for (BudgetResult b : r.budgets()) {
                // a narrow window may break a line between the budget and its verdict, never inside either
                verdicts.append("<span class=\"nw\">").append(x(b.label())).append(' ').append(x(b.budgetText()))
                        .append(":</span> <span class=\"nw\">").append(b.verdict()).append("</span><br/>");
            }
            h.append("<tr class=\"").append(cls).append("\"><td>").append(r.order()).append("</td><td class=\"l nw\">")
                    .append(x(r.candidate().id())).append("</td><td class=\"l\">").append(x(!r.candidate().channelCut()
                            ? r.candidate().whatIsDone() : String.format(Locale.ROOT, "channels, targetFlops %.2f", r.candidate().targetFlops())))
                    .append("</td><td>").append(r.candidate().precision()).append("</td><td>").append(r.candidate().imgsz())
                    .append("</td><td>").append(f(r.gflops(), "%.3f")).append("</td><td>")
                    .append(r.parameters() < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.parameters())).append("</td><td>")
                    .append(r.sizeBytes() < 0 ? "-" : f(r.sizeBytes() / 1e6, "%.2f")).append("</td><td>")
                    .append(f(r.buildMap50(), "%.3f")).append("</td><td>").append(f(r.deviceMap50(), "%.3f"))
                    .append("</td><td>").append(f(r.deviceMap50_95(), "%.3f")).append("</td><td>")
                    .append(r.latency() == null ? "-" : f(r.latency().median(), "%.1f")).append("</td><td>")
                    .append(r.latency() == null ? "-" : f(r.latency().p90(), "%.1f")).append("</td><td>")
                    .append(f(r.peakMemoryMb(), "%.0f")).append("</td><td class=\"l\">").append(verdicts)
                    .append("</td><td class=\"l nw\">").append(r.status() == null ? "ERROR" : r.status().name())
                    .append("</td><td class=\"l\">").append(x(r.reason())).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Device</h2>\n<table>");
        for (Map.Entry<String, Object> e : o.deviceFacts().entrySet()) {
            h.append("<tr><th class=\"l\">").append(x(e.getKey())).append("</th><td class=\"l\">")
                    .append(x(String.valueOf(e.getValue()))).append("</td></tr>");
        }
        if (o.deviceFacts().isEmpty()) {
            h.append("<tr><td class=\"l\">no candidate reached the device</td></tr>");
        }
        h.append("</table>\n<p>Each measured candidate's own verify-on-device report is in its folder under"
                + " <code>candidates/&lt;id&gt;/device/</code> (with several devices, one"
                + " <code>device-&lt;name&gt;/</code> per device).</p>\n</body></html>\n");
        return h.toString();
    }

    static final int W = 720;
    static final int H = 400;
    private static final int LEFT = 64;
    private static final int RIGHT = 24;
    // room above the plot for the legend row
    private static final int TOP = 48;
    private static final int BOTTOM = 52;
    /** Width of one character of the 11 px sans-serif labels, generously estimated (DejaVu Sans is about 6.4). */
    static final double CHAR_W = 6.6;
    private static final int LINE_H = 14;

    /** mAP50 (y) against latency (x) as inline SVG: one point per device-measured candidate, budget lines, the winner ringed. */
    static String pareto(OptimizeJob.Outcome o) {
        List<CandidateResult> pts = o.candidates().stream().filter(CandidateResult::measuredOnDevice).toList();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">", W, H, W, H));
        s.append("<title>mAP50 against latency per candidate</title>");
        if (pts.isEmpty()) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">no candidate was measured on the device</text></svg>",
                    LEFT, H / 2));
            return s.toString();
        }
        double xLo = Double.POSITIVE_INFINITY;
        double xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        for (CandidateResult r : pts) {
            xLo = Math.min(xLo, r.latencyMs());
            xHi = Math.max(xHi, r.latencyMs());
            yLo = Math.min(yLo, r.deviceMap50());
            yHi = Math.max(yHi, r.deviceMap50());
        }
        Double maxLat = o.budgets().maxLatencyMs();
        Double minMap = o.budgets().minMap50();
        // a budget line is drawn when it lies near the points (a generous budget far away would squash them)
        boolean latLine = maxLat != null && maxLat <= 2 * xHi;
        boolean mapLine = minMap != null;
        if (latLine) {
            xLo = Math.min(xLo, maxLat);
            xHi = Math.max(xHi, maxLat);
        }
        if (mapLine) {
            yLo = Math.min(yLo, minMap);
            yHi = Math.max(yHi, minMap);
        }
        double xPad = 0.1 * Math.max(xHi - xLo, 1);
        xLo = Math.max(0, xLo - xPad);
        xHi = xHi + xPad;
        yLo = Math.max(0, yLo - 0.05);
        yHi = Math.min(1, yHi + 0.05);
        // the axes end on round ticks, so every tick label is a round number
        double xStep = niceStep((xHi - xLo) / 5);
        double yStep = niceStep(Math.max(yHi - yLo, 0.05) / 5);
        double x0 = Math.floor(xLo / xStep) * xStep;
        double x1 = Math.max(Math.ceil(xHi / xStep) * xStep, x0 + xStep);
        double y0 = Math.floor(yLo / yStep + 1e-9) * yStep;
        double y1 = Math.max(Math.ceil(yHi / yStep - 1e-9) * yStep, y0 + yStep);
        java.util.function.DoubleUnaryOperator sx = v -> LEFT + (v - x0) / (x1 - x0) * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator sy = v -> H - BOTTOM - (v - y0) / (y1 - y0) * (H - TOP - BOTTOM);
        s.append("<rect x=\"0\" y=\"0\" width=\"").append(W).append("\" height=\"").append(H).append("\" fill=\"#fff\"/>");
        legend(s);
        s.append("<g class=\"grid\" stroke=\"#e6e6e6\">");
        for (double t = x0; t <= x1 + xStep / 2; t += xStep) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", sx.applyAsDouble(t),
                    TOP, sx.applyAsDouble(t), H - BOTTOM));
        }
        for (double t = y0; t <= y1 + yStep / 2; t += yStep) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LEFT,
                    sy.applyAsDouble(t), W - RIGHT, sy.applyAsDouble(t)));
        }
        s.append("</g>");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
                LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
        s.append("<g class=\"ticks\" fill=\"#333\">");
        for (double t = x0; t <= x1 + xStep / 2; t += xStep) {
            double px = sx.applyAsDouble(t);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#666\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, H - BOTTOM, px, H - BOTTOM + 4, px,
                    H - BOTTOM + 17, tick(t, xStep)));
        }
        for (double t = y0; t <= y1 + yStep / 2; t += yStep) {
            double py = sy.applyAsDouble(t);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#666\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT - 4, py, LEFT, py, LEFT - 7, py + 4,
                    tick(t, yStep)));
        }
        s.append("</g>");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s latency (ms)</text>",
                (W + LEFT - RIGHT) / 2, H - 14, x(o.budgets().latencyStatistic().id())));
        int midY = (H - BOTTOM + TOP) / 2;
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">"
                + "mAP50 (device)</text>", midY, midY));
        // every label placed so far (budget and point labels), so that a new one does not cover one of them
        List<double[]> placed = new ArrayList<>();
        if (mapLine) {
            double y = sy.applyAsDouble(minMap);
            String label = "minMap50 " + String.format(Locale.ROOT, "%.3f", minMap);
            // above the line, or below it when the line runs along the top of the plot
            double ty = y - 4 - LINE_H < TOP ? y + 4 + 10 : y - 4;
            s.append(String.format(Locale.ROOT, "<line class=\"budget\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
                    + " stroke=\"#c0392b\" stroke-dasharray=\"4 3\"><title>prune.minMap50 %.3f</title></line>"
                    + "<text x=\"%d\" y=\"%.1f\" fill=\"#c0392b\" text-anchor=\"end\">%s</text>", LEFT, y,
                    W - RIGHT, y, minMap, W - RIGHT - 4, ty, x(label)));
            placed.add(box(W - RIGHT - 4 - width(label), ty, width(label)));
        }
        if (latLine) {
            double xx = sx.applyAsDouble(maxLat);
            String label = "maxLatencyMs " + budgetNumber(maxLat);
            // right of the line, or left of it when the line is in the right half
            boolean left = xx > (LEFT + W - RIGHT) / 2.0;
            double tx = left ? xx - 4 : xx + 4;
            int ty = TOP + 13;
            s.append(String.format(Locale.ROOT, "<line class=\"budget\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                    + " stroke=\"#c0392b\" stroke-dasharray=\"4 3\"><title>prune.maxLatencyMs %s</title></line>"
                    + "<text x=\"%.1f\" y=\"%d\" fill=\"#c0392b\"%s>%s</text>", xx, TOP, xx, H - BOTTOM,
                    budgetNumber(maxLat), tx, ty, left ? " text-anchor=\"end\"" : "", x(label)));
            placed.add(box(left ? tx - width(label) : tx, ty, width(label)));
        }
        // Pareto front: by latency, each point more accurate than every faster one
        List<CandidateResult> byLatency = new ArrayList<>(pts);
        byLatency.sort(Comparator.comparingDouble(CandidateResult::latencyMs));
        StringBuilder front = new StringBuilder();
        double best = Double.NEGATIVE_INFINITY;
        for (CandidateResult r : byLatency) {
            if (r.deviceMap50() > best) {
                best = r.deviceMap50();
                front.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.applyAsDouble(r.latencyMs()),
                        sy.applyAsDouble(r.deviceMap50())));
            }
        }
        s.append("<polyline class=\"pareto\" fill=\"none\" stroke=\"#555\" stroke-dasharray=\"2 2\" points=\"")
                .append(front.toString().strip()).append("\"/>");
        // the points (with the winner's ring) are obstacles for every label, so no label covers a point
        for (CandidateResult r : byLatency) {
            double px = sx.applyAsDouble(r.latencyMs());
            double py = sy.applyAsDouble(r.deviceMap50());
            placed.add(new double[] {px - 11, py - 11, px + 11, py + 11});
        }
        StringBuilder labels = new StringBuilder();
        for (CandidateResult r : byLatency) {
            double px = sx.applyAsDouble(r.latencyMs());
            double py = sy.applyAsDouble(r.deviceMap50());
            String color = r.passed() ? "#2e8b57" : "#c0392b";
            String title = String.format(Locale.ROOT, "%s: mAP50 %.3f, %.1f ms, %s", r.candidate().id(), r.deviceMap50(),
                    r.latencyMs(), r.status());
            if (r.status() == CandidateResult.Status.WINNER) {
                s.append(String.format(Locale.ROOT, "<circle class=\"winner\" cx=\"%.1f\" cy=\"%.1f\" r=\"10\" fill=\"none\""
                        + " stroke=\"#1f5fa8\" stroke-width=\"2.5\"/>", px, py));
            }
            s.append(String.format(Locale.ROOT, "<circle class=\"candidate\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">"
                    + "<title>%s</title></circle>", px, py, color, x(title)));
            String label = r.candidate().id() + (r.status() == CandidateResult.Status.WINNER ? " (winner)" : "");
            double[] at = placeLabel(px, py, width(label), placed);
            double[] b = box(at[0], at[1], width(label));
            placed.add(b);
            // a label pushed away from its point gets a thin leader line, so it is clear whose it is
            double cx = Math.max(b[0], Math.min(px, b[2]));
            double cy = Math.max(b[1], Math.min(py, b[3]));
            double d = Math.hypot(cx - px, cy - py);
            if (d > 16) {
                labels.append(String.format(Locale.ROOT, "<line class=\"leader\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
                        + " y2=\"%.1f\" stroke=\"#888\" stroke-width=\"0.8\"/>", px + (cx - px) * 6 / d,
                        py + (cy - py) * 6 / d, cx, cy));
            }
            labels.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\">%s</text>", at[0], at[1],
                    x(label)));
        }
        // labels last, so no point is drawn over a label
        s.append(labels).append("</svg>");
        return s.toString();
    }

    /**
     * Where a point's label goes (x of its left end, baseline y): beside the point, on its right unless it
     * would run past the right edge, just above it, else just below, else on the other side, else a line
     * further up or down each time, so that it covers no point and no label placed before and stays
     * inside the plot.
     */
    static double[] placeLabel(double px, double py, double w, List<double[]> placed) {
        double right = px + 12;
        double left = px - 12 - w;
        boolean rightFits = right + w <= W - RIGHT - 2;
        double[] sides = rightFits ? new double[] {right, left} : new double[] {left, right};
        for (int k = 0; k < 4; k++) {
            for (double y : new double[] {py - 6 - k * LINE_H, py + 14 + k * LINE_H}) {
                for (double x : sides) {
                    if (x < LEFT + 2 || x + w > W - RIGHT - 2 || y - 10 < TOP || y + 3 > H - BOTTOM) {
                        continue;
                    }
                    double[] b = box(x, y, w);
                    if (placed.stream().noneMatch(p -> overlaps(p, b))) {
                        return new double[] {x, y};
                    }
                }
            }
        }
        return new double[] {Math.max(LEFT + 2, rightFits ? right : left), Math.max(TOP + 12, Math.min(H - BOTTOM - 4, py - 6))};
    }

    /** A label's box {x0, y0, x1, y1} for its left end and baseline. */
    static double[] box(double x, double baseline, double w) {
        return new double[] {x, baseline - 10, x + w, baseline + 3};
    }

    static boolean overlaps(double[] a, double[] b) {
        return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    }

    static double width(String label) {
        return CHAR_W * label.length();
    }

    /**
     * What the marks mean, in a row above the plot. The markers are rects (a round one for a dot), not
     * circles: the chart's circles are exactly one per candidate plus the winner's ring.
     */
    private static void legend(StringBuilder s) {
        int y = 24;
        double x = LEFT;
        String[][] entries = {
            {"dot", "#2e8b57", "meets every budget"},
            {"dot", "#c0392b", "misses a budget"},
            {"ring", "#1f5fa8", "winner"},
            {"dash", "#555", "Pareto front"},
            {"budget", "#c0392b", "budget"}};
        s.append("<g class=\"legend\">");
        for (String[] e : entries) {
            switch (e[0]) {
                case "dot" -> s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\""
                        + " rx=\"5\" fill=\"%s\"/>", x + 3, y - 8, e[1]));
                case "ring" -> s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"16\" height=\"16\""
                        + " rx=\"8\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"/>", x, y - 11, e[1]));
                default -> s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
                        + " stroke-dasharray=\"%s\"/>", x, y - 3, x + 16, y - 3, e[1], e[0].equals("dash") ? "2 2" : "4 3"));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", x + 21, y + 1, e[2]));
            x += 21 + width(e[2]) + 18;
        }
        s.append("</g>");
    }

    /** About five round steps: 1, 2 or 5 times a power of ten. */
    static double niceStep(double rough) {
        if (!(rough > 0)) {
            return 1;
        }
        double exp = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / exp;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
    }

    /** A tick value with as many decimals as its step needs (step 0.2: "0.4", step 5: "15"). */
    static String tick(double v, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step * 1e-6 ? 0.0 : v);
    }

    /** A budget as given: 0.01 stays "0.01" (not "0.0"), 40 is "40", 100000 is "100000". */
    static String budgetNumber(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(Math.abs(v) >= 1 ? 15 : 3))
                .stripTrailingZeros().toPlainString();
    }
}
