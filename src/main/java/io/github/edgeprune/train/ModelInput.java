package io.github.edgeprune.train;

import io.github.edgeprune.util.Log;
import io.github.edgeprune.yolo.ModelLoader;
import io.github.edgeprune.yolo.ModelZoo;
import io.github.edgeprune.yolo.YoloArchitecture;
import io.github.edgeprune.yolo.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What training starts from: trained weights, or an architecture initialised with the run's seed. */
public sealed interface ModelInput {

    /** Weights from a checkpoint or a bundle; their nc must match the data's unless transfer is on. */
    record Weights(YoloModel model) implements ModelInput {
    }

    /** A model yaml: random initial weights (seeded); its nc is replaced by the data's, as Ultralytics does. */
    record Scratch(YoloArchitecture architecture, String source) implements ModelInput {
    }

    /**
     * What {@code prune.model} names: a model yaml or the name of a bundled architecture starts
     * from scratch (only its architecture is read; the trainer initialises it with the seed), a
     * {@code .pt} checkpoint or a bundle folder from its weights (read with the project's
     * {@link ModelLoader}, which also refuses what is neither).
     */
    static ModelInput load(String spec, Path baseDir, long seed, Log log) {
        if (spec != null && !spec.isBlank()) {
            Path path = baseDir.resolve(spec).normalize();
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (Files.isRegularFile(path) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
                YoloArchitecture arch = YoloArchitecture.fromMap(ModelLoader.readYaml(path), path.toString());
                log.info("Model " + path.getFileName() + ": initialised from scratch (seed " + seed + ")");
                return new Scratch(arch, path.toString());
            }
            if (!Files.exists(path) && ModelZoo.isBundled(spec)) {
                YoloArchitecture arch = ModelZoo.architecture(spec);
                log.info("Model " + spec + ": bundled architecture, initialised from scratch (seed " + seed + ")");
                return new Scratch(arch, spec);
            }
        }
        return new Weights(ModelLoader.load(spec, baseDir, seed, log));
    }

    static ModelInput weights(YoloModel model) {
        return new Weights(model);
    }

    static ModelInput scratch(YoloArchitecture architecture, String source) {
        return new Scratch(architecture, source);
    }
}
