package io.github.edgeprune.prune;

import java.util.Locale;

/** Where the L1 cut-off is taken. */
public enum PruneScope {
    /** Each tensor loses round(amount·n) of its smallest |w| (torch.nn.utils.prune.l1_unstructured). */
    LAYER,
    /** One magnitude threshold over all Conv2d weights, one over all BatchNorm2d weights (global_unstructured). */
    GLOBAL;

    public static PruneScope parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("prune.scope must be 'layer' or 'global', got '" + value + "'");
        }
    }
}
