package io.github.edgeprune.prune;

import io.github.edgeprune.tensor.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * Global sparsity as the paper's Algorithms 1 and 2 compute it: zeros ÷ total over all Conv2d
 * weights, and separately over all BatchNorm2d weights.
 */
public record Sparsity(long convZeros, long convTotal, long bnZeros, long bnTotal) {

    public static Sparsity of(Map<String, HostTensor> tensors, PruneTargets targets) {
        long[] conv = count(tensors, targets.convWeights());
        long[] bn = count(tensors, targets.batchNormWeights());
        return new Sparsity(conv[0], conv[1], bn[0], bn[1]);
    }

    private static long[] count(Map<String, HostTensor> tensors, List<String> names) {
        long zeros = 0;
        long total = 0;
        for (String name : names) {
            HostTensor t = tensors.get(name);
            zeros += t.countZeros();
            total += t.size();
        }
        return new long[] {zeros, total};
    }

    public double conv() {
        return convTotal == 0 ? 0 : (double) convZeros / convTotal;
    }

    public double batchNorm() {
        return bnTotal == 0 ? 0 : (double) bnZeros / bnTotal;
    }
}
