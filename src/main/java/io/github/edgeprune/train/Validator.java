package io.github.edgeprune.train;

import io.github.edgeprune.yolo.YoloModel;
import java.io.IOException;

/**
 * Validates the model of an epoch (the EMA weights, pruned as the schedule says) on the validation
 * data, as the evaluator does for the {@code evaluate} goal.
 */
@FunctionalInterface
public interface Validator {

    /**
     * @param model the weights to validate (a private copy: the validator may keep or change it)
     * @param imgsz the training image size (YOLOv5 validates at the same size)
     * @param epoch 0-based epoch
     */
    Metrics validate(YoloModel model, int imgsz, int epoch) throws IOException;
}
