package io.github.edgeprune.yolo;

import io.github.edgeprune.tensor.HostTensor;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Weights from a state dict (checkpoint or bundle). Every tensor the architecture needs must be
 * present with the right shape; {@link #unused()} tells what the file had beyond that.
 */
public final class StateDictWeights implements WeightSource {

    private final Map<String, HostTensor> stateDict;
    private final String where;
    private final Set<String> unused;

    public StateDictWeights(Map<String, HostTensor> stateDict, String where) {
        this.stateDict = stateDict;
        this.where = where;
        this.unused = new LinkedHashSet<>(stateDict.keySet());
    }

    @Override
    public long[] storedShape(String name) {
        HostTensor t = stateDict.get(name);
        return t == null ? null : t.shape();
    }

    @Override
    public HostTensor tensor(Spec spec) {
        HostTensor t = stateDict.get(spec.name());
        if (t == null) {
            if (spec.init() == Init.COUNTER) {
                return HostTensor.scalarLong(0); // older files may lack num_batches_tracked
            }
            throw new ModelFormatException(where + ": tensor '" + spec.name() + "' is missing (the architecture needs "
                    + Arrays.toString(spec.shape()) + ")");
        }
        unused.remove(spec.name());
        if (spec.init() == Init.COUNTER) {
            return t.dtype() == HostTensor.DType.INT64 ? t : HostTensor.scalarLong((long) t.floats()[0]);
        }
        if (!Arrays.equals(t.shape(), spec.shape())) {
            throw new ModelFormatException(where + ": tensor '" + spec.name() + "' has shape " + Arrays.toString(t.shape())
                    + " but the architecture needs " + Arrays.toString(spec.shape())
                    + " (does the yaml's nc or width_multiple match the weights?)");
        }
        if (t.dtype() != HostTensor.DType.FLOAT32) {
            throw new ModelFormatException(where + ": tensor '" + spec.name() + "' holds integers, expected floats");
        }
        return t;
    }

    /** Tensors of the file that no part of the architecture asked for. */
    public Set<String> unused() {
        return unused;
    }
}
