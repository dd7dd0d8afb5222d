package io.github.edgeprune.yolo;

import io.github.edgeprune.checkpoint.PtCheckpointReader;
import io.github.edgeprune.checkpoint.YoloCheckpoint;
import io.github.edgeprune.util.Log;
import io.github.edgeprune.util.YamlProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Turns what a user names with {@code prune.model} into a {@link YoloModel}: an Ultralytics
 * {@code .pt} checkpoint, a bundle folder, a model yaml file (random init, seeded), or the name
 * of a bundled architecture ({@code yolov5n} … {@code yolov5x}).
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    /**
     * @param spec the path or name as typed
     * @param baseDir what relative paths are relative to
     * @param seed seed for models initialised from a yaml
     */
    public static YoloModel load(String spec, Path baseDir, long seed, Log log) {
        if (spec == null || spec.isBlank()) {
            throw new ModelFormatException("no model given: set prune.model to a .pt checkpoint, a bundle folder or a model yaml");
        }
        Path path = baseDir.resolve(spec).normalize();
        if (!Files.exists(path)) {
            if (ModelZoo.isBundled(spec)) {
                YoloArchitecture arch = ModelZoo.architecture(spec);
                log.info("Model " + spec + ": bundled architecture, initialised from scratch (seed " + seed + ")");
                return YoloModel.random(arch, YoloModel.defaultNames(arch.nc()), seed, spec);
            }
            throw new ModelFormatException(path + ": no such file or folder (prune.model accepts a .pt checkpoint, a bundle"
                    + " folder, a model yaml, or one of " + ModelZoo.NAMES + ")");
        }
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (Files.isDirectory(path)) {
            return ModelBundle.read(path);
        }
        if (name.endsWith(".pt") || name.endsWith(".pth")) {
            return fromCheckpoint(PtCheckpointReader.read(path), path);
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            YoloArchitecture arch = YoloArchitecture.fromMap(readYaml(path), path.toString());
            log.info("Model " + path.getFileName() + ": initialised from scratch (seed " + seed + ")");
            return YoloModel.random(arch, ModelBundle.namesOf(arch.source().get("names"), arch.nc(), path.toString()),
                    seed, path.toString());
        }
        if (name.endsWith(".xml") || name.endsWith(".onnx")) {
            throw new ModelFormatException(path + ": an exported model cannot be trained or pruned; give the .pt or bundle it"
                    + " came from");
        }
        throw new ModelFormatException(path + ": unknown model format (expected .pt, a bundle folder or .yaml)");
    }

    static YoloModel fromCheckpoint(YoloCheckpoint ckpt, Path path) {
        Map<String, Object> yaml = new LinkedHashMap<>(ckpt.yaml());
        String stem = path.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        yaml.putIfAbsent("yaml_file", stem + ".yaml");
        YoloArchitecture arch = YoloArchitecture.fromMap(yaml, path.toString());
        List<String> names = ckpt.names().isEmpty() ? YoloModel.defaultNames(arch.nc()) : ckpt.names();
        YoloModel model = new YoloModel(arch, ckpt.stateDict(), names, path.toString(), Map.of());
        model.graph(256); // every tensor present with the right shape, nothing extra
        return model;
    }

    /** A model yaml (Ultralytics schema) as a mapping, with {@code yaml_file} set to its file name. */
    public static Map<String, Object> readYaml(Path file) {
        Map<String, Object> map = readMapping(file);
        map.putIfAbsent("yaml_file", file.getFileName().toString());
        return map;
    }

    /** The top-level mapping of a yaml file (a model yaml, or a bundle's model.yaml). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readMapping(Path file) {
        try {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
            if (!(loaded instanceof Map<?, ?>)) {
                throw new ModelFormatException(file + ": expected a mapping at the top level of the model yaml");
            }
            return new LinkedHashMap<>((Map<String, Object>) loaded);
        } catch (YAMLException e) {
            throw new ModelFormatException(file + ": malformed model yaml at " + YamlProblem.describe(e), e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read model yaml: " + e.getMessage(), e);
        }
    }
}
