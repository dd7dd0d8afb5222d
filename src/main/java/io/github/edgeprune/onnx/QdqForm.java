package io.github.edgeprune.onnx;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import java.util.Arrays;

/**
 * How a FakeQuantize node is written in ONNX's QDQ form. Two forms exist, the two that ONNX
 * Runtime turns into int8 kernels: a per-tensor uint8 activation (levels 256, any zero point) and
 * a symmetric int8 weight (levels 255 on a parameter, per output channel or per tensor). Any
 * other FakeQuantize has no exact QDQ equivalent and is refused with the reason.
 *
 * <p>Both forms need the ranges as numbers, so they must be parameters, and equal input and
 * output ranges: QuantizeLinear followed by DequantizeLinear maps a value back onto its own grid.
 */
sealed interface QdqForm {

    int ACTIVATION_LEVELS = 256;
    int WEIGHT_LEVELS = 255;
    /** Weight levels 0..254 are int8 -127..127: level 127 is the zero. */
    int WEIGHT_ZERO_LEVEL = 127;
    /**
     * How far, in grid steps, a range's zero may sit from a grid point and still count as on it:
     * ranges computed in float land a few ulps off (about 1e-5 steps over 255 levels); a range
     * truly off the grid would shift every value by that fraction of a step.
     */
    double ALIGNMENT_TOLERANCE_STEPS = 1e-3;

    /**
     * QuantizeLinear(x, scale, zeroPoint) to uint8, then DequantizeLinear back. QuantizeLinear
     * rounds x / scale half to even and then adds the zero point, where FakeQuantize rounds
     * x / scale + zeroPoint: the two differ only where x / scale is exactly a half and the zero
     * point odd (the weights below are computed FakeQuantize's way, so they never differ).
     */
    record Activation(float scale, int zeroPoint) implements QdqForm {
    }

    /**
     * The weight as int8 values, dequantized per output channel (axis 0) with these scales and
     * zero points of 0.
     */
    record Weight(byte[] values, long[] shape, float[] scales) implements QdqForm {
    }

    /** The QDQ form of this FakeQuantize node, or a GraphException naming the node and the reason. */
    static QdqForm of(Graph graph, Node node) {
        long levels = ((Op.FakeQuantize) node.op()).levels();
        if (levels != ACTIVATION_LEVELS && levels != WEIGHT_LEVELS) {
            throw refused(node, "levels " + levels + " is neither 256 (a uint8 activation) nor 255 (a symmetric"
                    + " int8 weight), the only grids QuantizeLinear/DequantizeLinear express");
        }
        float[] inputLow = range(graph, node, 1);
        float[] inputHigh = range(graph, node, 2);
        if (!Arrays.equals(inputLow, range(graph, node, 3)) || !Arrays.equals(inputHigh, range(graph, node, 4))) {
            throw refused(node, "the output range differs from the input range, so it rescales as well as rounds");
        }
        if (levels == ACTIVATION_LEVELS) {
            return activation(graph, node, inputLow, inputHigh);
        }
        if (!graph.isParameter(node.input(0))) {
            throw refused(node, "levels 255 is written as an int8 weight, but its input '" + node.input(0)
                    + "' is not a parameter");
        }
        return weight(graph, node, inputLow, inputHigh);
    }

    private static Activation activation(Graph graph, Node node, float[] low, float[] high) {
        if (low.length != 1) {
            throw refused(node, "an activation (levels 256) needs one range for the whole tensor, got "
                    + low.length + " values in '" + node.input(1) + "'");
        }
        if (!(high[0] > low[0])) {
            throw refused(node, "the range [" + low[0] + ", " + high[0] + "] is empty");
        }
        // in float, as the FakeQuantize kernel divides by (ih - il)
        float scale = (high[0] - low[0]) / (ACTIVATION_LEVELS - 1);
        int zeroPoint = zeroLevel(node, low[0], scale);
        if (zeroPoint < 0 || zeroPoint > ACTIVATION_LEVELS - 1) {
            throw refused(node, "the range [" + low[0] + ", " + high[0] + "] does not contain 0, so its zero point "
                    + zeroPoint + " is outside uint8's 0..255");
        }
        return new Activation(scale, zeroPoint);
    }

