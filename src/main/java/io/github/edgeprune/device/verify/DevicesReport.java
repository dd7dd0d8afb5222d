package io.github.edgeprune.device.verify;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The summary of a verification on several devices: {@code verify-devices.json} for machines and
 * {@code verify-devices.html} for people, one section per device, each pointing at that device's own
 * verify-on-device reports (its folder holds verify.json, verify.html and the JUnit XML, which CI
 * collects as it collects a single device's).
 */
public final class DevicesReport {

    public static final String JSON = "verify-devices.json";
    public static final String HTML = "verify-devices.html";

    /** The files written. */
    public record Written(Path json, Path html) {
    }

    private DevicesReport() {
    }

    public static Written write(Path root, String model, Budgets budgets, List<MultiDeviceVerify.DeviceResult> devices)
            throws IOException {
        Files.createDirectories(root);
        Path json = root.resolve(JSON);
        Path html = root.resolve(HTML);
        AtomicOutput.writeString(json, json(root, model, devices));
        AtomicOutput.writeString(html, html(root, model, budgets, devices));
        return new Written(json, html);
    }

    static String json(Path root, String model, List<MultiDeviceVerify.DeviceResult> devices) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", "edgeprune-verify-devices/1");
        o.addProperty("createdAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        o.addProperty("passed", devices.stream().allMatch(MultiDeviceVerify.DeviceResult::passed));
        o.addProperty("model", model);
        JsonArray list = new JsonArray();
        for (MultiDeviceVerify.DeviceResult d : devices) {
            JsonObject jd = new JsonObject();
            jd.addProperty("device", d.device().spec());
            jd.addProperty("verdict", d.verdict());
            jd.addProperty("passed", d.passed());
            jd.add("error", d.error() == null ? JsonNull.INSTANCE : new JsonPrimitive(d.error()));
            jd.addProperty("report", root.relativize(d.reportDir().resolve(ReportWriter.JSON)).toString());
            VerifyReport r = d.outcome() == null ? null : d.outcome().report();
            jd.add("backend", r == null ? JsonNull.INSTANCE : new JsonPrimitive(r.backend()));
            jd.add("precision", r == null ? JsonNull.INSTANCE : new JsonPrimitive(r.precision()));
            jd.addProperty("emulated", r != null && r.emulated());
            jd.add("map50", num(r == null ? Double.NaN : r.map50()));
            jd.add("map50_95", num(r == null ? Double.NaN : r.map50_95()));
            jd.add("latencyMedianMs", num(r == null ? Double.NaN : r.latency().median()));
            jd.add("latencyP90Ms", num(r == null ? Double.NaN : r.latency().p90()));
            jd.add("peakMemoryMb", num(r == null || r.memory() == null ? Double.NaN : r.memory().peakMb()));
            JsonArray budgets = new JsonArray();
            if (d.outcome() != null) {
                for (BudgetResult b : d.outcome().budgets()) {
                    JsonObject jb = new JsonObject();
                    jb.addProperty("metric", b.metric());
                    jb.addProperty("property", b.property());
                    jb.addProperty("comparison", b.comparison());
                    jb.add("budget", num(b.budget()));
                    jb.add("measured", num(b.measured()));
                    jb.addProperty("verdict", b.verdict());
                    budgets.add(jb);
                }
            }
            jd.add("budgets", budgets);
            list.add(jd);
        }
        o.add("devices", list);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    static String html(Path root, String model, Budgets budgets, List<MultiDeviceVerify.DeviceResult> devices) {
        boolean passed = devices.stream().allMatch(MultiDeviceVerify.DeviceResult::passed);
        long bad = devices.stream().filter(d -> !d.passed()).count();
        String verdict = passed ? "PASSED" : "FAILED";
        StringBuilder h = new StringBuilder(ReportWriter.head("prune verify-on-device, " + devices.size() + " devices: "
                + verdict + " - " + model));
        h.append("<h1>prune verify-on-device on ").append(devices.size()).append(" devices</h1>\n");
        h.append("<p><span class=\"banner ").append(passed ? "pass" : "fail").append("\" id=\"verdict\">").append(verdict)
                .append("</span> ").append(passed ? "every device passes every budget"
                        : bad + " of " + devices.size() + " devices did not pass").append("</p>\n");
        h.append("<p class=\"meta\">model <b>").append(Html.escape(model)).append("</b>; the build passes only when every"
                + " device passes.</p>\n");
        h.append("<h2>Devices</h2>\n<table id=\"devices\">\n<tr><th>device</th><th>verdict</th><th>backend</th>"
                + "<th>precision</th><th>mAP50</th><th>latency median ms</th><th>latency p90 ms</th><th>peak memory MB</th>"
                + "<th>report</th></tr>\n");
        for (MultiDeviceVerify.DeviceResult d : devices) {
            VerifyReport r = d.outcome() == null ? null : d.outcome().report();
            h.append("<tr><td>").append(Html.escape(d.device().spec())).append("</td><td class=\"")
                    .append(d.passed() ? "pass" : "fail").append("\">").append(d.verdict()).append("</td><td>")
                    .append(Html.escape(r == null ? "-" : r.backend())).append("</td><td>")
                    .append(Html.escape(r == null ? "-" : r.precision())).append("</td><td class=\"num\">")
                    .append(f(r == null ? Double.NaN : r.map50(), "%.4f")).append("</td><td class=\"num\">")
                    .append(f(r == null ? Double.NaN : r.latency().median(), "%.1f")).append("</td><td class=\"num\">")
                    .append(f(r == null ? Double.NaN : r.latency().p90(), "%.1f")).append("</td><td class=\"num\">")
                    .append(f(r == null || r.memory() == null ? Double.NaN : r.memory().peakMb(), "%.1f"))
                    .append("</td><td><a href=\"").append(Html.escape(link(root, d))).append("\">")
                    .append(Html.escape(link(root, d))).append("</a></td></tr>\n");
        }
        h.append("</table>\n");
        for (MultiDeviceVerify.DeviceResult d : devices) {
            h.append("<h2 id=\"device-").append(Html.escape(d.device().folder())).append("\">")
                    .append(Html.escape(d.device().spec())).append(": ").append(d.verdict()).append("</h2>\n");
            if (d.error() != null) {
                h.append("<p>Not verified: the device could not be reached or the run failed.</p>\n<pre class=\"fail\">")
                        .append(Html.escape(d.error())).append("</pre>\n");
                continue;
            }
            VerifyReport r = d.outcome().report();
            if (r.emulated()) {
                h.append("<p><span class=\"emulated\">emulated device - timings are not the real device's; latency and"
                        + " memory budgets are reported, not enforced</span></p>\n");
            }
            h.append("<p class=\"meta\">").append(Html.escape(describe(r))).append("</p>\n");
            h.append("<table>\n<tr><th>budget</th><th>limit</th><th>measured</th><th>verdict</th></tr>\n");
            for (BudgetResult b : d.outcome().budgets()) {
                h.append("<tr><td>").append(Html.escape(b.label())).append(" (").append(Html.escape(b.property()))
                        .append(")</td><td>").append(Html.escape(b.budgetText())).append("</td><td class=\"num\">")
                        .append(Html.escape(b.measuredText())).append("</td><td class=\"")
                        .append(b.passed() ? "pass" : "fail").append("\">").append(b.verdict()).append("</td></tr>\n");
            }
            if (d.outcome().budgets().isEmpty()) {
                h.append("<tr><td colspan=\"4\">no budget set: measured only</td></tr>\n");
            }
            h.append("</table>\n");
        }
        if (budgets.isEmpty()) {
            h.append("<p class=\"note\">No budget is set (prune.minMap50, prune.maxLatencyMs, prune.maxMemoryMb).</p>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** The devices as a text table for the build log. */
    static String table(List<MultiDeviceVerify.DeviceResult> devices) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"device", "verdict", "mAP50", "median ms", "peak MB"});
        for (MultiDeviceVerify.DeviceResult d : devices) {
            VerifyReport r = d.outcome() == null ? null : d.outcome().report();
            rows.add(new String[] {d.device().spec(), d.verdict(), f(r == null ? Double.NaN : r.map50(), "%.4f"),
                    f(r == null ? Double.NaN : r.latency().median(), "%.1f"),
                    f(r == null || r.memory() == null ? Double.NaN : r.memory().peakMb(), "%.1f")});
        }
        int[] w = new int[5];
        for (String[] row : rows) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                line.append(String.format(Locale.ROOT, "%-" + w[i] + "s  ", row[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String describe(VerifyReport r) {
        return String.format(Locale.ROOT, "backend %s, precision %s; mAP50 %.4f, mAP50-95 %.4f; latency median %.1f ms,"
                + " p90 %.1f ms; peak memory %s MB; device %s", r.backend(), r.precision(), r.map50(), r.map50_95(),
                r.latency().median(), r.latency().p90(), r.memory() == null ? "-" : f(r.memory().peakMb(), "%.1f"),
                r.device().getOrDefault("model", r.device().getOrDefault("hostname", "")));
    }

    private static String link(Path root, MultiDeviceVerify.DeviceResult d) {
        return root.relativize(d.reportDir().resolve(ReportWriter.HTML)).toString().replace('\\', '/');
    }

    private static String f(double v, String format) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static JsonElement num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? JsonNull.INSTANCE : new JsonPrimitive(v);
    }
}
