package io.github.edgeprune.util;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Work on several independent items at once (devices), with bounded concurrency and results in item order. */
public final class Parallel {

    /** The work for one item. */
    @FunctionalInterface
    public interface Task<T, R> {
        R apply(T item) throws IOException;
    }

    private Parallel() {
    }

    /**
     * Applies {@code task} to every item on at most {@code threads} daemon threads named {@code name};
     * one item runs on the calling thread. A task's exception is rethrown as it was thrown; an
     * interrupt of the caller stops every task and becomes an {@link InterruptedIOException}.
     */
    public static <T, R> List<R> map(List<T> items, int threads, String name, Task<T, R> task) throws IOException {
        if (items.size() == 1) {
            return List.of(task.apply(items.get(0)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, items.size())), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> task.apply(item)));
            }
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while working on " + items.size() + " items (" + name + ")");
        } finally {
            pool.shutdownNow();
        }
    }
}
