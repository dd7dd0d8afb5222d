package io.github.edgeprune.yolo;

import io.github.edgeprune.tensor.HostTensor;
import java.util.SplittableRandom;

/**
 * Fresh weights as PyTorch and YOLOv5 initialise a new model: convolutions kaiming-uniform
 * (a=√5), BatchNorm weight 1 and bias 0, Detect biases with YOLOv5's objectness and class priors.
 * Seeded, so the same seed gives the same model.
 */
public final class RandomWeights implements WeightSource {

    private final SplittableRandom random;

    public RandomWeights(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public HostTensor tensor(Spec spec) {
        int n = Math.toIntExact(HostTensor.elementCount(spec.shape()));
        return switch (spec.init()) {
            case COUNTER -> HostTensor.scalarLong(0);
            case ZEROS -> HostTensor.zeros(spec.shape());
            case ONES -> filled(n, 1f, spec.shape());
            case CONV_WEIGHT, CONV_BIAS -> {
                float bound = (float) (1 / Math.sqrt(spec.fanIn()));
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (random.nextDouble() * 2 - 1) * bound;
                    if (spec.derived() != null) {
                        v[i] += spec.derived().floats()[i];
                    }
                }
                yield HostTensor.ofFloats(v, spec.shape());
            }
            case DERIVED -> {
                if (spec.derived() == null) {
                    throw new ModelFormatException("'" + spec.name() + "' has no value in the yaml and no weights were given"
                            + " (a model built from a yaml needs explicit anchors)");
                }
                yield spec.derived().copy();
            }
        };
    }

    private static HostTensor filled(int n, float value, long[] shape) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return HostTensor.ofFloats(v, shape);
    }
}
