package io.github.edgeprune.prune.channels;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a channel pruning did, as the {@code channels} object of a bundle's {@code prune.json}:
 * the importance and target asked for, GFLOPs (at {@code imgsz}) and parameters before and after,
 * and each convolution's output channels before and after. The weights carry the new shapes
 * themselves; this record is for people, for CI and for rebuilding the model elsewhere.
 */
public record ChannelRecord(String importance, String target, double targetValue, int roundTo, int imgsz,
        double gflopsBefore, double gflopsAfter, long parametersBefore, long parametersAfter, int removedChannels,
        int prunableChannels, List<ChannelPruner.Layer> layers) {

    public ChannelRecord {
        layers = List.copyOf(layers);
    }

    /** The record of a pruner's result. */
    public static ChannelRecord of(ChannelPruner.Settings settings, ChannelPruner.Result r, int imgsz) {
        boolean ratio = !Double.isNaN(settings.channelRatio());
        return new ChannelRecord(settings.importance().id(), ratio ? "channelRatio" : "targetFlops",
                ratio ? settings.channelRatio() : settings.targetFlops(), settings.roundTo(), imgsz,
                r.before().gflops(), r.after().gflops(), r.before().parameters(), r.after().parameters(),
                r.removedChannels(), r.prunableChannels(), r.layers());
    }

    public double flopsRatio() {
        return gflopsBefore == 0 ? 1 : gflopsAfter / gflopsBefore;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("importance", importance);
        o.addProperty("target", target);
        o.addProperty("targetValue", targetValue);
        o.addProperty("roundTo", roundTo);
        o.addProperty("imgsz", imgsz);
        o.addProperty("gflopsBefore", gflopsBefore);
        o.addProperty("gflopsAfter", gflopsAfter);
        o.addProperty("parametersBefore", parametersBefore);
        o.addProperty("parametersAfter", parametersAfter);
        o.addProperty("removedChannels", removedChannels);
        o.addProperty("prunableChannels", prunableChannels);
        JsonArray arr = new JsonArray();
        for (ChannelPruner.Layer l : layers) {
            JsonObject row = new JsonObject();
            row.addProperty("name", l.name());
            row.addProperty("before", l.before());
            row.addProperty("after", l.after());
            arr.add(row);
        }
        o.add("layers", arr);
        return o;
    }

    /** Reads what {@link #toJson()} wrote; a missing field is a NullPointerException for the caller to name. */
    public static ChannelRecord fromJson(JsonObject o) {
        List<ChannelPruner.Layer> layers = new ArrayList<>();
        for (var e : o.getAsJsonArray("layers")) {
            JsonObject l = e.getAsJsonObject();
            layers.add(new ChannelPruner.Layer(l.get("name").getAsString(), l.get("before").getAsInt(),
                    l.get("after").getAsInt()));
        }
        return new ChannelRecord(o.get("importance").getAsString(), o.get("target").getAsString(),
                o.get("targetValue").getAsDouble(), o.get("roundTo").getAsInt(), o.get("imgsz").getAsInt(),
                o.get("gflopsBefore").getAsDouble(), o.get("gflopsAfter").getAsDouble(),
                o.get("parametersBefore").getAsLong(), o.get("parametersAfter").getAsLong(),
                o.get("removedChannels").getAsInt(), o.get("prunableChannels").getAsInt(), layers);
    }

    /** The console lines: what was asked and what it cost. */
    public List<String> summaryLines() {
        return List.of(String.format(Locale.ROOT,
                "Channel pruning (%s, %s %.3f, roundTo %d): %d of %d prunable channels removed", importance, target,
                targetValue, roundTo, removedChannels, prunableChannels),
                String.format(Locale.ROOT, "GFLOPs at %d: %.2f -> %.2f (%.3f kept); parameters: %,d -> %,d (%.3f kept)",
                        imgsz, gflopsBefore, gflopsAfter, flopsRatio(), parametersBefore, parametersAfter,
                        parametersBefore == 0 ? 1 : (double) parametersAfter / parametersBefore));
    }

    /** A per-layer table for -Dprune.verbose. */
    public String table() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-32s %8s %8s %8s%n", "convolution", "before",
                "after", "kept"));
        for (ChannelPruner.Layer l : layers) {
            sb.append(String.format(Locale.ROOT, "%-32s %8d %8d %7.1f%%%n", l.name(), l.before(), l.after(),
                    100.0 * l.after() / l.before()));
        }
        return sb.toString();
    }
}
