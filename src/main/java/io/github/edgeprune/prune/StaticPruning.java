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

        /**
         * The paper's amounts (its section IV.2), per layer: yolov5m pruned to 40 % of its Conv2d and
         * 30 % of its BatchNorm2d weights, yolov5n (and any other model) to 20 % and 10 % (9.91 %
         * measured: the per-layer rounding of small BatchNorm tensors).
         */
        public static Amounts paper(String model) {
            String name = java.nio.file.Path.of(model).getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            return name.startsWith("yolov5m") ? new Amounts(0.4, 0.3, PruneScope.LAYER)
                    : new Amounts(0.2, 0.1, PruneScope.LAYER);
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
