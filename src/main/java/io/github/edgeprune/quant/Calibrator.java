package io.github.edgeprune.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.data.Preprocessor;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.executor.OwnedArrays;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.util.Progress;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Runs the float graph on calibration images, one at a time with evaluate's pre-processing
 * (letterbox to the graph's square input, RGB, /255), and records the range of each requested
 * value.
 */
public final class Calibrator {

    /** What was seen of one value: [min, max] over the images (min/max), the mean quantiles, or the least-error range (mse). */
    public record Observed(double min, double max) {
    }

    private Calibrator() {
    }

    public static Map<String, Observed> observe(Graph graph, List<Path> images, Collection<String> values,
            CalibrationMethod method, Progress progress) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one image");
        }
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (String v : values) {
            acc.put(v, method == CalibrationMethod.PERCENTILE
                    ? new double[] {0, 0}
                    : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
        }
        String pass = method == CalibrationMethod.MSE ? " (pass 1 of 2: ranges)" : "";
        forEachImage(graph, images, values, "Calibrating INT8 ranges on " + images.size() + " images" + pass, progress,
                (v, got) -> {
                    double[] a = acc.get(v);
                    if (method == CalibrationMethod.PERCENTILE) {
                        double[] seen = quantiles(got);
                        a[0] += seen[0] / images.size();
                        a[1] += seen[1] / images.size();
                    } else {
                        double[] seen = minMax(got);
                        a[0] = Math.min(a[0], seen[0]);
                        a[1] = Math.max(a[1], seen[1]);
                    }
                });
        Map<String, Observed> out = new LinkedHashMap<>();
        acc.forEach((k, a) -> {
            if (!Double.isFinite(a[0]) || !Double.isFinite(a[1])) {
                throw new IllegalStateException("value '" + k + "' was not finite on the calibration images (" + a[0]
                        + " .. " + a[1] + "): the float model itself is broken there");
            }
            out.put(k, new Observed(a[0], a[1]));
        });
        if (method == CalibrationMethod.MSE) {
            // the graph's input keeps its whole range: an 8-bit image is then exactly on the grid
            Set<String> inputs = new HashSet<>();
            graph.inputs().forEach(i -> inputs.add(i.name()));
            Map<String, MseRange> histograms = new LinkedHashMap<>();
            out.forEach((k, o) -> {
                if (!inputs.contains(k)) {
                    histograms.put(k, new MseRange(o.min(), o.max()));
                }
            });
            forEachImage(graph, images, histograms.keySet(), "Calibrating INT8 ranges (pass 2 of 2: histograms)",
                    progress, (v, got) -> histograms.get(v).add(got.toFloatArray()));
            histograms.forEach((k, h) -> out.put(k, h.best()));
        }
        return out;
    }

    /** Runs the float graph on each image and hands every requested value to {@code sink}, with progress. */
    private static void forEachImage(Graph graph, List<Path> images, Collection<String> values, String task,
            Progress progress, BiConsumer<String, NDArray> sink) {
        long[] in = graph.inputs().get(0).shape();
        int imgsz = (int) in[in.length - 1];
        progress.start(task, images.size());
        try (NDManager manager = Engines.newManager(); GraphExecutor ex = new GraphExecutor(graph, manager)) {
            for (Path image : images) {
                try (NDManager step = manager.newSubManager()) {
                    float[] chw = Preprocessor.preprocess(image, imgsz).chw();
                    NDArray x = OwnedArrays.of(step, chw, new Shape(1, 3, imgsz, imgsz));
                    Map<String, NDArray> got = ex.run(Map.of(graph.inputs().get(0).name(), x), values,
                            GraphExecutor.Mode.INFERENCE);
                    for (String v : values) {
                        sink.accept(v, got.get(v));
                    }
                }
                progress.step(1);
            }
        } finally {
            progress.done();
        }
    }

    private static double[] minMax(NDArray a) {
        try (NDArray lo = a.min(); NDArray hi = a.max()) {
            return new double[] {lo.getFloat(), hi.getFloat()};
        }
    }

    /** The low and high {@link CalibrationMethod#PERCENTILE_KEPT} quantiles, by the k-th largest of each tail. */
    private static double[] quantiles(NDArray a) {
        long n = a.size();
        int k = (int) Math.max(1, Math.ceil(n * (1 - CalibrationMethod.PERCENTILE_KEPT)));
        try (NDManager scope = a.getManager().newSubManager()) {
            NDArray flat = a.flatten();
            flat.attach(scope);
            NDArray top = flat.topK(k, 0, true, true).get(0);
            NDArray bottom = flat.topK(k, 0, false, true).get(0);
            top.attach(scope);
            bottom.attach(scope);
            return new double[] {bottom.getFloat(k - 1), top.getFloat(k - 1)};
        }
    }
}
