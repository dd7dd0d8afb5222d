/**
 * Validation as YOLOv5 v7.0's {@code val.py}: {@link io.github.edgeprune.eval.Nms} (non_max_suppression),
 * {@link io.github.edgeprune.eval.Boxes} (scale_boxes, the label path, box_iou),
 * {@link io.github.edgeprune.eval.DetectionStats} (process_batch and the statistics),
 * {@link io.github.edgeprune.eval.Metrics} (ap_per_class), and {@link io.github.edgeprune.eval.Evaluator},
 * which runs a {@link io.github.edgeprune.eval.Predictor} over a data set. mAP can also be computed
 * from detections made elsewhere with {@code DetectionStats} or
 * {@link io.github.edgeprune.eval.Evaluator#evaluateDetections}.
 */
package io.github.edgeprune.eval;
