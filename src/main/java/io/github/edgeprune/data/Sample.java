package io.github.edgeprune.data;

import java.nio.file.Path;

/**
 * One image of a data set: its path, its label file (which may not exist: a background image),
 * its labels as rows {@code {cls, cx, cy, w, h}} normalised to [0,1], and its size as decoded
 * (after EXIF orientation, as {@code cv2.imread} gives it).
 */
public record Sample(Path image, Path labelFile, float[][] labels, int height, int width) {

    public int instances() {
        return labels.length;
    }

    public boolean background() {
        return labels.length == 0;
    }
}
