package io.github.edgeprune.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The training batches of one epoch, made by a pool of worker threads a few batches ahead of the
 * trainer. The order of the images is a seeded permutation per epoch, and every image is augmented
 * with its own generator seeded by (seed, epoch, position), so a batch does not depend on which
 * thread made it or when: a run is repeatable and can resume at any epoch.
 */
final class TrainLoader implements AutoCloseable {

    /**
     * A collated batch.
     *
     * @param images [count, 3, size, size] RGB in 0..1, flattened
     * @param targets rows (image index in the batch, class, cx, cy, w, h), normalised
     */
    record Batch(float[] images, int count, int size, float[][] targets) {
    }

    private final Augment augment;
    private final int n;
    private final int batch;
    private final int imgsz;
    private final long seed;
    private final int prefetch;
    private final ExecutorService pool;

    private int epoch = -1;
    private int[] order;
    private int nextToSubmit;
    private int nextToTake;
    private final Deque<List<Future<Augment.Tensor>>> pending = new ArrayDeque<>();

    TrainLoader(Augment augment, int n, int batch, int imgsz, long seed, int workers) {
        this.augment = augment;
        this.n = n;
        this.batch = batch;
        this.imgsz = imgsz;
        this.seed = seed;
        this.prefetch = Math.max(2, workers);
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "prune-train-loader-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int batchesPerEpoch() {
        return (n + batch - 1) / batch;
    }

    /** The image order of an epoch (a seeded Fisher–Yates permutation). */
    static int[] order(int n, long seed, int epoch) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        SplittableRandom rng = rng(seed, epoch, -1);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** The generator of one image of one epoch. */
    static SplittableRandom rng(long seed, int epoch, int position) {
        long mixed = seed * 0x9E3779B97F4A7C15L + (epoch + 1L) * 0xBF58476D1CE4E5B9L + (position + 2L) * 0x94D049BB133111EBL;
        return new SplittableRandom(new SplittableRandom(mixed).nextLong());
    }

    void startEpoch(int e) {
        for (List<Future<Augment.Tensor>> fs : pending) {
            fs.forEach(f -> f.cancel(true));
        }
        pending.clear();
        this.epoch = e;
        this.order = order(n, seed, e);
        this.nextToSubmit = 0;
        this.nextToTake = 0;
    }

    /** The next batch of the epoch (blocks until its images are ready). */
    Batch next() throws IOException {
        int nb = batchesPerEpoch();
        if (nextToTake >= nb) {
            throw new IllegalStateException("epoch " + epoch + " has only " + nb + " batches");
        }
        while (nextToSubmit < nb && nextToSubmit <= nextToTake + prefetch) {
            submit(nextToSubmit++);
        }
        List<Future<Augment.Tensor>> fs = pending.removeFirst();
        nextToTake++;
        List<Augment.Tensor> samples = new ArrayList<>();
        for (Future<Augment.Tensor> f : fs) {
            samples.add(get(f));
        }
        return collate(samples);
    }

    private void submit(int b) {
        int from = b * batch;
        int to = Math.min(n, from + batch);
        int e = epoch;
        List<Future<Augment.Tensor>> fs = new ArrayList<>();
        for (int pos = from; pos < to; pos++) {
            int position = pos;
            int index = order[pos];
            fs.add(pool.submit(() -> augment.sample(index, rng(seed, e, position))));
        }
        pending.addLast(fs);
    }

    private Batch collate(List<Augment.Tensor> samples) {
        int plane = 3 * imgsz * imgsz;
        float[] images = new float[samples.size() * plane];
        List<float[]> targets = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Augment.Tensor t = samples.get(i);
            if (t.height() != imgsz || t.width() != imgsz) {
                throw new IllegalStateException("augmented image is " + t.width() + "x" + t.height() + ", expected " + imgsz);
            }
            System.arraycopy(t.chw(), 0, images, i * plane, plane);
            for (float[] l : t.labels()) {
                targets.add(new float[] {i, l[0], l[1], l[2], l[3], l[4]});
            }
        }
        return new Batch(images, samples.size(), imgsz, targets.toArray(new float[0][]));
    }

    private static Augment.Tensor get(Future<Augment.Tensor> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading images", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(c);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
