package io.github.edgeprune.prune;

import io.github.edgeprune.tensor.HostTensor;
import java.util.Map;

/**
 * The paper's static pruning (its Algorithms 3 and 4): L1 unstructured pruning of every Conv2d
 * weight and every BatchNorm2d weight, once, made permanent.
 */
public final class StaticPruning {

    private StaticPruning() {
    }

    /** Settings of one pruning step; amounts are fractions in [0, 1). */
    public record Amounts(double conv, double bn, PruneScope scope) {
        public Amounts {
            L1Pruner.checkAmount(conv, "prune.convSparsity");
            L1Pruner.checkAmount(bn, "prune.bnSparsity");
        }
    }

    /** Prunes the tensors in place (pass a copy to keep the original). */
    public static void apply(Map<String, HostTensor> tensors, PruneTargets targets, Amounts amounts) {
        if (amounts.scope() == PruneScope.GLOBAL) {
            L1Pruner.pruneGlobally(tensors, targets.convWeights(), amounts.conv());
            L1Pruner.pruneGlobally(tensors, targets.batchNormWeights(), amounts.bn());
        } else {
            L1Pruner.pruneEach(tensors, targets.convWeights(), amounts.conv());
            L1Pruner.pruneEach(tensors, targets.batchNormWeights(), amounts.bn());
        }
    }
}
