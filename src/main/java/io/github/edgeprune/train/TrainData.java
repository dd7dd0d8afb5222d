package io.github.edgeprune.train;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.data.Sample;
import java.nio.file.Path;
import java.util.List;

/**
 * The training images and their labels as the trainer needs them: image files (read with OpenCV)
 * and rows {@code {cls, cx, cy, w, h}} normalised to the image. A data set loaded from an
 * Ultralytics data yaml plugs in through this interface.
 */
public interface TrainData extends Augment.Source {

    /** Class names; their number is the data set's nc. */
    List<String> names();

    /** Says which data this is, for messages (e.g. the yaml path and split). */
    String describe();

    @Override
    int size();

    @Override
    Path image(int index);

    @Override
    float[][] labels(int index);

    /** A split of an Ultralytics data set, as loaded by {@link DataSet#load}. */
    static TrainData of(DataSet ds) {
        List<Path> images = new java.util.ArrayList<>();
        List<float[][]> labels = new java.util.ArrayList<>();
        for (Sample sample : ds.samples()) {
            images.add(sample.image());
            labels.add(sample.labels());
        }
        return of(EvaluatorValidator.describe(ds), ds.names(), images, labels);
    }

    /** A data set held in lists (tests, adapters). */
    static TrainData of(String description, List<String> names, List<Path> images, List<float[][]> labels) {
        if (images.size() != labels.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + labels.size() + " label lists");
        }
        List<String> n = List.copyOf(names);
        List<Path> im = List.copyOf(images);
        List<float[][]> lb = List.copyOf(labels);
        return new TrainData() {
            @Override
            public List<String> names() {
                return n;
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public int size() {
                return im.size();
            }

            @Override
            public Path image(int index) {
                return im.get(index);
            }

            @Override
            public float[][] labels(int index) {
                return lb.get(index);
            }
        };
    }
}