    private static Weight weight(Graph graph, Node node, float[] low, float[] high) {
        HostTensor w = graph.parameter(node.input(0)).tensor();
        if (w.dtype() != HostTensor.DType.FLOAT32 || w.rank() == 0) {
            throw refused(node, "its input '" + node.input(0) + "' is not a float tensor with an output-channel axis");
        }
        int channels = (int) w.dim(0);
        checkPerChannelShape(graph, node, w, channels);
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float lo = low[low.length == 1 ? 0 : c];
            float hi = high[high.length == 1 ? 0 : c];
            scales[c] = channelScale(node, c, lo, hi);
        }
        return new Weight(int8Values(w, low, high), w.shape(), deadChannelScales(scales));
    }

    /** Ranges must broadcast along axis 0 only ([O, 1, 1, 1]) or be one value: DequantizeLinear's axis is 0. */
    private static void checkPerChannelShape(Graph graph, Node node, HostTensor w, int channels) {
        for (int i = 1; i < 5; i++) {
            long[] shape = graph.parameter(node.input(i)).tensor().shape();
            long count = HostTensor.elementCount(shape);
            boolean perTensor = count == 1;
            boolean perOutputChannel = shape.length == w.rank() && shape[0] == channels && count == channels;
            if (!perTensor && !perOutputChannel) {
                throw refused(node, "weight range '" + node.input(i) + "' has shape " + Arrays.toString(shape)
                        + ", neither one value nor one per output channel " + Arrays.toString(perChannel(w)));
            }
        }
    }

    private static long[] perChannel(HostTensor w) {
        long[] shape = new long[w.rank()];
        Arrays.fill(shape, 1);
        shape[0] = w.dim(0);
        return shape;
    }

    /** The int8 scale of one output channel; 0 for a channel whose range is [0, 0]. */
    private static float channelScale(Node node, int channel, float low, float high) {
        if (low == 0 && high == 0) {
            return 0; // FakeQuantize maps every value to 0 there (a pruned channel, all weights zero)
        }
        if (!(high > low)) {
            throw refused(node, "channel " + channel + " has the empty range [" + low + ", " + high + "]");
        }
        float scale = (high - low) / (WEIGHT_LEVELS - 1);
        int zeroLevel = zeroLevel(node, low, scale);
        if (zeroLevel != WEIGHT_ZERO_LEVEL) {
            throw refused(node, "channel " + channel + " has the range [" + low + ", " + high + "], which is not"
                    + " symmetric (-127·s, 127·s): int8 weights need a zero point of 0");
        }
        return scale;
    }

    /**
     * A channel with range [0, 0] has int8 values of 0 whatever its scale; it takes the smallest
     * scale of the others so that the bias, quantized with x_scale · w_scale for QLinearConv,
     * keeps as fine a step there as elsewhere (and a scale of 0 would leave no step at all).
     */
    private static float[] deadChannelScales(float[] scales) {
        float smallest = Float.MAX_VALUE;
        for (float s : scales) {
            if (s > 0) {
                smallest = Math.min(smallest, s);
            }
        }
        float fill = smallest == Float.MAX_VALUE ? 1f : smallest;
        float[] out = scales.clone();
        for (int c = 0; c < out.length; c++) {
            if (out[c] == 0) {
                out[c] = fill;
            }
        }
        return out;
    }

    /**
     * The weight's grid levels minus 127, worked out step for step in float32 as the FakeQuantize
     * kernel does ((w - il) / (ih - il) · 254, rounded half to even, saturating). Mathematically
     * this is round(w / s) clamped to ±127; computing it the kernel's way gives the very integer
     * the executor lands on even where w / s is within an ulp of a tie.
     */
    private static byte[] int8Values(HostTensor w, float[] low, float[] high) {
        float[] data = w.floats();
        int channels = (int) w.dim(0);
        int perChannel = data.length / channels;
        byte[] out = new byte[data.length];
        for (int c = 0; c < channels; c++) {
            float lo = low[low.length == 1 ? 0 : c];
            float hi = high[high.length == 1 ? 0 : c];
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                out[i] = (byte) (weightLevel(data[i], lo, hi) - WEIGHT_ZERO_LEVEL);
            }
        }
        return out;
    }

    private static int weightLevel(float x, float low, float high) {
        if (low == 0 && high == 0) {
            return WEIGHT_ZERO_LEVEL;
        }
        if (x <= low) {
            return 0;
        }
        if (x > high) {
            return WEIGHT_LEVELS - 1;
        }
        float steps = WEIGHT_LEVELS - 1;
        return (int) Math.rint((x - low) / (high - low) * steps);
    }

    /** The grid level at which the value 0 sits, checked to be a grid point. */
    private static int zeroLevel(Node node, float low, float scale) {
        double exact = -(double) low / scale;
        long nearest = Math.round(exact);
        if (Math.abs(exact - nearest) > ALIGNMENT_TOLERANCE_STEPS) {
            throw refused(node, "the range starting at " + low + " with step " + scale + " puts 0 at level " + exact
                    + ", between grid points: not zero-point aligned, so no integer zero point reproduces it");
        }
        return Math.toIntExact(nearest);
    }

    private static float[] range(Graph graph, Node node, int input) {
        String name = node.input(input);
        Parameter p = graph.parameters().get(name);
        if (p == null) {
            throw refused(node, "range input '" + name + "' is computed in the graph, not a constant parameter");
        }
        if (p.tensor().dtype() != HostTensor.DType.FLOAT32) {
            throw refused(node, "range input '" + name + "' is not float");
        }
        return p.tensor().floats();
    }

    private static GraphException refused(Node node, String why) {
        return new GraphException("node '" + node.name() + "' (FakeQuantize): no ONNX QDQ form: " + why);
    }
}
