package io.github.edgeprune.device.verify;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.edgeprune.device.MemoryProfile;
import io.github.edgeprune.device.MemorySample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code verify.json} written by {@link ReportWriter} back into a {@link VerifyReport}, so a
 * report can be written again with other budgets (optimize checks a cached measurement against the
 * budgets of today's run without measuring again). Samples come back at the JSON's precision; the
 * statistics are the ones stored, not recomputed from rounded samples.
 */
public final class ReportReader {

    private ReportReader() {
    }

    public static VerifyReport read(Path json) throws IOException {
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException(json + ": not a verify report (" + e.getMessage() + ")", e);
        }
        if (!o.has("schema") || !o.get("schema").getAsString().startsWith("edgeprune-verify/")) {
            throw new IOException(json + ": not a verify report (no edgeprune-verify schema)");
        }
        VerifyReport.Builder b = VerifyReport.builder()
                .createdAt(Instant.parse(o.get("createdAt").getAsString()))
                .model(text(o, "model"))
                .backend(text(o, "backend"))
                .precision(text(o, "precision"))
                .emulated(o.has("emulated") && o.get("emulated").getAsBoolean())
                .map50(number(o.get("map50")))
                .map50_95(number(o.get("map50_95")))
                .latencySamples(samples(o.getAsJsonArray("latencySamplesMs")))
                .latency(stats(o.getAsJsonObject("latency")))
                .frameSamples(samples(o.getAsJsonArray("frameSamplesMs")))
                .frame(stats(o.getAsJsonObject("frame")))
                .memory(memory(o.getAsJsonObject("memory")));
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("device").entrySet()) {
            b.deviceFact(e.getKey(), fact(e.getValue()));
        }
        List<BudgetResult> budgets = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("budgets")) {
            JsonObject jb = e.getAsJsonObject();
            budgets.add(new BudgetResult(text(jb, "metric"), text(jb, "label"), text(jb, "property"),
                    text(jb, "comparison"), number(jb.get("budget")), number(jb.get("measured")), text(jb, "unit"),
                    jb.get("passed").getAsBoolean()));
        }
        b.budgetResults(budgets);
        JsonObject run = o.getAsJsonObject("run");
        b.runSeconds(number(run.get("seconds")));
        if (run.has("failure") && !run.get("failure").isJsonNull()) {
            b.failure(run.get("failure").getAsString());
        }
        for (JsonElement n : o.getAsJsonArray("notes")) {
            b.note(n.getAsString());
        }
        return b.build();
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private static double number(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private static Object fact(JsonElement e) {
        if (e.isJsonNull()) {
            return null;
        }
        var p = e.getAsJsonPrimitive();
        return p.isNumber() ? (Object) p.getAsDouble() : p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsString();
    }

    private static double[] samples(JsonArray a) {
        if (a == null) {
            return new double[0];
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(a.get(i));
        }
        return v;
    }

    private static LatencyStats stats(JsonObject s) {
        if (s == null || s.get("count").getAsInt() == 0) {
            return LatencyStats.empty();
        }
        return new LatencyStats(s.get("count").getAsInt(), number(s.get("mean")), number(s.get("median")),
                number(s.get("p90")), number(s.get("p99")), number(s.get("min")), number(s.get("max")));
    }

    private static MemoryProfile memory(JsonObject m) {
        if (m == null || m.get("peakMb").isJsonNull()) {
            return null;
        }
        List<MemorySample> series = new ArrayList<>();
        for (JsonElement e : m.getAsJsonArray("series")) {
            JsonObject s = e.getAsJsonObject();
            series.add(new MemorySample(number(s.get("t")), number(s.get("rssMb"))));
        }
        return new MemoryProfile(series, number(m.get("peakMb")), number(m.get("hwmMb")), number(m.get("deviceTotalMb")));
    }
}
