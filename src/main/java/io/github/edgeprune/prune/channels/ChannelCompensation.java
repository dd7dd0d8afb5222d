package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Keeps what a removed channel contributed on average. A channel of a network nobody trained for
 * slimming is rarely silent: with a small |γ| its activation sits near SiLU(β), a constant that the
 * next convolution turns into a per-output offset. Dropping the channel drops that offset too, and
 * yolov5n loses most of its mAP50 after removing even 5 % of its GFLOPs. So each removed input
 * channel is replaced by its expected value, folded into the consumer: its bias, or the running mean
 * of the BatchNorm after it. The expectation comes from the model's own BatchNorm statistics (a
 * BatchNorm's output channel is taken as N(β, γ²), pushed through SiLU/Sigmoid/ReLU by quadrature,
 * through pooling and upsampling unchanged, summed at residual adds, placed at its offset by a
 * Concat), so no data is needed. Exact for a silent channel; for a live one it keeps the mean and
 * loses only the variation, and only up to zero padding at the borders of a k×k kernel.
 */
final class ChannelCompensation {

    /** Per value: mean and variance of each channel (NaN where unknown). */
    private final Map<String, double[][]> moments = new HashMap<>();

    private ChannelCompensation() {
    }

    static ChannelCompensation of(Graph g) {
        ChannelCompensation c = new ChannelCompensation();
        for (Node n : g.nodes()) {
            double[][] m = c.momentsOf(g, n);
            if (m != null) {
                c.moments.put(n.output(), m);
            }
        }
        return c;
    }

    private double[][] momentsOf(Graph g, Node n) {
        Op op = n.op();
        if (op instanceof Op.BatchNorm) {
            float[] gamma = g.parameter(n.input(1)).tensor().floats();
            float[] beta = g.parameter(n.input(2)).tensor().floats();
            double[][] m = new double[2][gamma.length];
            for (int i = 0; i < gamma.length; i++) {
                m[0][i] = beta[i];
                m[1][i] = (double) gamma[i] * gamma[i];
            }
            return m;
        }
        double[][] in = moments.get(n.input(0));
        if (op instanceof Op.Silu) {
            return in == null ? null : through(in, z -> z / (1 + Math.exp(-z)));
        }
        if (op instanceof Op.Sigmoid) {
            return in == null ? null : through(in, z -> 1 / (1 + Math.exp(-z)));
        }
        if (op instanceof Op.Relu) {
            return in == null ? null : through(in, z -> Math.max(0, z));
        }
        if (op instanceof Op.MaxPool || op instanceof Op.ResizeNearest) {
            return in; // a constant channel stays that constant; the mean of a live one is kept as is
        }
        if (op instanceof Op.Binary b && b.kind() == Op.Binary.Kind.ADD && n.inputs().size() == 2) {
            double[][] other = moments.get(n.input(1));
            if (in == null || other == null || in[0].length != other[0].length) {
                return null;
            }
            double[][] m = new double[2][in[0].length];
            for (int i = 0; i < m[0].length; i++) {
                m[0][i] = in[0][i] + other[0][i];
                m[1][i] = in[1][i] + other[1][i];
            }
            return m;
        }
        if (op instanceof Op.Concat cat && cat.axis() == 1) {
            List<double[][]> parts = n.inputs().stream().map(moments::get).toList();
            if (parts.contains(null)) {
                return null;
            }
            int total = parts.stream().mapToInt(p -> p[0].length).sum();
            double[][] m = new double[2][total];
            int at = 0;
            for (double[][] p : parts) {
                System.arraycopy(p[0], 0, m[0], at, p[0].length);
                System.arraycopy(p[1], 0, m[1], at, p[1].length);
                at += p[0].length;
            }
            return m;
        }
        return null;
    }

    /** Mean and variance of f(z), z ~ N(mean, var), per channel (Simpson's rule over ±8σ). */
    private static double[][] through(double[][] in, DoubleUnaryOperator f) {
        int c = in[0].length;
        double[][] out = new double[2][c];
        for (int i = 0; i < c; i++) {
            double mu = in[0][i];
            double sd = Math.sqrt(in[1][i]);
            if (!(sd > 1e-12)) {
                out[0][i] = f.applyAsDouble(mu);
                out[1][i] = 0;
                continue;
            }
            int steps = 128;
            double h = 16 * sd / steps;
            double e1 = 0;
            double e2 = 0;
            for (int k = 0; k <= steps; k++) {
                double z = mu - 8 * sd + k * h;
                double w = (k == 0 || k == steps ? 1 : k % 2 == 1 ? 4 : 2) * h / 3;
                double pdf = Math.exp(-0.5 * Math.pow((z - mu) / sd, 2)) / (sd * Math.sqrt(2 * Math.PI));
                double y = f.applyAsDouble(z);
                e1 += w * pdf * y;
                e2 += w * pdf * y * y;
            }
            out[0][i] = e1;
            out[1][i] = Math.max(0, e2 - e1 * e1);
        }
        return out;
    }

    /**
     * Folds the expected value of the input channels a convolution loses ({@code keepIn} false)
     * into its bias, or into the running mean of the BatchNorm that alone reads it. Edits
     * {@code params} before anything is sliced; does nothing where neither exists.
     */
    void fold(Graph g, Node conv, boolean[] keepIn, Map<String, Parameter> params) {
        double[][] m = moments.get(conv.input(0));
        if (m == null || keepIn == null || m[0].length != keepIn.length) {
            return;
        }
        HostTensor w = params.get(conv.input(1)).tensor();
        long[] shape = w.shape();
        int outC = (int) shape[0];
        int inC = (int) shape[1];
        int k = (int) (shape[2] * shape[3]);
        float[] wv = w.floats();
        double[] offset = new double[outC];
        boolean any = false;
        for (int c = 0; c < inC; c++) {
            if (keepIn[c] || !Double.isFinite(m[0][c]) || m[0][c] == 0) {
                continue;
            }
            any = true;
            for (int o = 0; o < outC; o++) {
                double sum = 0;
                int base = (o * inC + c) * k;
                for (int j = 0; j < k; j++) {
                    sum += wv[base + j];
                }
                offset[o] += m[0][c] * sum;
            }
        }
        if (!any) {
            return;
        }
        if (conv.inputs().size() > 2) {
            add(params, conv.input(2), offset, 1);
            return;
        }
        List<Node> readers = g.consumers(conv.output());
        if (readers.size() == 1 && readers.get(0).op() instanceof Op.BatchNorm) {
            // BN(y + offset) with the mean lowered by offset is BN(y) with the old mean
            add(params, readers.get(0).input(3), offset, -1);
        }
    }

    private static void add(Map<String, Parameter> params, String name, double[] offset, int sign) {
        Parameter p = params.get(name);
        float[] v = p.tensor().floats().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (sign * offset[i]);
        }
        params.put(name, p.withTensor(HostTensor.ofFloats(v, p.tensor().shape())));
    }
}
