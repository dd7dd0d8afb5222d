package io.github.edgeprune.train;

import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The default {@link BundleSink} until the project's bundle writer is available: {@code model.yaml}
 * (the architecture with the data's nc and class names), {@code weights.safetensors} (float32,
 * PyTorch state_dict names) and {@code prune.json}.
 */
final class InterimBundle {

    private InterimBundle() {
    }

    static void write(Path dir, YoloModel model, PruneRecord record) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> yaml = new LinkedHashMap<>(model.architecture().source());
        yaml.remove("yaml_file");
        yaml.put("nc", model.architecture().nc());
        yaml.put("names", model.names());
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(dir.resolve("model.yaml"), new Yaml(o).dump(yaml));
        StateTensors.write(dir.resolve("weights.safetensors"), new LinkedHashMap<>(model.stateDict()),
                Map.of("format", "pt"));
        Files.writeString(dir.resolve("prune.json"), record.toJson());
    }
}
