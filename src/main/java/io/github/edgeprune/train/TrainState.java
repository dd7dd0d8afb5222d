package io.github.edgeprune.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.github.edgeprune.checkpoint.Safetensors;
import io.github.edgeprune.checkpoint.SafetensorsFile;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * What a run needs to continue exactly where it stopped, saved after every epoch beside
 * {@code last}: {@code train_state.safetensors} (float32 model weights and buffers, EMA, momentum
 * buffers, gradients accumulated towards the next optimiser step, pruning masks) and
 * {@code train_state.json} (epoch, EMA updates, optimiser step bookkeeping, best fitness, results
 * so far, the settings that decide the result, and a CRC of the tensor file, written last so that
 * a crash between the two files is detected).
 */
final class TrainState {

    static final String JSON = "train_state.json";
    static final String TENSORS = "train_state.safetensors";
    private static final int VERSION = 1;

    int epoch;
    long updates;
    long lastOptStep;
    double bestFitness;
    int bestEpoch;
    int stopperBestEpoch;
    double stopperBestFitness;
    double pruneConv;
    double pruneBn;
    double elapsedSeconds;
    String modelYaml;
    List<String> names = new ArrayList<>();
    String source;
    Map<String, String> fingerprint = new LinkedHashMap<>();
    List<EpochRecord> results = new ArrayList<>();
    final Map<String, HostTensor> model = new LinkedHashMap<>();
    final Map<String, HostTensor> ema = new LinkedHashMap<>();
    final Map<String, HostTensor> momentum = new LinkedHashMap<>();
    final Map<String, HostTensor> grads = new LinkedHashMap<>();
    final Map<String, HostTensor> masks = new LinkedHashMap<>();

    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(JSON));
    }

    void save(Path dir) throws IOException {
        Map<String, HostTensor> all = new LinkedHashMap<>();
        model.forEach((k, v) -> all.put("model/" + k, v));
        ema.forEach((k, v) -> all.put("ema/" + k, v));
        momentum.forEach((k, v) -> all.put("momentum/" + k, v));
        grads.forEach((k, v) -> all.put("grad/" + k, v));
        masks.forEach((k, v) -> all.put("mask/" + k, v));
        Path tensors = dir.resolve(TENSORS);
        Safetensors.write(tensors, all, Map.of("epoch", Integer.toString(epoch)));
        JsonObject o = new JsonObject();
        o.addProperty("version", VERSION);
        o.addProperty("epoch", epoch);
        o.addProperty("updates", updates);
        o.addProperty("lastOptStep", lastOptStep);
        o.addProperty("bestFitness", bestFitness);
        o.addProperty("bestEpoch", bestEpoch);
        o.addProperty("stopperBestEpoch", stopperBestEpoch);
        o.addProperty("stopperBestFitness", stopperBestFitness);
        o.addProperty("pruneConv", pruneConv);
        o.addProperty("pruneBn", pruneBn);
        o.addProperty("elapsedSeconds", elapsedSeconds);
        o.addProperty("source", source);
        o.addProperty("modelYaml", modelYaml);
        JsonArray n = new JsonArray();
        names.forEach(n::add);
        o.add("names", n);
        JsonObject fp = new JsonObject();
        fingerprint.forEach(fp::addProperty);
        o.add("settings", fp);
        JsonArray rows = new JsonArray();
        for (EpochRecord r : results) {
            rows.add(toJson(r));
        }
        o.add("results", rows);
        o.addProperty("tensorsCrc32", crc(tensors));
        AtomicOutput.writeString(dir.resolve(JSON), GSON.toJson(o) + "\n");
    }

    static TrainState load(Path dir) throws IOException {
        Path json = dir.resolve(JSON);
        Path tensors = dir.resolve(TENSORS);
        if (!Files.exists(json)) {
            throw new IOException("nothing to resume in " + dir + ": no " + JSON + " (was a run started there?)");
        }
        if (!Files.exists(tensors)) {
            throw new IOException("cannot resume from " + dir + ": " + TENSORS + " is missing");
        }
        TrainState s = new TrainState();
        try {
            JsonObject o = GSON.fromJson(Files.readString(json), JsonObject.class);
            if (o.get("version").getAsInt() != VERSION) {
                throw new IOException(json + ": training state version " + o.get("version") + " is not supported");
            }
            long expected = o.get("tensorsCrc32").getAsLong();
            if (crc(tensors) != expected) {
                throw new IOException("cannot resume from " + dir + ": " + TENSORS + " does not belong to " + JSON
                        + " (the run stopped while saving); resuming would not continue the same run");
            }
            s.epoch = o.get("epoch").getAsInt();
            s.updates = o.get("updates").getAsLong();
            s.lastOptStep = o.get("lastOptStep").getAsLong();
            // "accumulate" (written by earlier versions) is ignored: it follows from the iteration
            s.bestFitness = o.get("bestFitness").getAsDouble();
            s.bestEpoch = o.get("bestEpoch").getAsInt();
            s.stopperBestEpoch = o.get("stopperBestEpoch").getAsInt();
            s.stopperBestFitness = o.get("stopperBestFitness").getAsDouble();
            s.pruneConv = o.get("pruneConv").getAsDouble();
            s.pruneBn = o.get("pruneBn").getAsDouble();
            s.elapsedSeconds = o.get("elapsedSeconds").getAsDouble();
            s.source = o.get("source").getAsString();
            s.modelYaml = o.get("modelYaml").getAsString();
            o.getAsJsonArray("names").forEach(e -> s.names.add(e.getAsString()));
            o.getAsJsonObject("settings").entrySet().forEach(e -> s.fingerprint.put(e.getKey(), e.getValue().getAsString()));
            for (JsonElement e : o.getAsJsonArray("results")) {
                s.results.add(fromJson(e.getAsJsonObject()));
            }
        } catch (JsonParseException | NullPointerException | IllegalStateException | ClassCastException
                | UnsupportedOperationException e) {
            throw new IOException(json + ": not a valid training state (" + e.getMessage() + ")", e);
        }
        SafetensorsFile c;
        try {
            c = Safetensors.read(tensors);
        } catch (RuntimeException e) {
            throw new IOException("cannot resume from " + dir + ": " + e.getMessage(), e);
        }
        c.tensors().forEach((k, v) -> {
            int slash = k.indexOf('/');
            String kind = k.substring(0, slash);
            String name = k.substring(slash + 1);
            switch (kind) {
                case "model" -> s.model.put(name, v);
                case "ema" -> s.ema.put(name, v);
                case "momentum" -> s.momentum.put(name, v);
                case "grad" -> s.grads.put(name, v);
                case "mask" -> s.masks.put(name, v);
                default -> {
                }
            }
        });
        return s;
    }

    private static JsonObject toJson(EpochRecord r) {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", r.epoch());
        o.addProperty("box", r.boxLoss());
        o.addProperty("obj", r.objLoss());
        o.addProperty("cls", r.clsLoss());
        o.addProperty("precision", r.metrics().precision());
        o.addProperty("recall", r.metrics().recall());
        o.addProperty("map50", r.metrics().map50());
        o.addProperty("map", r.metrics().map50to95());
        o.addProperty("convSparsity", r.convSparsity());
        o.addProperty("bnSparsity", r.bnSparsity());
        JsonArray lr = new JsonArray();
        for (double v : r.lr()) {
            lr.add(v);
        }
        o.add("lr", lr);
        o.addProperty("targetConv", r.targetConv());
        o.addProperty("targetBn", r.targetBn());
        o.addProperty("seconds", r.seconds());
        o.addProperty("smallGamma", r.smallGamma());
        return o;
    }

    private static EpochRecord fromJson(JsonObject o) {
        JsonArray lrA = o.getAsJsonArray("lr");
        double[] lr = new double[lrA.size()];
        for (int i = 0; i < lr.length; i++) {
            lr[i] = lrA.get(i).getAsDouble();
        }
        return new EpochRecord(o.get("epoch").getAsInt(), o.get("box").getAsDouble(), o.get("obj").getAsDouble(),
                o.get("cls").getAsDouble(), new Metrics(o.get("precision").getAsDouble(), o.get("recall").getAsDouble(),
                        o.get("map50").getAsDouble(), o.get("map").getAsDouble()),
                o.get("convSparsity").getAsDouble(), o.get("bnSparsity").getAsDouble(), lr,
                o.get("targetConv").getAsDouble(), o.get("targetBn").getAsDouble(), o.get("seconds").getAsDouble(),
                o.has("smallGamma") ? o.get("smallGamma").getAsDouble() : 0);
    }

    static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                crc.update(buf, 0, r);
            }
        }
        return crc.getValue();
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().create();
}
