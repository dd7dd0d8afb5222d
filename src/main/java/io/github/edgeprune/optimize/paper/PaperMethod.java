package io.github.edgeprune.optimize.paper;

import io.github.edgeprune.train.PruneSchedule;

/**
 * The rows of the paper's comparison. Every row is fine-tuned the same number of epochs from the
 * same model with the same seed, so the only difference between them is how pruning is applied.
 */
public enum PaperMethod {
    /** The paper's dynamic pruning: L1-pruned again after every epoch (train-dynamic, schedule epoch). */
    DYNAMIC("dynamic", "dynamic pruning", PruneSchedule.EPOCH),
    /** The paper's static pruning: pruned once before training (prune-static), then fine-tuned keeping those zeros. */
    STATIC("static", "static pruning", PruneSchedule.FIXED),
    /**
     * Not a row of the paper: the unpruned model fine-tuned the same epochs (schedule none), so that
     * what pruning costs is not confused with what the fine-tuning itself changed.
     */
    UNPRUNED("unpruned", "unpruned, same fine-tuning", PruneSchedule.NONE);

    private final String id;
    private final String label;
    private final PruneSchedule schedule;

    PaperMethod(String id, String label, PruneSchedule schedule) {
        this.id = id;
        this.label = label;
        this.schedule = schedule;
    }

    /** The row's folder name under {@code <outputDirectory>/paper/} and its key in paper.json. */
    public String id() {
        return id;
    }

    /** The column heading of the paper-shaped table. */
    public String label() {
        return label;
    }

    /** The train-dynamic schedule of the row's fine-tuning. */
    public PruneSchedule schedule() {
        return schedule;
    }

    /** What the row does, for logs and reports. */
    public String describe(double conv, double bn, int epochs) {
        String amounts = String.format(java.util.Locale.ROOT, "Conv2d %.2f, BatchNorm2d %.2f", conv, bn);
        return switch (this) {
            case DYNAMIC -> "train-dynamic -Dprune.schedule=epoch (" + amounts + ", pruned after each of " + epochs
                    + " epochs)";
            case STATIC -> "prune-static (" + amounts + "), then train-dynamic -Dprune.schedule=fixed for " + epochs
                    + " epochs";
            case UNPRUNED -> "train-dynamic -Dprune.schedule=none for " + epochs + " epochs";
        };
    }
}
