package io.github.edgeprune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * YOLOv5's {@code ModelEMA}: an exponential moving average of every floating-point entry of the
 * state dict (weights and buffers such as running statistics), updated after each optimiser step
 * with decay {@code d = decay · (1 - exp(-updates / tau))}: {@code ema = d·ema + (1 - d)·model}.
 * Integer buffers keep the value they had when the average started.
 */
public final class ModelEma implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> ema = new LinkedHashMap<>();
    private final double decay;
    private final double tau;
    private long updates;

    /** Starts the average as a copy of these arrays (the floating-point ones). */
    public ModelEma(Map<String, NDArray> model, List<String> names, double decay, double tau, long updates,
            NDManager parent) {
        this.manager = parent.newSubManager();
        this.decay = decay;
        this.tau = tau;
        this.updates = updates;
        for (String n : names) {
            NDArray src = model.get(n);
            if (src.getDataType() != DataType.FLOAT32) {
                continue;
            }
            NDArray copy = src.duplicate();
            copy.attach(manager);
            ema.put(n, copy);
        }
    }

    /** The decay after this many updates. */
    public static double decay(long updates, double decay, double tau) {
        return decay * (1 - Math.exp(-updates / tau));
    }

    public void update(Map<String, NDArray> model) {
        updates++;
        double d = decay(updates, decay, tau);
        for (Map.Entry<String, NDArray> e : ema.entrySet()) {
            try (NDArray part = model.get(e.getKey()).mul((float) (1 - d))) {
                e.getValue().muli((float) d).addi(part);
            }
        }
    }

    public long updates() {
        return updates;
    }

    /** The averaged arrays by name (engine arrays, shared). */
    public Map<String, NDArray> arrays() {
        return ema;
    }

    @Override
    public void close() {
        manager.close();
    }
}
