package io.github.edgeprune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.edgeprune.executor.OwnedArrays;
import io.github.edgeprune.prune.PruneScope;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.prune.StaticPruning;
import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link PruneSchedule} to the engine-side model and its EMA, through the project's
 * {@link StaticPruning} (L1 unstructured, layer or global scope): the tensors are copied to the
 * host, pruned there, and copied back. Masks (1 where a weight may live) hold pruned weights at
 * zero for {@code gradual} and {@code fixed}.
 */
final class PruningControl implements AutoCloseable {

    private final PruneSchedule schedule;
    private final PruneTargets targets;
    private final double conv;
    private final double bn;
    private final PruneScope scope;
    private final Map<String, NDArray> model;
    private final NDManager manager;
    private final Map<String, NDArray> masks = new LinkedHashMap<>();
    private final long rampIterations;
    private final long interval;
    /** The amounts in force now (gradual: the last ramp step; epoch: the targets once pruned). */
    private double currentConv;
    private double currentBn;

    PruningControl(TrainSettings s, PruneTargets targets, Map<String, NDArray> model, long totalIterations,
            NDManager parent) {
        this.schedule = s.schedule();
        this.targets = targets;
        this.conv = s.convSparsity();
        this.bn = s.bnSparsity();
        this.scope = s.scope();
        this.model = model;
        this.manager = parent.newSubManager();
        this.rampIterations = Math.max(1, Math.round(s.gradualEnd() * totalIterations));
        this.interval = s.gradualInterval() > 0 ? s.gradualInterval() : Math.max(1, rampIterations / 100);
    }

    List<String> names() {
        List<String> all = new ArrayList<>(targets.convWeights());
        all.addAll(targets.batchNormWeights());
        return all;
    }

    /** fixed: masks from the zeros the model starts with. */
    void start() {
        if (schedule == PruneSchedule.FIXED) {
            rebuildMasksFromModel();
        }
    }

    /** The Zhu &amp; Gupta amount after t of T iterations: s_f·(1 - (1 - t/T)³). */
    static double cubic(double finalAmount, long t, long total) {
        double f = Math.min(1.0, (double) t / total);
        return finalAmount * (1 - Math.pow(1 - f, 3));
    }

    /** After an optimiser step: hold masked weights at zero. */
    void afterOptimizerStep() {
        applyMasks(model);
    }

    /** After an EMA update: the EMA keeps the model's zeros. */
    void afterEmaUpdate(ModelEma ema) {
        applyMasks(ema.arrays());
    }

    /** After iteration ni (0-based, since the start): gradual pruning when due. */
    void afterIteration(long ni, ModelEma ema) {
        if (schedule != PruneSchedule.GRADUAL) {
            return;
        }
        long t = ni + 1;
        boolean due = t % interval == 0 || t == rampIterations;
        if (!due || t > rampIterations) {
            return;
        }
        double c = cubic(conv, t, rampIterations);
        double b = cubic(bn, t, rampIterations);
        if (c == currentConv && b == currentBn) {
            return;
        }
        pruneTo(model, c, b);
        currentConv = c;
        currentBn = b;
        rebuildMasksFromModel();
        applyMasks(ema.arrays());
    }

    /** At the end of an epoch: the paper's dynamic pruning of the model and of its EMA. */
    void endOfEpoch(ModelEma ema) {
        if (schedule != PruneSchedule.EPOCH) {
            return;
        }
        pruneTo(model, conv, bn);
        pruneTo(ema.arrays(), conv, bn);
        currentConv = conv;
        currentBn = bn;
    }

    /** At the end of training: a gradual run stopped early still ends at the target. */
    boolean finish(ModelEma ema) {
        if (schedule == PruneSchedule.GRADUAL && (currentConv != conv || currentBn != bn)) {
            pruneTo(model, conv, bn);
            currentConv = conv;
            currentBn = bn;
            rebuildMasksFromModel();
            applyMasks(ema.arrays());
            return true;
        }
        return false;
    }

    double currentConv() {
        return currentConv;
    }

    double currentBn() {
        return currentBn;
    }

    Map<String, NDArray> masks() {
        return masks;
    }

    /** Restores the state of an interrupted run. */
    void restore(double c, double b, Map<String, HostTensor> savedMasks) {
        currentConv = c;
        currentBn = b;
        masks.values().forEach(NDArray::close);
        masks.clear();
        savedMasks.forEach((n, t) -> masks.put(n, OwnedArrays.of(manager, t.floats(), model.get(n).getShape())));
    }

    private void rebuildMasksFromModel() {
        masks.values().forEach(NDArray::close);
        masks.clear();
        for (String n : names()) {
            NDArray p = model.get(n);
            try (NDArray nz = p.neq(0)) {
                NDArray m = nz.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                m.attach(manager);
                masks.put(n, m);
            }
        }
    }

    private void applyMasks(Map<String, NDArray> arrays) {
        for (Map.Entry<String, NDArray> e : masks.entrySet()) {
            arrays.get(e.getKey()).muli(e.getValue());
        }
    }

    /** L1-prunes these engine arrays in place to the amounts (through the host). */
    private void pruneTo(Map<String, NDArray> arrays, double c, double b) {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        for (String n : names()) {
            NDArray a = arrays.get(n);
            host.put(n, HostTensor.ofFloats(a.toFloatArray(), a.getShape().getShape()));
        }
        StaticPruning.apply(host, targets, new StaticPruning.Amounts(c, b, scope));
        for (String n : names()) {
            OwnedArrays.copyInto(arrays.get(n), host.get(n).floats());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
