package io.github.edgeprune.yolo;

import io.github.edgeprune.checkpoint.Safetensors;
import io.github.edgeprune.checkpoint.SafetensorsFile;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.prune.channels.ChannelRecord;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The hand-off format between goals, also a user artifact: a folder with {@code model.yaml}
 * (Ultralytics schema, plus {@code names}), {@code weights.safetensors} (float32, PyTorch
 * state_dict names) and {@code prune.json}. A Python user loads it back into YOLOv5 with
 * {@code Model(cfg='model.yaml')} and {@code load_state_dict(safetensors.torch.load_file(...))}.
 * Written atomically: a build that stops half-way leaves the previous bundle or none.
 */
public final class ModelBundle {

    public static final String MODEL_YAML = "model.yaml";
    public static final String WEIGHTS = "weights.safetensors";
    public static final String PRUNE_JSON = "prune.json";

    private ModelBundle() {
    }

    /** True if the folder looks like a bundle (has model.yaml and weights.safetensors). */
    public static boolean isBundle(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(MODEL_YAML))
                && Files.isRegularFile(dir.resolve(WEIGHTS));
    }

    public static void write(Path dir, YoloModel model, PruneRecord record) throws IOException {
        AtomicOutput.writeDirectory(dir, tmp -> {
            Files.writeString(tmp.resolve(MODEL_YAML), modelYaml(model), StandardCharsets.UTF_8);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("producer", "prune-maven-plugin");
            Safetensors.write(tmp.resolve(WEIGHTS), model.stateDict(), meta);
            Files.writeString(tmp.resolve(PRUNE_JSON), record.toJson(), StandardCharsets.UTF_8);
        });
    }

    /** Reads a bundle folder; errors name the file and the problem. */
    public static YoloModel read(Path dir) {
        Path yamlFile = dir.resolve(MODEL_YAML);
        Path weightsFile = dir.resolve(WEIGHTS);
        for (Path p : List.of(yamlFile, weightsFile)) {
            if (!Files.isRegularFile(p)) {
                throw new ModelFormatException(dir + ": not a model bundle, " + p.getFileName() + " is missing");
            }
        }
        Map<String, Object> yaml = ModelLoader.readMapping(yamlFile);
        YoloArchitecture arch = YoloArchitecture.fromMap(yaml, yamlFile.toString());
        SafetensorsFile weights = Safetensors.read(weightsFile);
        List<String> names = namesOf(yaml.get("names"), arch.nc(), yamlFile.toString());
        Map<String, String> meta = new LinkedHashMap<>();
        Path prune = dir.resolve(PRUNE_JSON);
        if (Files.isRegularFile(prune)) {
            try {
                PruneRecord record = PruneRecord.fromJson(Files.readString(prune), prune.toString());
                meta.putAll(pruningMetadata(record));
            } catch (IOException e) {
                throw new ModelFormatException(prune + ": cannot read: " + e.getMessage(), e);
            }
        }
        YoloModel model = new YoloModel(arch, weights.tensors(), names, dir.toString(), meta);
        model.graph(256); // every tensor present with the right shape, nothing extra
        return model;
    }

    /** The pruning record as graph/IR metadata ({@code pruning.*} keys). */
    public static Map<String, String> pruningMetadata(PruneRecord record) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("pruning.method", record.method());
        meta.put("pruning.schedule", record.schedule());
        meta.put("pruning.scope", record.scope());
        meta.put("pruning.requested_conv", Double.toString(record.requestedConv()));
        meta.put("pruning.requested_bn", Double.toString(record.requestedBn()));
        meta.put("pruning.conv_sparsity", Double.toString(record.convSparsity()));
        meta.put("pruning.bn_sparsity", Double.toString(record.bnSparsity()));
        // a fine-tuned channel-pruned model keeps the structure keys in its record's extra (see Trainer)
        record.extra().forEach((k, v) -> {
            if (isStructureKey(k)) {
                meta.put("pruning." + k, v);
            }
        });
        ChannelRecord c = record.channels();
        if (c != null) {
            meta.put("pruning.structure", "channels");
            meta.put("pruning.channels_importance", c.importance());
            meta.put("pruning.channels_" + c.target(), Double.toString(c.targetValue()));
            meta.put("pruning.gflops_before", String.format(Locale.ROOT, "%.4f", c.gflopsBefore()));
            meta.put("pruning.gflops_after", String.format(Locale.ROOT, "%.4f", c.gflopsAfter()));
            meta.put("pruning.parameters_before", Long.toString(c.parametersBefore()));
            meta.put("pruning.parameters_after", Long.toString(c.parametersAfter()));
        }
        return meta;
    }

    /**
     * The pruning metadata keys (without {@code pruning.}) that describe a channel-pruned model's
     * shapes: they stay with the model through fine-tuning.
     */
    public static boolean isStructureKey(String key) {
        return key.equals("structure") || key.startsWith("channels_") || key.startsWith("gflops_")
                || key.startsWith("parameters_");
    }

    static List<String> namesOf(Object names, int nc, String where) {
        if (names == null) {
            return YoloModel.defaultNames(nc);
        }
        List<String> out = new ArrayList<>();
        if (names instanceof List<?> list) {
            list.forEach(n -> out.add(String.valueOf(n)));
        } else if (names instanceof Map<?, ?> map) {
            for (int i = 0; i < map.size(); i++) {
                Object n = map.containsKey(i) ? map.get(i) : map.get(Integer.toString(i));
                if (n == null) {
                    throw new ModelFormatException(where + ": names has no entry for class " + i);
                }
                out.add(String.valueOf(n));
            }
        } else {
            throw new ModelFormatException(where + ": names must be a list or a mapping, got " + names);
        }
        return out;
    }

    private static String modelYaml(YoloModel model) {
        Map<String, Object> yaml = new LinkedHashMap<>(model.architecture().source());
        yaml.remove("names");
        Map<Integer, String> names = new LinkedHashMap<>();
        for (int i = 0; i < model.names().size(); i++) {
            names.put(i, model.names().get(i));
        }
        yaml.put("names", names);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(120);
        String header = "# YOLOv5 model written by prune-maven-plugin (Ultralytics schema; weights in "
                + WEIGHTS + ")\n";
        return header + new Yaml(options).dump(yaml);
    }
}
