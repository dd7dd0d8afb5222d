package io.github.edgeprune.yolo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The standard YOLOv5 architectures shipped with the plugin (yolov5n.yaml … yolov5x.yaml). */
public final class ModelZoo {

    public static final List<String> NAMES = List.of("yolov5n", "yolov5s", "yolov5m", "yolov5l", "yolov5x");

    private ModelZoo() {
    }

    /** True if this is the name of a bundled architecture, with or without {@code .yaml}. */
    public static boolean isBundled(String name) {
        return NAMES.contains(stem(name));
    }

    public static YoloArchitecture architecture(String name) {
        String stem = stem(name);
        if (!NAMES.contains(stem)) {
            throw new ModelFormatException("'" + name + "' is not a bundled architecture (bundled: " + NAMES + ")");
        }
        try (InputStream in = ModelZoo.class.getResourceAsStream("models/" + stem + ".yaml")) {
            Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            yaml.put("yaml_file", stem + ".yaml");
            return YoloArchitecture.fromMap(yaml, stem + ".yaml");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stem(String name) {
        String n = name.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1);
        return n.endsWith(".yaml") ? n.substring(0, n.length() - 5) : n;
    }
}
