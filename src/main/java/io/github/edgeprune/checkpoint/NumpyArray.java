package io.github.edgeprune.checkpoint;

import java.util.List;

/**
 * A small numpy array from a pickle (e.g. a {@code best_fitness} of shape [1]), its values in C
 * order as Java numbers: Double for floating types, Long for integer types, Boolean for bool.
 *
 * @param dtype numpy's type string, e.g. {@code f8}
 */
public record NumpyArray(String dtype, long[] shape, List<Object> values) {

    /** The single value of a one-element array, or null. */
    public Object scalar() {
        return values.size() == 1 ? values.get(0) : null;
    }
}
