package io.github.edgeprune.data;

import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.opencv.core.Mat;

/**
 * One split of an Ultralytics data set, checked: every image decodes and every label file is
 * well formed. Load with {@link #load(Path, String)}; by default any problem fails the load with one
 * {@link DataSetException} that lists them all, while {@code skipCorrupt} leaves the bad images out
 * and logs each problem as a warning (as Ultralytics does).
 */
public final class DataSet {

    private final Path yaml;
    private final String split;
    private final List<String> names;
    private final List<Sample> samples;

    private DataSet(Path yaml, String split, List<String> names, List<Sample> samples) {
        this.yaml = yaml;
        this.split = split;
        this.names = List.copyOf(names);
        this.samples = List.copyOf(samples);
    }

    /** A data set made in code (no yaml), e.g. for tests or a subset. */
    public static DataSet of(List<String> names, List<Sample> samples) {
        for (Sample s : samples) {
            for (float[] row : s.labels()) {
                if (row.length != 5 || row[0] < 0 || row[0] >= names.size() || row[0] != Math.rint(row[0])) {
                    throw new IllegalArgumentException(s.image() + ": label " + java.util.Arrays.toString(row)
                            + " is not {cls, cx, cy, w, h} with cls in 0.." + (names.size() - 1));
                }
            }
        }
        return new DataSet(null, null, names, samples);
    }

    /** Loads a split; any problem fails the load. Warnings (duplicate rows) go to the console. */
    public static DataSet load(Path yaml, String split) {
        return load(yaml, split, false, Log.console());
    }

    /**
     * Loads a split.
     *
     * @param skipCorrupt leave out images that cannot be decoded or whose label file has problems,
     *     logging each problem as a warning, instead of failing
     */
    public static DataSet load(Path yaml, String split, boolean skipCorrupt, Log log) {
        DataYaml data = DataYaml.read(yaml);
        String where = data.file() + " (" + split + ")";
        List<String> sourceProblems = new ArrayList<>();
        List<Path> images = ImageFiles.list(data.sources(split), sourceProblems);
        if (!sourceProblems.isEmpty()) {
            throw new DataSetException(where + ": " + String.join("; ", sourceProblems), sourceProblems);
        }
        if (images.isEmpty()) {
            throw new DataSetException(where + ": no images found in " + data.sources(split)
                    + " (image suffixes: " + String.join(", ", new java.util.TreeSet<>(ImageFiles.IMAGE_EXTENSIONS)) + ")");
        }

        OpenCv.load();
        List<Sample> samples = new ArrayList<>(images.size());
        List<String> problems = new ArrayList<>();
        int corrupt = 0;
        int labelFiles = 0;
        for (Path image : images) {
            List<String> imageProblems = new ArrayList<>();
            int[] hw = checkImage(image, imageProblems, log);
            Path labelFile = ImageFiles.labelFor(image);
            if (Files.exists(labelFile)) {
                labelFiles++;
            }
            LabelFile.Result labels = LabelFile.read(labelFile, data.nc());
            imageProblems.addAll(labels.problems());
            labels.warnings().forEach(log::warn);
            if (imageProblems.isEmpty()) {
                samples.add(new Sample(image, labelFile, labels.rows(), hw[0], hw[1]));
            } else {
                corrupt++;
                problems.addAll(imageProblems);
            }
        }
        if (labelFiles == 0) {
            log.warn(where + ": no label files found (for " + images.get(0) + " looked for "
                    + ImageFiles.labelFor(images.get(0)) + "); every image counts as background");
        }
        if (!problems.isEmpty()) {
            if (!skipCorrupt) {
                throw new DataSetException(where + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s")
                        + " in " + corrupt + " of " + images.size() + " images (skipCorrupt would leave them out):\n  "
                        + String.join("\n  ", problems), problems);
            }
            problems.forEach(p -> log.warn(p));
            log.warn(where + ": skipped " + corrupt + " corrupt image" + (corrupt == 1 ? "" : "s") + " of " + images.size());
            if (samples.isEmpty()) {
                throw new DataSetException(where + ": every image is corrupt", problems);
            }
        }
        return new DataSet(data.file(), split, data.names(), samples);
    }

    /** Decodes the image as the evaluation will; returns {h, w} or adds a problem. */
    private static int[] checkImage(Path image, List<String> problems, Log log) {
        Mat m;
        try {
            m = Preprocessor.read(image);
        } catch (DataSetException e) {
            problems.add(e.getMessage());
            return null;
        }
        try {
            int h = m.rows();
            int w = m.cols();
            if (h < 10 || w < 10) {
                problems.add(image + ": image size " + w + "x" + h + " is under 10 pixels");
            }
            String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
            if ((name.endsWith(".jpg") || name.endsWith(".jpeg")) && !endsWithJpegEoi(image)) {
                log.warn(image + ": corrupt JPEG (no end marker), decoded anyway");
            }
            return new int[] {h, w};
        } finally {
            m.release();
        }
    }

    private static boolean endsWithJpegEoi(Path image) {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            long n = f.length();
            if (n < 2) {
                return false;
            }
            f.seek(n - 2);
            return f.read() == 0xFF && f.read() == 0xD9;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first {@code n} images (all if there are fewer), for quick checks. */
    public DataSet first(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of images must be at least 1, got " + n);
        }
        return n >= samples.size() ? this : new DataSet(yaml, split, names, samples.subList(0, n));
    }

    /** The data yaml, or null for a data set made in code. */
    public Path yaml() {
        return yaml;
    }

    /** The split name ("train", "val", "test"), or null for a data set made in code. */
    public String split() {
        return split;
    }

    public List<String> names() {
        return names;
    }

    public int nc() {
        return names.size();
    }

    public List<Sample> samples() {
        return samples;
    }

    public int size() {
        return samples.size();
    }

    /** Number of labelled objects. */
    public int instances() {
        int n = 0;
        for (Sample s : samples) {
            n += s.instances();
        }
        return n;
    }

    /** Images without labels. */
    public List<Sample> backgroundImages() {
        return samples.stream().filter(Sample::background).toList();
    }

    /** Objects per class. */
    public int[] instancesPerClass() {
        int[] n = new int[nc()];
        for (Sample s : samples) {
            for (float[] row : s.labels()) {
                n[(int) row[0]]++;
            }
        }
        return n;
    }
}
