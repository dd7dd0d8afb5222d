package io.github.edgeprune.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.edgeprune.yolo.ModelZoo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * A generated detection data set for tests: filled circles, squares and triangles (one class
 * each, each with its own colour family) on noisy backgrounds, written as PNG images with YOLO
 * label files ({@code images/<split>/*.png}, {@code labels/<split>/*.txt}) and a data yaml.
 */
public final class ShapesDataset {

    static final List<String> NAMES = List.of("circle", "square", "triangle");

    private ShapesDataset() {
    }

    /** YOLOv5n's layout at width 0.125 (channels 8 … 128, about 110k parameters) for {@code nc} classes. */
    public static Map<String, Object> tinyArchitecture(int nc) {
        Map<String, Object> src = new LinkedHashMap<>(ModelZoo.architecture("yolov5n").source());
        src.put("width_multiple", 0.125);
        src.put("nc", nc);
        src.remove("yaml_file");
        return src;
    }

    /** {@link #tinyArchitecture} written as a model yaml a goal can take as prune.model. */
    public static Path writeTinyModelYaml(Path file, int nc) throws IOException {
        Files.writeString(file, new org.yaml.snakeyaml.Yaml().dump(tinyArchitecture(nc)));
        return file;
    }

    /** Writes a train and a val split of square images of {@code size} px and the data yaml; returns the yaml. */
    public static Path generate(Path root, int trainCount, int valCount, int size, long seed) throws IOException {
        split(root, "train", trainCount, size, seed);
        split(root, "val", valCount, size, seed + 1000);
        Path yaml = root.resolve("shapes.yaml");
        Files.writeString(yaml, "path: " + root + "\ntrain: images/train\nval: images/val\nnc: 3\n"
                + "names: [circle, square, triangle]\n");
        return yaml;
    }

    private static void split(Path root, String split, int count, int size, long seed) throws IOException {
        Augment.loadNatives();
        Path images = root.resolve("images").resolve(split);
        Path labels = root.resolve("labels").resolve(split);
        Files.createDirectories(images);
        Files.createDirectories(labels);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            Mat img = new Mat(size, size, CvType.CV_8UC3);
            int[] base = {60 + rng.nextInt(120), 60 + rng.nextInt(120), 60 + rng.nextInt(120)};
            byte[] px = new byte[size * size * 3];
            for (int k = 0; k < px.length; k++) {
                double v = base[k % 3] + 25 * gaussian(rng) - 20 * rng.nextDouble();
                px[k] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
            }
            img.put(0, 0, px);
            int objects = 1 + rng.nextInt(2);
            List<float[]> rows = new ArrayList<>();
            List<double[]> placed = new ArrayList<>();
            for (int o = 0; o < objects; o++) {
                int cls = rng.nextInt(3);
                double w = size * (0.22 + 0.2 * rng.nextDouble());
                double h = cls == 0 ? w : size * (0.22 + 0.2 * rng.nextDouble());
                double cx = w / 2 + 1 + rng.nextDouble() * (size - w - 2);
                double cy = h / 2 + 1 + rng.nextDouble() * (size - h - 2);
                boolean overlaps = false;
                for (double[] p : placed) {
                    if (Math.abs(p[0] - cx) < (p[2] + w) / 2 && Math.abs(p[1] - cy) < (p[3] + h) / 2) {
                        overlaps = true;
                    }
                }
                if (overlaps) {
                    continue;
                }
                placed.add(new double[] {cx, cy, w, h});
                Scalar colour = colour(cls, rng);
                switch (cls) {
                    case 0 -> Imgproc.ellipse(img, new Point(cx, cy), new org.opencv.core.Size(w / 2, h / 2), 0, 0, 360,
                            colour, -1, Imgproc.LINE_AA);
                    case 1 -> Imgproc.rectangle(img, new Point(cx - w / 2, cy - h / 2), new Point(cx + w / 2, cy + h / 2),
                            colour, -1);
                    default -> Imgproc.fillPoly(img, List.of(new MatOfPoint(new Point(cx, cy - h / 2),
                            new Point(cx - w / 2, cy + h / 2), new Point(cx + w / 2, cy + h / 2))), colour, Imgproc.LINE_AA);
                }
                rows.add(new float[] {cls, (float) (cx / size), (float) (cy / size), (float) (w / size), (float) (h / size)});
            }
            String stem = String.format(Locale.ROOT, "%s_%04d", split, i);
            Path p = images.resolve(stem + ".png");
            Imgcodecs.imwrite(p.toString(), img);
            img.release();
            StringBuilder sb = new StringBuilder();
            for (float[] r : rows) {
                sb.append(String.format(Locale.ROOT, "%d %.6f %.6f %.6f %.6f%n", (int) r[0], r[1], r[2], r[3], r[4]));
            }
            Files.writeString(labels.resolve(stem + ".txt"), sb.toString());
        }

    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static Scalar colour(int cls, SplittableRandom rng) {
        int a = 170 + rng.nextInt(80);
        int b = rng.nextInt(70);
        int c = rng.nextInt(70);
        // BGR: circles reddish, squares greenish, triangles bluish
        return switch (cls) {
            case 0 -> new Scalar(b, c, a);
            case 1 -> new Scalar(b, a, c);
            default -> new Scalar(a, b, c);
        };
    }
}
