package io.github.edgeprune.prune;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.edgeprune.prune.channels.ChannelRecord;
import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What was done to a model's weights, saved as a bundle's {@code prune.json} and carried into
 * the IR's rt_info: method, schedule, requested amounts, the paper's global sparsities, a
 * row per pruned tensor and, when channels were removed, the {@link ChannelRecord}.
 */
public record PruneRecord(String method, String schedule, String scope, double requestedConv, double requestedBn,
        double convSparsity, double bnSparsity, List<LayerRow> layers, Map<String, String> extra,
        ChannelRecord channels) {

    /** One pruned tensor. */
    public record LayerRow(String name, String kind, long size, long zeros) {
        public double sparsity() {
            return size == 0 ? 0 : (double) zeros / size;
        }
    }

    public PruneRecord {
        layers = List.copyOf(layers);
        extra = new LinkedHashMap<>(extra);
    }

    /** A record of unstructured pruning only (no channels removed). */
    public PruneRecord(String method, String schedule, String scope, double requestedConv, double requestedBn,
            double convSparsity, double bnSparsity, List<LayerRow> layers, Map<String, String> extra) {
        this(method, schedule, scope, requestedConv, requestedBn, convSparsity, bnSparsity, layers, extra, null);
    }

    /** The same record with the structured pruning that shaped the model. */
    public PruneRecord withChannels(ChannelRecord record) {
        return new PruneRecord(method, schedule, scope, requestedConv, requestedBn, convSparsity, bnSparsity, layers,
                extra, record);
    }

    /** The record of a model nobody pruned (sparsity measured all the same). */
    public static PruneRecord none(Map<String, HostTensor> tensors, PruneTargets targets) {
        return measure("none", "none", "layer", 0, 0, tensors, targets, Map.of());
    }

    /** Measures the tensors as they are now. */
    public static PruneRecord measure(String method, String schedule, String scope, double conv, double bn,
            Map<String, HostTensor> tensors, PruneTargets targets, Map<String, String> extra) {
        List<LayerRow> rows = new ArrayList<>();
        long[] convCounts = addRows(rows, "Conv2d", targets.convWeights(), tensors);
        long[] bnCounts = addRows(rows, "BatchNorm2d", targets.batchNormWeights(), tensors);
        // the global figures from the same counts (Sparsity.of would count every tensor again)
        Sparsity s = new Sparsity(convCounts[0], convCounts[1], bnCounts[0], bnCounts[1]);
        return new PruneRecord(method, schedule, scope, conv, bn, s.conv(), s.batchNorm(), rows, extra);
    }

    /** Adds a row per tensor; returns {zeros, total} over them. */
    private static long[] addRows(List<LayerRow> rows, String type, List<String> names, Map<String, HostTensor> tensors) {
        long zeros = 0;
        long total = 0;
        for (String n : names) {
            HostTensor t = tensors.get(n);
            long z = t.countZeros();
            rows.add(new LayerRow(n, type, t.size(), z));
            zeros += z;
            total += t.size();
        }
        return new long[] {zeros, total};
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("method", method);
        o.addProperty("schedule", schedule);
        o.addProperty("scope", scope);
        JsonObject requested = new JsonObject();
        requested.addProperty("conv", requestedConv);
        requested.addProperty("bn", requestedBn);
        o.add("requested", requested);
        o.addProperty("convSparsity", convSparsity);
        o.addProperty("bnSparsity", bnSparsity);
        extra.forEach(o::addProperty);
        JsonArray arr = new JsonArray();
        for (LayerRow r : layers) {
            JsonObject l = new JsonObject();
            l.addProperty("name", r.name());
            l.addProperty("kind", r.kind());
            l.addProperty("size", r.size());
            l.addProperty("zeros", r.zeros());
            arr.add(l);
        }
        o.add("layers", arr);
        if (channels != null) {
            o.add("channels", channels.toJson());
        }
        return GSON.toJson(o) + "\n";
    }

    public static PruneRecord fromJson(String json, String where) {
        try {
            JsonObject o = GSON.fromJson(json, JsonObject.class);
            JsonObject requested = o.getAsJsonObject("requested");
            List<LayerRow> rows = new ArrayList<>();
            if (o.has("layers")) {
                for (var e : o.getAsJsonArray("layers")) {
                    JsonObject l = e.getAsJsonObject();
                    rows.add(new LayerRow(l.get("name").getAsString(), l.get("kind").getAsString(),
                            l.get("size").getAsLong(), l.get("zeros").getAsLong()));
                }
            }
            Map<String, String> extra = new LinkedHashMap<>();
            for (var e : o.entrySet()) {
                if (!List.of("method", "schedule", "scope", "requested", "convSparsity", "bnSparsity", "layers", "channels")
                        .contains(e.getKey()) && e.getValue().isJsonPrimitive()) {
                    extra.put(e.getKey(), e.getValue().getAsString());
                }
            }
            return new PruneRecord(o.get("method").getAsString(), o.get("schedule").getAsString(),
                    o.has("scope") ? o.get("scope").getAsString() : "layer",
                    requested.get("conv").getAsDouble(), requested.get("bn").getAsDouble(),
                    o.get("convSparsity").getAsDouble(), o.get("bnSparsity").getAsDouble(), rows, extra,
                    o.has("channels") ? ChannelRecord.fromJson(o.getAsJsonObject("channels")) : null);
        } catch (JsonParseException | NullPointerException | IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException(where + ": not a valid prune.json (" + e.getMessage() + ")", e);
        }
    }

    /** The paper's log lines. */
    public List<String> paperLines(String verb) {
        return List.of(
                String.format(Locale.ROOT, "%s: Model pruned to %.2f%% Conv2d global sparsity", verb, 100 * convSparsity),
                String.format(Locale.ROOT, "%s: Model pruned to %.2f%% Batchnorm2d global sparsity", verb,
                        100 * bnSparsity));
    }

    /** A per-layer table for -Dprune.verbose. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-40s %-12s %10s %10s %9s%n", "tensor", "kind",
                "size", "zeros", "sparsity"));
        for (LayerRow r : layers) {
            sb.append(String.format(Locale.ROOT, "%-40s %-12s %10d %10d %8.2f%%%n", r.name(), r.kind(), r.size(),
                    r.zeros(), 100 * r.sparsity()));
        }
        return sb.toString();
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
}
