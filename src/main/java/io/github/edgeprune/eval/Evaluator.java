package io.github.edgeprune.eval;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.data.DataSetException;
import io.github.edgeprune.data.Letterbox;
import io.github.edgeprune.data.Preprocessor;
import io.github.edgeprune.data.Sample;
import io.github.edgeprune.util.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Validates a detector on a data set as YOLOv5 v7.0 {@code val.py} does for an exported model
 * (square letterbox input): batches of pre-processed images, inference, NMS, boxes scaled back to
 * the original images, matching against the labels, {@code ap_per_class}.
 *
 * <p>A worker thread pre-processes the next batch while the predictor runs the current one; all
 * results are gathered in data set order on the calling thread, so they do not depend on timing.
 * Times are wall-clock per phase divided by the number of images, as val.py reports them (here the
 * pre-processing time covers reading, resizing and converting the images, which val.py's data
 * loader workers do outside its timer).
 */
public final class Evaluator {

    private Evaluator() {
    }

    public static EvaluationResult evaluate(DataSet ds, Predictor predictor, EvalSettings settings, Progress progress) {
        int nc = ds.nc();
        if (predictor.classes() != nc) {
            throw new IllegalArgumentException("the model has " + predictor.classes() + " classes but the data set "
                    + (ds.yaml() != null ? ds.yaml() + " " : "") + "has " + nc);
        }
        List<Sample> samples = ds.samples();
        int n = samples.size();
        int imgsz = settings.imgsz();
        int batchSize = Math.min(settings.batch(), Math.max(1, n));
        int columns = 5 + nc;
        int imageFloats = 3 * imgsz * imgsz;
        float[][] buffers = {new float[batchSize * imageFloats], new float[n > batchSize ? batchSize * imageFloats : 0]};

        DetectionStats stats = new DetectionStats(nc);
        List<Detections> all = new ArrayList<>(n);
        long preNanos = 0;
        long inferNanos = 0;
        long nmsNanos = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "edgeprune-preprocess");
            t.setDaemon(true);
            return t;
        });
        progress.start("Validating", n);
        try {
            int batches = (n + batchSize - 1) / batchSize;
            Future<Batch> next = batches > 0 ? worker.submit(() -> prepare(samples, 0, batchSize, imgsz, buffers[0])) : null;
            for (int b = 0; b < batches; b++) {
                Batch batch = get(next);
                if (b + 1 < batches) {
                    int from = (b + 1) * batchSize;
                    float[] buffer = buffers[(b + 1) % 2];
                    next = worker.submit(() -> prepare(samples, from, batchSize, imgsz, buffer));
                }
                preNanos += batch.nanos;
                int count = batch.letterboxes.length;

                long t0 = System.nanoTime();
                float[][] out = predictor.predict(batch.data, count, imgsz, imgsz);
                long t1 = System.nanoTime();
                inferNanos += t1 - t0;
                if (out == null || out.length != count) {
                    throw new IllegalStateException("the predictor returned " + (out == null ? "null" : out.length + " outputs")
                            + " for a batch of " + count);
                }
                Detections[] dets = new Detections[count];
                for (int i = 0; i < count; i++) {
                    if (out[i].length % columns != 0) {
                        throw new IllegalStateException("the predictor returned " + out[i].length
                                + " values for an image, not a multiple of 5 + nc = " + columns);
                    }
                    dets[i] = Nms.run(out[i], columns, settings);
                }
                nmsNanos += System.nanoTime() - t1;

                for (int i = 0; i < count; i++) {
                    Sample s = samples.get(batch.from + i);
                    Letterbox lb = batch.letterboxes[i];
                    Detections original = Boxes.toOriginal(dets[i], lb);
                    stats.add(Boxes.labelsToOriginal(s.labels(), lb), original);
                    all.add(original);
                }
                progress.step(count);
            }
        } finally {
            worker.shutdownNow();
            progress.done();
        }
        double perImage = n == 0 ? 0 : 1e6 * n;
        return new EvaluationResult(stats, preNanos / perImage, inferNanos / perImage, nmsNanos / perImage, imgsz,
                batchSize, all);
    }

    /**
     * mAP from detections made elsewhere (a device agent): one entry per sample, in data set order,
     * in original image pixels. Labels are put in pixels as val.py does at {@code settings.imgsz()}.
     */
    public static EvaluationResult evaluateDetections(DataSet ds, List<Detections> perImage, EvalSettings settings) {
        if (perImage.size() != ds.size()) {
            throw new IllegalArgumentException("got detections for " + perImage.size() + " images, the data set has " + ds.size());
        }
        DetectionStats stats = new DetectionStats(ds.nc());
        for (int i = 0; i < ds.size(); i++) {
            stats.add(ds.samples().get(i), perImage.get(i), settings.imgsz());
        }
        return new EvaluationResult(stats, 0, 0, 0, settings.imgsz(), 0, perImage);
    }

    private record Batch(int from, float[] data, Letterbox[] letterboxes, long nanos) {
    }

    private static Batch prepare(List<Sample> samples, int from, int batchSize, int imgsz, float[] buffer) {
        long t0 = System.nanoTime();
        int count = Math.min(batchSize, samples.size() - from);
        int imageFloats = 3 * imgsz * imgsz;
        Letterbox[] lbs = new Letterbox[count];
        for (int i = 0; i < count; i++) {
            lbs[i] = Preprocessor.preprocess(samples.get(from + i).image(), imgsz, buffer, i * imageFloats);
        }
        float[] data = count == batchSize ? buffer : java.util.Arrays.copyOf(buffer, count * imageFloats);
        return new Batch(from, data, lbs, System.nanoTime() - t0);
    }

    private static Batch get(Future<Batch> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pre-processing images", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DataSetException d) {
                throw new DataSetException(d.getMessage(), d);
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("pre-processing failed: " + c, c);
        }
    }
}
