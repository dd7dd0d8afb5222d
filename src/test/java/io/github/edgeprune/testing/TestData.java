package io.github.edgeprune.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared, read-only data the tests run on ({@code ../shared/data}, or wherever the
 * {@code edgeprune.data} system property points). Missing data fails the test: a suite that
 * skipped its real-data checks would pass without proving anything.
 */
public final class TestData {

    private TestData() {
    }

    public static Path root() {
        Path root = Paths.get(System.getProperty("edgeprune.data", "../shared/data")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("PROVENANCE.md"))) {
            throw new IllegalStateException("shared test data not found at " + root
                    + ": set -Dedgeprune.data to the folder holding PROVENANCE.md");
        }
        return root;
    }

    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("shared test data is missing " + p);
        }
        return p;
    }

    public static Path yolov5n() {
        return file("models/yolov5n.pt");
    }

    public static Path coco128() {
        return file("coco128/coco128.yaml");
    }

    public static Path coco128Yaml() {
        return coco128();
    }

    /** Ultralytics' exact tensors for two images at 320 (meta.json describes them). */
    public static Path reference() {
        return file("reference/yolov5n-320");
    }

    /** A little-endian float32 file. */
    public static float[] floats(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A small YOLO data set of the first {@code n} real COCO128 images and labels, copied under
     * {@code root} as both its train and its val split (80 classes); returns its data yaml.
     */
    public static Path coco128Subset(Path root, int n) throws IOException {
        Path coco = coco128().getParent();
        List<Path> images;
        try (Stream<Path> s = Files.list(coco.resolve("images/train2017"))) {
            images = s.sorted().limit(n).toList();
        }
        for (String split : List.of("train", "val")) {
            Files.createDirectories(root.resolve("images").resolve(split));
            Files.createDirectories(root.resolve("labels").resolve(split));
            for (Path img : images) {
                String stem = img.getFileName().toString().replace(".jpg", "");
                Files.copy(img, root.resolve("images").resolve(split).resolve(img.getFileName()));
                Path label = coco.resolve("labels/train2017").resolve(stem + ".txt");
                if (Files.exists(label)) {
                    Files.copy(label, root.resolve("labels").resolve(split).resolve(stem + ".txt"));
                }
            }
        }
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            names.append(i == 0 ? "" : ", ").append("c").append(i);
        }
        Path yaml = root.resolve("data.yaml");
        Files.writeString(yaml, "path: " + root + "\ntrain: images/train\nval: images/val\nnc: 80\nnames: [" + names + "]\n");
        return yaml;
    }
}
