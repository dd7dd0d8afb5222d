package io.github.edgeprune.train;

import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a model as a bundle folder ({@code model.yaml}, {@code weights.safetensors},
 * {@code prune.json}); the trainer hands it {@code last} and {@code best}. The sink replaces the
 * folder atomically, as {@link io.github.edgeprune.yolo.ModelBundle#write} does (the default).
 */
@FunctionalInterface
public interface BundleSink {

    void write(Path dir, YoloModel model, PruneRecord record) throws IOException;
}
