package io.github.edgeprune.train;

/**
 * One row of results.csv: an epoch's mean training losses (after their gains, per image), the
 * validation of its EMA weights, the sparsity of those weights, and the lr of each parameter
 * group at the end of the epoch (biases, decayed weights, BatchNorm weights).
 *
 * @param epoch 0-based, as YOLOv5 writes it
 * @param targetConv the Conv2d amount the schedule asked for at the end of this epoch
 * @param targetBn the BatchNorm2d amount the schedule asked for at the end of this epoch
 * @param seconds wall time of the epoch (training, pruning and validation)
 * @param smallGamma share of the slimmable BatchNorm weights with |γ| < 0.01 (how prunable the
 *     model has become; network slimming's sparsity training drives it up)
 */
public record EpochRecord(int epoch, double boxLoss, double objLoss, double clsLoss, Metrics metrics,
        double convSparsity, double bnSparsity, double[] lr, double targetConv, double targetBn, double seconds, double smallGamma) {

    public EpochRecord {
        lr = lr.clone();
    }

    @Override
    public double[] lr() {
        return lr.clone();
    }
}
