package io.github.edgeprune.train;

import io.github.edgeprune.yolo.YoloArchitecture;
import io.github.edgeprune.yolo.YoloModel;

/** What training starts from: trained weights, or an architecture initialised with the run's seed. */
public sealed interface ModelInput {

    /** Weights from a checkpoint or a bundle; their nc must match the data's unless transfer is on. */
    record Weights(YoloModel model) implements ModelInput {
    }

    /** A model yaml: random initial weights (seeded); its nc is replaced by the data's, as Ultralytics does. */
    record Scratch(YoloArchitecture architecture, String source) implements ModelInput {
    }

    static ModelInput weights(YoloModel model) {
        return new Weights(model);
    }

    static ModelInput scratch(YoloArchitecture architecture, String source) {
        return new Scratch(architecture, source);
    }
}
