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
            c.add("targetFlops", num(r.candidate().dense() ? null : r.candidate().targetFlops()));
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
                + "body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;font-size:90%}"
                + "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td.l,th.l{text-align:left}"
                + ".ok{background:#e3f4e1}.bad{background:#f8e0de}.skip{background:#f1f1f1}.win{font-weight:bold}"
                + ".banner{padding:.6em 1em;font-size:120%}</style></head><body>\n");
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
                verdicts.append(x(b.label())).append(' ').append(x(b.budgetText())).append(": ").append(b.verdict())
                        .append("<br/>");
            }
            h.append("<tr class=\"").append(cls).append("\"><td>").append(r.order()).append("</td><td class=\"l\">")
                    .append(x(r.candidate().id())).append("</td><td class=\"l\">").append(x(r.candidate().dense() ? "dense"
                            : String.format(Locale.ROOT, "channels, targetFlops %.2f", r.candidate().targetFlops())))
                    .append("</td><td>").append(r.candidate().precision()).append("</td><td>").append(r.candidate().imgsz())
                    .append("</td><td>").append(f(r.gflops(), "%.3f")).append("</td><td>")
                    .append(r.parameters() < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.parameters())).append("</td><td>")
                    .append(r.sizeBytes() < 0 ? "-" : f(r.sizeBytes() / 1e6, "%.2f")).append("</td><td>")
                    .append(f(r.buildMap50(), "%.3f")).append("</td><td>").append(f(r.deviceMap50(), "%.3f"))
                    .append("</td><td>").append(f(r.deviceMap50_95(), "%.3f")).append("</td><td>")
                    .append(r.latency() == null ? "-" : f(r.latency().median(), "%.1f")).append("</td><td>")
                    .append(r.latency() == null ? "-" : f(r.latency().p90(), "%.1f")).append("</td><td>")
                    .append(f(r.peakMemoryMb(), "%.0f")).append("</td><td class=\"l\">").append(verdicts)
                    .append("</td><td class=\"l\">").append(r.status() == null ? "ERROR" : r.status().name())
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

    private static final int W = 680;
    private static final int H = 380;
    private static final int LEFT = 60;
    private static final int RIGHT = 30;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

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
        xLo = Math.max(0, xLo - 0.1 * Math.max(xHi - xLo, 1));
        xHi = xHi + 0.1 * Math.max(xHi - xLo, 1);
        yLo = Math.max(0, yLo - 0.05);
        yHi = Math.min(1, yHi + 0.05);
        if (yHi - yLo < 0.05) {
            yHi = yLo + 0.05;
        }
        double x0 = xLo;
        double x1 = xHi;
        double y0 = yLo;
        double y1 = yHi;
        java.util.function.DoubleUnaryOperator sx = v -> LEFT + (v - x0) / (x1 - x0) * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator sy = v -> H - BOTTOM - (v - y0) / (y1 - y0) * (H - TOP - BOTTOM);
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
                LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM));
        for (int i = 0; i <= 5; i++) {
            double xv = x0 + i * (x1 - x0) / 5;
            double yv = y0 + i * (y1 - y0) / 5;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                    sx.applyAsDouble(xv), H - BOTTOM + 16, trim(xv)));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>", LEFT - 6,
                    sy.applyAsDouble(yv) + 4, yv));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s latency (ms)</text>",
                (W + LEFT - RIGHT) / 2, H - 12, x(o.budgets().latencyStatistic().id())));
        s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
                + "mAP50 (device)</text>", (H - BOTTOM + TOP) / 2, (H - BOTTOM + TOP) / 2));
        if (mapLine) {
            double y = sy.applyAsDouble(minMap);
            s.append(String.format(Locale.ROOT, "<line class=\"budget\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
                    + " stroke=\"#c0392b\" stroke-dasharray=\"4 3\"><title>prune.minMap50 %.3f</title></line>"
                    + "<text x=\"%d\" y=\"%.1f\" fill=\"#c0392b\" text-anchor=\"end\">minMap50 %.3f</text>", LEFT, y,
                    W - RIGHT, y, minMap, W - RIGHT - 4, y - 4, minMap));
        }
        if (latLine) {
            double xx = sx.applyAsDouble(maxLat);
            s.append(String.format(Locale.ROOT, "<line class=\"budget\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\""
                    + " stroke=\"#c0392b\" stroke-dasharray=\"4 3\"><title>prune.maxLatencyMs %s</title></line>"
                    + "<text x=\"%.1f\" y=\"%d\" fill=\"#c0392b\">maxLatencyMs %s</text>", xx, TOP, xx, H - BOTTOM,
                    trim(maxLat), xx + 4, TOP + 12, trim(maxLat)));
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
        for (CandidateResult r : pts) {
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
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s%s</text>", px + 8, py - 6,
                    x(r.candidate().id()), r.status() == CandidateResult.Status.WINNER ? " (winner)" : ""));
        }
        s.append("</svg>");
        return s.toString();
    }

    private static String trim(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
