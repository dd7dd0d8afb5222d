package io.github.edgeprune.train;

/**
 * YOLOv5 v7.0's learning-rate and momentum schedule. After warm-up every group's lr is
 * {@code lr0 · lf(epoch)} with the linear {@code lf(e) = (1 - e/epochs)(1 - lrf) + lrf}. During the
 * first {@code nw} iterations ({@code ni <= nw}) the values are interpolated (numpy's interp)
 * from the warm-up start to where the schedule is: bias lr from warmup_bias_lr, the others from 0,
 * momentum from warmup_momentum, and the number of batches accumulated per step from 1 to
 * nbs/batch (rounded, at least 1).
 */
public final class LrSchedule {

    private final Hyp hyp;
    private final int epochs;
    private final int batch;
    private final int warmupIterations;

    /** Where one iteration stands. */
    public record Point(double[] lr, double momentum, int accumulate) {
    }

    public LrSchedule(Hyp hyp, int epochs, int batch, int batchesPerEpoch) {
        this.hyp = hyp;
        this.epochs = epochs;
        this.batch = batch;
        this.warmupIterations = hyp.warmupIterations(batchesPerEpoch);
    }

    public int warmupIterations() {
        return warmupIterations;
    }

    /** The linear lambda of YOLOv5's LambdaLR. */
    public double lf(int epoch) {
        return (1 - (double) epoch / epochs) * (1.0 - hyp.lrf()) + hyp.lrf();
    }

    /**
     * The settings for iteration {@code ni} (batches since the start) in this epoch. The
     * accumulation changes only during warm-up; after it, it stays where warm-up ended,
     * {@link Hyp#accumulate(int)}.
     */
    public Point at(long ni, int epoch) {
        double target = hyp.lr0() * lf(epoch);
        if (ni > warmupIterations) {
            return new Point(new double[] {target, target, target}, hyp.momentum(), hyp.accumulate(batch));
        }
        double acc = interp(ni, warmupIterations, 1, (double) hyp.nbs() / batch);
        int accumulate = (int) Math.max(1, Math.rint(acc));
        double[] lr = new double[3];
        for (int j = 0; j < 3; j++) {
            lr[j] = interp(ni, warmupIterations, j == ParamGroups.BIAS ? hyp.warmupBiasLr() : 0.0, target);
        }
        return new Point(lr, interp(ni, warmupIterations, hyp.warmupMomentum(), hyp.momentum()), accumulate);
    }

    /** numpy.interp(x, [0, x1], [y0, y1]) for 0 <= x. */
    static double interp(double x, double x1, double y0, double y1) {
        if (x >= x1) {
            return y1;
        }
        if (x <= 0) {
            return y0;
        }
        double slope = (y1 - y0) / x1;
        return slope * x + y0;
    }
}
