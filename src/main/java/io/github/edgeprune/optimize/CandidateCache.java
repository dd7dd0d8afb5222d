package io.github.edgeprune.optimize;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each candidate's measurements, kept by fingerprint: {@code <root>/<candidate id>/<step>.json} holds
 * {@code {"fingerprint": …, "value": {…}}}. A step is taken from the cache only when the fingerprint
 * of what it measured (the IR's bytes, the data, the device settings: never the budgets) is the one
 * stored; {@link #hits()} and {@link #misses()} count per step what this run re-used and what it measured.
 */
public final class CandidateCache {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private final Path root;
    private final Map<String, Integer> hits = new LinkedHashMap<>();
    private final Map<String, Integer> misses = new LinkedHashMap<>();

    public CandidateCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The folder a candidate's artifacts go to. */
    public Path folder(String candidateId) {
        return root.resolve(candidateId);
    }

    /** The stored value of a step when its fingerprint matches (counted as a hit), else null (a miss). */
    public JsonObject get(String candidateId, String step, String fingerprint) {
        Path file = folder(candidateId).resolve(step + ".json");
        JsonObject value = null;
        if (Files.isRegularFile(file)) {
            try {
                JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
                if (o.has("fingerprint") && fingerprint.equals(o.get("fingerprint").getAsString()) && o.has("value")) {
                    value = o.getAsJsonObject("value");
                }
            } catch (IOException | RuntimeException e) {
                value = null; // unreadable: measured again and rewritten
            }
        }
        (value != null ? hits : misses).merge(step, 1, Integer::sum);
        return value;
    }

    public void put(String candidateId, String step, String fingerprint, JsonObject value) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("fingerprint", fingerprint);
        o.add("value", value);
        AtomicOutput.writeString(folder(candidateId).resolve(step + ".json"), GSON.toJson(o) + "\n");
    }

    /** Cache hits of this run per step. */
    public int hits(String step) {
        return hits.getOrDefault(step, 0);
    }

    /** Steps measured (not found in the cache) in this run. */
    public int misses(String step) {
        return misses.getOrDefault(step, 0);
    }

    public Map<String, Integer> hits() {
        return Map.copyOf(hits);
    }

    public Map<String, Integer> misses() {
        return Map.copyOf(misses);
    }
}
