package io.github.edgeprune.device.verify;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.github.edgeprune.device.MemorySample;
import io.github.edgeprune.device.MemoryProfile;
import io.github.edgeprune.util.AtomicOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes a {@link VerifyReport} into a folder (normally {@code target/prune/reports/}), each file
 * atomically: {@code verify.json} for machines, {@code verify.html} for people (verdicts, device,
 * latency histogram and memory plot as inline SVG), and {@code TEST-prune-verify.xml} in JUnit
 * XML so CI servers show the gate as tests (one per budget, plus "runs on device").
 */
public final class ReportWriter {

    public static final String JSON = "verify.json";
    public static final String HTML = "verify.html";
    public static final String JUNIT = "TEST-prune-verify.xml";
    static final String SUITE = "prune.verify-on-device";

    private ReportWriter() {
    }

    /** The files written. */
    public record Written(Path json, Path html, Path junit) {
    }

    public static Written write(Path folder, VerifyReport report) throws IOException {
        Files.createDirectories(folder);
        Path json = folder.resolve(JSON);
        Path html = folder.resolve(HTML);
        Path junit = folder.resolve(JUNIT);
        AtomicOutput.writeString(json, json(report));
        AtomicOutput.writeString(html, html(report));
        AtomicOutput.writeFile(junit, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                junit(report, out);
            }
        });
        return new Written(json, html, junit);
    }

    /**
     * Writes the report in {@code folder} again with other budget verdicts (its figures are kept), adding
     * {@code note} once; nothing is written when the verdicts, at the report's precision, are the ones
     * already there. For a measurement reused from a cache under budgets other than those it was
     * measured with.
     *
     * @return whether the files were written
     */
    public static boolean restate(Path folder, List<BudgetResult> verdicts, String note) throws IOException {
        Path file = folder.resolve(JSON);
        VerifyReport was = ReportReader.read(file);
        VerifyReport.Builder now = was.toBuilder().budgetResults(verdicts);
        if (json(now.build()).equals(json(was))) {
            return false;
        }
        if (!was.notes().contains(note)) {
            now.note(note);
        }
        write(folder, now.build());
        return true;
    }

    // ---------------------------------------------------------------- JSON

    static String json(VerifyReport r) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", "edgeprune-verify/1");
        o.addProperty("createdAt", r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
        o.addProperty("passed", r.passed());
        o.addProperty("model", r.model());
        o.addProperty("backend", r.backend());
        o.addProperty("precision", r.precision());
        o.addProperty("emulated", r.emulated());
        JsonObject device = new JsonObject();
        for (Map.Entry<String, Object> e : r.device().entrySet()) {
            device.add(e.getKey(), value(e.getValue()));
        }
        o.add("device", device);
        o.add("map50", num(r.map50(), 6));
        o.add("map50_95", num(r.map50_95(), 6));
        o.add("latency", stats(r.latency()));
        o.add("frame", stats(r.frame()));
        o.add("memory", memory(r.memory()));
        JsonArray budgets = new JsonArray();
        for (BudgetResult b : r.budgets()) {
            JsonObject jb = new JsonObject();
            jb.addProperty("metric", b.metric());
            jb.addProperty("label", b.label());
            jb.addProperty("property", b.property());
            jb.addProperty("comparison", b.comparison());
            jb.add("budget", num(b.budget(), 6));
            jb.add("measured", num(b.measured(), 6));
            jb.addProperty("unit", b.unit());
            jb.addProperty("passed", b.passed());
            budgets.add(jb);
        }
        o.add("budgets", budgets);
        JsonObject run = new JsonObject();
        run.addProperty("completed", r.failure() == null);
        run.add("seconds", num(r.runSeconds(), 3));
        run.add("failure", r.failure() == null ? JsonNull.INSTANCE : new JsonPrimitive(r.failure()));
        o.add("run", run);
        o.add("latencySamplesMs", samples(r.latencySamples()));
        o.add("frameSamplesMs", samples(r.frameSamples()));
        JsonArray notes = new JsonArray();
        r.notes().forEach(notes::add);
        o.add("notes", notes);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    private static JsonObject stats(LatencyStats s) {
        JsonObject o = new JsonObject();
        o.addProperty("unit", "ms");
        o.addProperty("count", s.count());
        o.add("mean", num(s.mean(), 4));
        o.add("median", num(s.median(), 4));
        o.add("p90", num(s.p90(), 4));
        o.add("p99", num(s.p99(), 4));
        o.add("min", num(s.min(), 4));
        o.add("max", num(s.max(), 4));
        return o;
    }

    private static JsonElement memory(MemoryProfile m) {
        JsonObject o = new JsonObject();
        if (m == null) {
            o.add("peakMb", JsonNull.INSTANCE);
            o.add("peakPercent", JsonNull.INSTANCE);
            o.add("deviceTotalMb", JsonNull.INSTANCE);
            o.add("series", new JsonArray());
            return o;
        }
        o.add("peakMb", num(m.peakMb(), 2));
        o.add("peakPercent", num(m.peakPercent(), 3));
        o.add("deviceTotalMb", num(m.deviceTotalMb(), 1));
        o.add("hwmMb", num(m.hwmMb(), 2));
        o.addProperty("unit", "MiB");
        JsonArray series = new JsonArray();
        for (MemorySample p : m.series()) {
            JsonObject s = new JsonObject();
            s.add("t", num(p.seconds(), 3));
            s.add("rssMb", num(p.rssMb(), 2));
            series.add(s);
        }
        o.add("series", series);
        return o;
    }

    private static JsonArray samples(double[] v) {
        JsonArray a = new JsonArray();
        for (double d : v) {
            a.add(num(d, 4));
        }
        return a;
    }

    private static JsonElement num(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return JsonNull.INSTANCE;
        }
        return new JsonPrimitive(new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN)
                .stripTrailingZeros());
    }

    private static JsonElement value(Object v) {
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        if (v instanceof Number n) {
            return num(n.doubleValue(), 3);
        }
        if (v instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        return new JsonPrimitive(v.toString());
    }

    // ---------------------------------------------------------------- JUnit XML

    static void junit(VerifyReport r, OutputStream out) throws IOException {
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            nl(w, 0);
            int failures = 0;
            int skipped = 0;
            boolean ran = r.failure() == null;
            if (!ran) {
                failures++;
            }
            for (BudgetResult b : r.budgets()) {
                if (!ran) {
                    skipped++;
                } else if (!b.passed()) {
                    failures++;
                }
            }
            int tests = 1 + r.budgets().size();
            String time = seconds(r.runSeconds());
            w.writeStartElement("testsuites");
            w.writeAttribute("name", "prune");
            w.writeAttribute("tests", Integer.toString(tests));
            w.writeAttribute("failures", Integer.toString(failures));
            w.writeAttribute("errors", "0");
            w.writeAttribute("skipped", Integer.toString(skipped));
            w.writeAttribute("time", time);
            nl(w, 1);
            w.writeStartElement("testsuite");
            w.writeAttribute("name", SUITE);
            w.writeAttribute("tests", Integer.toString(tests));
            w.writeAttribute("failures", Integer.toString(failures));
            w.writeAttribute("errors", "0");
            w.writeAttribute("skipped", Integer.toString(skipped));
            w.writeAttribute("time", time);
            w.writeAttribute("timestamp", DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                    r.createdAt().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC).toLocalDateTime()));
            Object host = r.device().get("hostname");
            w.writeAttribute("hostname", host == null || host.toString().isEmpty() ? "device" : host.toString());
            nl(w, 2);
            w.writeStartElement("properties");
            property(w, "model", r.model());
            property(w, "backend", r.backend());
            property(w, "precision", r.precision());
            property(w, "emulated", Boolean.toString(r.emulated()));
            for (Map.Entry<String, Object> e : r.device().entrySet()) {
                property(w, "device." + e.getKey(), String.valueOf(e.getValue()));
            }
            nl(w, 2);
            w.writeEndElement();

            nl(w, 2);
            w.writeStartElement("testcase");
            w.writeAttribute("classname", SUITE);
            w.writeAttribute("name", "runs on device");
            w.writeAttribute("time", time);
            if (!ran) {
                nl(w, 3);
                w.writeStartElement("failure");
                w.writeAttribute("message", firstLine(r.failure()));
                w.writeAttribute("type", "RunFailed");
                w.writeCharacters(clean(r.failure()));
                w.writeEndElement();
                nl(w, 2);
            }
            w.writeEndElement();

            for (BudgetResult b : r.budgets()) {
                nl(w, 2);
                w.writeStartElement("testcase");
                w.writeAttribute("classname", SUITE + ".budgets");
                w.writeAttribute("name", b.label() + " budget (" + b.property() + ")");
                w.writeAttribute("time", "0");
                if (!ran) {
                    nl(w, 3);
                    w.writeEmptyElement("skipped");
                    w.writeAttribute("message", "not measured: the run on the device failed");
                    nl(w, 2);
                } else if (!b.passed()) {
                    nl(w, 3);
                    w.writeStartElement("failure");
                    w.writeAttribute("message", b.explanation());
                    w.writeAttribute("type", "BudgetMissed");
                    w.writeCharacters(b.explanation() + "\nbudget: " + b.budgetText() + "\nmeasured: " + b.measuredText() + "\n");
                    w.writeEndElement();
                    nl(w, 2);
                }
                w.writeEndElement();
            }
            nl(w, 2);
            w.writeStartElement("system-out");
            w.writeCData(Budgets.table(r.budgets()).replace("]]>", "]] >"));
            w.writeEndElement();
            nl(w, 1);
            w.writeEndElement(); // testsuite
            nl(w, 0);
            w.writeEndElement(); // testsuites
            nl(w, 0);
            w.writeEndDocument();
            w.flush();
            w.close();
        } catch (XMLStreamException e) {
            throw new IOException("could not write " + JUNIT + ": " + e.getMessage(), e);
        }
    }

    private static void property(XMLStreamWriter w, String name, String value) throws XMLStreamException {
        nl(w, 3);
        w.writeEmptyElement("property");
        w.writeAttribute("name", name);
        w.writeAttribute("value", clean(value));
    }

    private static void nl(XMLStreamWriter w, int depth) throws XMLStreamException {
        w.writeCharacters("\n" + "  ".repeat(depth));
    }

    private static String seconds(double s) {
        return Double.isFinite(s) ? String.format(Locale.ROOT, "%.3f", s) : "0";
    }

    private static String firstLine(String s) {
        String t = clean(s).strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    /** Removes characters XML 1.0 cannot carry (control characters from a crashed program's output). */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                    || (c >= 0x10000 && c <= 0x10FFFF);
            sb.appendCodePoint(ok ? c : '?');
        });
        return sb.toString();
    }

    // ---------------------------------------------------------------- HTML

    /** The document head every verify report shares: its title, escaped, and the style sheet. */
    static String head(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                + "<title>" + Html.escape(title) + "</title>\n<style>\n"
                + "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:1000px}\n"
                + "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\n"
                + "table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d0d0;padding:5px 10px;text-align:left;vertical-align:top}\n"
                + "th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
                + ".pass{background:#dff3e3;color:#1b5e20;font-weight:bold}.fail{background:#fbe0e0;color:#b71c1c;font-weight:bold}\n"
                + ".skip{background:#f3f3f3;color:#666;font-weight:bold}\n"
                + ".banner{display:inline-block;padding:4px 12px;border-radius:4px;font-weight:bold;font-size:15px}\n"
                + ".meta{color:#555}.note{color:#555}.emulated{background:#fff3cd;color:#7a5b00;padding:2px 8px;border-radius:3px}\n"
                + "pre{background:#f7f7f7;padding:8px;white-space:pre-wrap}svg{max-width:100%;height:auto;display:block;margin:8px 0}\n"
                + "</style>\n</head>\n<body>\n";
    }

    static String html(VerifyReport r) {
        StringBuilder h = new StringBuilder();
        String verdict = r.passed() ? "PASSED" : "FAILED";
        h.append(head("prune verify-on-device: " + verdict + " - " + r.model()));
        h.append("<h1>prune verify-on-device</h1>\n");
        h.append("<p><span class=\"banner ").append(r.passed() ? "pass" : "fail").append("\" id=\"verdict\">")
                .append(verdict).append("</span> ");
        if (r.emulated()) {
            h.append("<span class=\"emulated\">emulated device - timings are not the real device's</span>");
        }
        h.append("</p>\n<p class=\"meta\">model <b>").append(Html.escape(empty(r.model()))).append("</b>, backend <b>")
                .append(Html.escape(empty(r.backend()))).append("</b>, precision <b>")
                .append(Html.escape(empty(r.precision()))).append("</b>, device <b>")
                .append(Html.escape(String.valueOf(r.device().getOrDefault("name", "-")))).append("</b>, ")
                .append(Html.escape(r.createdAt().truncatedTo(ChronoUnit.SECONDS).toString())).append("</p>\n");
        if (r.failure() != null) {
            h.append("<h2>The run on the device failed</h2>\n<pre class=\"fail\">").append(Html.escape(clean(r.failure())))
                    .append("</pre>\n");
        }

        h.append("<h2>Budgets</h2>\n<table id=\"budgets\">\n<tr><th>metric</th><th>budget</th><th>measured</th><th>verdict</th><th>property</th></tr>\n");
        if (r.budgets().isEmpty()) {
            h.append("<tr><td colspan=\"5\">no budgets set (prune.minMap50, prune.maxLatencyMs, prune.maxMemoryMb)</td></tr>\n");
        }
        for (BudgetResult b : r.budgets()) {
            String cls = r.failure() != null ? "skip" : b.passed() ? "pass" : "fail";
            String v = r.failure() != null ? "NOT MEASURED" : b.verdict();
            h.append("<tr><td>").append(Html.escape(b.label())).append("</td><td class=\"num\">")
                    .append(Html.escape(b.budgetText())).append("</td><td class=\"num\">").append(Html.escape(b.measuredText()))
                    .append("</td><td class=\"").append(cls).append("\">").append(v).append("</td><td><code>")
                    .append(Html.escape(b.property())).append("</code></td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Measurements</h2>\n<table id=\"accuracy\">\n<tr><th>mAP50</th><th>mAP50-95</th></tr>\n<tr><td class=\"num\">")
                .append(Charts.num3(r.map50())).append("</td><td class=\"num\">").append(Charts.num3(r.map50_95()))
                .append("</td></tr>\n</table>\n");
        h.append("<table id=\"latency\">\n<tr><th>time per image (ms)</th><th>count</th><th>mean</th><th>median</th><th>p90</th><th>p99</th><th>min</th><th>max</th></tr>\n");
        statsRow(h, "inference", r.latency());
        statsRow(h, "frame (pre + inference + post)", r.frame());
        h.append("</table>\n");
        MemoryProfile m = r.memory();
        h.append("<table id=\"memory\">\n<tr><th>peak memory</th><th>of device RAM</th><th>device RAM</th><th>samples</th></tr>\n<tr><td class=\"num\">")
                .append(m == null ? "-" : Charts.num(m.peakMb()) + " MB").append("</td><td class=\"num\">")
                .append(m == null || Double.isNaN(m.peakPercent()) ? "-" : String.format(Locale.ROOT, "%.1f %%", m.peakPercent()))
                .append("</td><td class=\"num\">").append(m == null || m.deviceTotalMb() <= 0 ? "-" : Charts.num(m.deviceTotalMb()) + " MB")
                .append("</td><td class=\"num\">").append(m == null ? 0 : m.series().size()).append("</td></tr>\n</table>\n");

        Double latencyBudget = null;
        Double memoryBudget = null;
        String statistic = "median";
        for (BudgetResult b : r.budgets()) {
            if (b.metric().equals("latencyMs")) {
                latencyBudget = b.budget();
                statistic = b.label();
            } else if (b.metric().equals("memoryMb")) {
                memoryBudget = b.budget();
            }
        }
        h.append("<h2>Latency</h2>\n");
        h.append(Charts.latencyHistogram(r.latencySamples(), r.latency(), latencyBudget,
                "Inference latency, " + r.latency().count() + " images")).append('\n');
        if (latencyBudget != null) {
            h.append("<p class=\"note\">The budget applies to ").append(Html.escape(statistic)).append(".</p>\n");
        }
        h.append("<h2>Memory over time</h2>\n");
        h.append(Charts.memoryPlot(m, memoryBudget, "Resident memory (VmRSS), sampled every second")).append('\n');

        h.append("<h2>Device</h2>\n<table id=\"device\">\n");
        if (r.device().isEmpty()) {
            h.append("<tr><td>no facts were gathered</td></tr>\n");
        }
        for (Map.Entry<String, Object> e : r.device().entrySet()) {
            h.append("<tr><th>").append(Html.escape(e.getKey())).append("</th><td>")
                    .append(Html.escape(String.valueOf(e.getValue()))).append("</td></tr>\n");
        }
        h.append("</table>\n");
        List<String> notes = new ArrayList<>(r.notes());
        if (!notes.isEmpty()) {
            h.append("<h2>Notes</h2>\n<ul>\n");
            for (String n : notes) {
                h.append("<li>").append(Html.escape(clean(n))).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("<p class=\"note\">Memory in MB is MiB (1024 &#215; 1024 bytes), from VmRSS/VmHWM in /proc/PID/status."
                + " Percentiles as numpy's default (linear interpolation). Machine-readable: <code>")
                .append(JSON).append("</code>, <code>").append(JUNIT).append("</code>.</p>\n");
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void statsRow(StringBuilder h, String what, LatencyStats s) {
        h.append("<tr><th>").append(Html.escape(what)).append("</th><td class=\"num\">").append(s.count()).append("</td>");
        for (double v : new double[] {s.mean(), s.median(), s.p90(), s.p99(), s.min(), s.max()}) {
            h.append("<td class=\"num\">").append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v)).append("</td>");
        }
        h.append("</tr>\n");
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
