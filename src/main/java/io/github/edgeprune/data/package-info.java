/**
 * Data sets in Ultralytics' layout and YOLOv5 v7.0's validation pre-processing.
 *
 * <p>{@link io.github.edgeprune.data.DataSet#load(java.nio.file.Path, String, boolean, io.github.edgeprune.util.Log)}
 * reads a data yaml ({@link io.github.edgeprune.data.DataYaml}), lists the images of a split
 * ({@link io.github.edgeprune.data.ImageFiles}), finds each label file by the images/ to labels/
 * rule and checks it ({@link io.github.edgeprune.data.LabelFile}), reporting every problem as
 * {@code file:line: reason}. {@link io.github.edgeprune.data.Preprocessor} turns an image into the
 * model's input and {@link io.github.edgeprune.data.Letterbox} keeps what is needed to map boxes
 * back.
 */
package io.github.edgeprune.data;
