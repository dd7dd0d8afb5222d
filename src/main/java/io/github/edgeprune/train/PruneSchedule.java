package io.github.edgeprune.train;

import java.util.Locale;

/** When the trainer prunes. */
public enum PruneSchedule {
    /**
     * The paper's dynamic pruning: after every epoch the Conv2d and BatchNorm2d weights of the model
     * and of its EMA are L1-pruned to the target amounts; pruned weights may grow back during the
     * next epoch and are pruned again.
     */
    EPOCH,
    /**
     * Zhu &amp; Gupta's gradual pruning: the amount rises as s_f·(1 - (1 - t/T)³) from 0 to the
     * target over the run (or a fraction of it), re-pruning every few iterations; pruned weights are
     * held at zero (masks applied after every optimiser step and to the EMA).
     */
    GRADUAL,
    /** Keep exactly the zeros of the input model (fine-tune a statically pruned model without regrowth). */
    FIXED,
    /** No pruning. */
    NONE;

    public static PruneSchedule parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("prune.schedule must be one of epoch, gradual, fixed, none; got '"
                    + value + "'");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
