package io.github.edgeprune.graph;

import java.util.Arrays;
import java.util.List;

/**
 * The primitive operations a graph is made of. Each knows only its attributes and how it maps
 * input shapes to output shapes; running them is the executor's business, writing them the
 * IR writer's. Semantics follow PyTorch/ONNX/OpenVINO where those agree (NCHW, numpy
 * broadcasting).
 */
public sealed interface Op
        permits Op.Conv2d, Op.BatchNorm, Op.Silu, Op.Sigmoid, Op.Relu, Op.Binary, Op.Concat,
                Op.MaxPool, Op.ResizeNearest, Op.Reshape, Op.Transpose, Op.Slice, Op.Split,
                Op.FakeQuantize, Op.Clamp, Op.Exp, Op.Softmax, Op.Mvn, Op.Reduce, Op.DetectionOutput {

    /** A short type name for messages and summaries. */
    String type();

    /** Output shapes for these input shapes (parameters included, in node input order). */
    List<long[]> outputShapes(List<long[]> in);

    /** 2-D convolution; inputs x, weight [O, I/groups, kH, kW] and an optional bias [O]. */
    record Conv2d(long[] strides, long[] padsBegin, long[] padsEnd, long[] dilations, int groups) implements Op {
        public Conv2d {
            strides = strides.clone();
            padsBegin = padsBegin.clone();
            padsEnd = padsEnd.clone();
            dilations = dilations.clone();
        }

        public static Conv2d symmetric(long kernel, long stride, long pad, int groups) {
            return new Conv2d(new long[] {stride, stride}, new long[] {pad, pad}, new long[] {pad, pad},
                    new long[] {1, 1}, groups);
        }

        public boolean symmetricPadding() {
            return Arrays.equals(padsBegin, padsEnd);
        }

        @Override
        public String type() {
            return "Conv2d";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] x = in.get(0);
            long[] w = in.get(1);
            if (x.length != 4 || w.length != 4) {
                throw new IllegalArgumentException("Conv2d needs a 4-D input and a 4-D weight, got ranks "
                        + x.length + " and " + w.length);
            }
            if (x[1] >= 0 && x[1] != w[1] * groups) {
                throw new IllegalArgumentException("Conv2d input has " + x[1] + " channels but the weight expects "
                        + w[1] * groups);
            }
            if (in.size() > 2 && (in.get(2).length != 1 || in.get(2)[0] != w[0])) {
                throw new IllegalArgumentException("Conv2d bias " + Arrays.toString(in.get(2)) + " does not match "
                        + w[0] + " output channels");
            }
            return List.of(new long[] {x[0], w[0],
                    window(x[2], w[2], strides[0], padsBegin[0] + padsEnd[0], dilations[0]),
                    window(x[3], w[3], strides[1], padsBegin[1] + padsEnd[1], dilations[1])});
        }
    }

    /** Batch normalisation over axis 1; inputs x, gamma, beta, running mean, running variance. */
    record BatchNorm(double epsilon, double momentum) implements Op {
        @Override
        public String type() {
            return "BatchNorm2d";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] x = in.get(0);
            for (int i = 1; i < 5; i++) {
                if (in.get(i).length != 1 || (x.length > 1 && in.get(i)[0] != x[1])) {
                    throw new IllegalArgumentException("BatchNorm2d statistics " + Arrays.toString(in.get(i))
                            + " do not match " + (x.length > 1 ? x[1] : 0) + " channels");
                }
            }
            return List.of(x);
        }
    }

    /** x * sigmoid(x), OpenVINO's Swish with beta 1. */
    record Silu() implements Op {
        @Override
        public String type() {
            return "SiLU";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(in.get(0));
        }
    }

    record Sigmoid() implements Op {
        @Override
        public String type() {
            return "Sigmoid";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(in.get(0));
        }
    }

    record Relu() implements Op {
        @Override
        public String type() {
            return "ReLU";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(in.get(0));
        }
    }

    /** Element-wise arithmetic with numpy broadcasting. */
    record Binary(Kind kind) implements Op {
        public enum Kind { ADD, SUB, MUL, DIV, POW }

        @Override
        public String type() {
            return kind.name().charAt(0) + kind.name().substring(1).toLowerCase();
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(broadcast(in.get(0), in.get(1)));
        }
    }

    record Concat(int axis) implements Op {
        @Override
        public String type() {
            return "Concat";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] first = in.get(0);
            int a = normalizeAxis(axis, first.length);
            long[] out = first.clone();
            out[a] = 0;
            for (long[] s : in) {
                if (s.length != first.length) {
                    throw new IllegalArgumentException("Concat of ranks " + first.length + " and " + s.length);
                }
                out[a] += s[a];
            }
            return List.of(out);
        }
    }

    /** Max pooling over H and W; padding counts as -inf. */
    record MaxPool(long[] kernel, long[] strides, long[] padsBegin, long[] padsEnd) implements Op {
        public MaxPool {
            kernel = kernel.clone();
            strides = strides.clone();
            padsBegin = padsBegin.clone();
            padsEnd = padsEnd.clone();
        }

        public static MaxPool square(long kernel, long stride, long pad) {
            return new MaxPool(new long[] {kernel, kernel}, new long[] {stride, stride}, new long[] {pad, pad},
                    new long[] {pad, pad});
        }

        @Override
        public String type() {
            return "MaxPool2d";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] x = in.get(0);
            return List.of(new long[] {x[0], x[1],
                    window(x[2], kernel[0], strides[0], padsBegin[0] + padsEnd[0], 1),
                    window(x[3], kernel[1], strides[1], padsBegin[1] + padsEnd[1], 1)});
        }
    }

    /** Nearest-neighbour upsampling of H and W by integer factors (nn.Upsample(scale_factor, 'nearest')). */
    record ResizeNearest(long scaleH, long scaleW) implements Op {
        @Override
        public String type() {
            return "Upsample";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] x = in.get(0).clone();
            x[2] *= scaleH;
            x[3] *= scaleW;
            return List.of(x);
        }
    }

    /**
     * Reshape to a target shape in which 0 copies the input's dimension at that position and -1
     * is inferred (OpenVINO's special_zero, ONNX's default), so one graph serves any batch.
     */
    record Reshape(long[] target) implements Op {
        public Reshape {
            target = target.clone();
        }

        @Override
        public String type() {
            return "Reshape";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(resolveReshape(in.get(0), target));
        }
    }

    record Transpose(int[] perm) implements Op {
        public Transpose {
            perm = perm.clone();
        }

        @Override
        public String type() {
            return "Transpose";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] x = in.get(0);
            long[] out = new long[perm.length];
            for (int i = 0; i < perm.length; i++) {
                out[i] = x[perm[i]];
            }
            return List.of(out);
        }
    }

    /**
     * Strided slice along the given axes, Python slice semantics: negative begin/end count from
     * the end, ends are clamped to the dimension.
     */
    record Slice(int[] axes, long[] begin, long[] end, long[] step) implements Op {
        public Slice {
            axes = axes.clone();
            begin = begin.clone();
            end = end.clone();
            step = step.clone();
        }

        @Override
        public String type() {
            return "Slice";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] out = in.get(0).clone();
            for (int i = 0; i < axes.length; i++) {
                int a = normalizeAxis(axes[i], out.length);
                long[] range = clampSlice(out[a], begin[i], end[i]);
                out[a] = Math.max(0, (range[1] - range[0] + step[i] - 1) / step[i]);
            }
            return List.of(out);
        }
    }

    /** Split along an axis into consecutive parts of the given sizes. */
    record Split(int axis, long[] sizes) implements Op {
        public Split {
            sizes = sizes.clone();
        }

        @Override
        public String type() {
            return "Split";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            long[] x = in.get(0);
            int a = normalizeAxis(axis, x.length);
            long total = Arrays.stream(sizes).sum();
            if (x[a] >= 0 && total != x[a]) {
                throw new IllegalArgumentException("Split sizes " + Arrays.toString(sizes) + " do not add up to " + x[a]);
            }
            return Arrays.stream(sizes).mapToObj(s -> {
                long[] o = x.clone();
                o[a] = s;
                return o;
            }).toList();
        }
    }

    /**
     * OpenVINO's FakeQuantize (opset1); inputs x, input_low, input_high, output_low, output_high, the
     * four ranges broadcast against x (per tensor, or per channel as [C, 1, 1, 1] on weights and
     * [1, C, 1, 1] on activations). x at or below min(input_low, input_high) gives output_low, above
     * max(...) output_high, and in between
     * {@code nearbyint((x - il) / (ih - il) · (levels - 1)) / (levels - 1) · (oh - ol) + ol}, rounding
     * half to even. With equal input and output ranges it is quantize-then-dequantize to
     * {@code levels} steps: how an INT8 model is written for OpenVINO's CPU plugin, which runs the
     * convolution behind it on int8 kernels.
     */
    record FakeQuantize(long levels) implements Op {
        public FakeQuantize {
            if (levels < 2) {
                throw new IllegalArgumentException("FakeQuantize needs at least 2 levels, got " + levels);
            }
        }

        @Override
        public String type() {
            return "FakeQuantize";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            if (in.size() != 5) {
                throw new IllegalArgumentException("FakeQuantize takes 5 inputs, got " + in.size());
            }
            long[] x = in.get(0);
            for (int i = 1; i < 5; i++) {
                if (!broadcastsTo(in.get(i), x)) {
                    throw new IllegalArgumentException("FakeQuantize range " + Arrays.toString(in.get(i))
                            + " does not broadcast to the input " + Arrays.toString(x));
                }
            }
            return List.of(x);
        }
    }

    /** OpenVINO's Clamp (opset1): every element limited to [min, max]. */
    record Clamp(double min, double max) implements Op {
        public Clamp {
            if (!(min <= max)) {
                throw new IllegalArgumentException("Clamp min " + min + " is above max " + max);
            }
        }

        @Override
        public String type() {
            return "Clamp";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(in.get(0));
        }
    }

    /** Element-wise e^x. */
    record Exp() implements Op {
        @Override
        public String type() {
            return "Exp";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(in.get(0));
        }
    }

    /** Softmax along one axis (OpenVINO SoftMax-1/8; a negative axis counts from the end). */
    record Softmax(int axis) implements Op {
        @Override
        public String type() {
            return "Softmax";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            normalizeAxis(axis, in.get(0).length);
            return List.of(in.get(0));
        }
    }

    /**
     * Mean-variance normalisation over the given axes (OpenVINO MVN-6): {@code x - mean}, divided
     * when {@code normalizeVariance} by {@code sqrt(var + eps)} (eps inside the root) or
     * {@code sqrt(var) + eps} (outside); the variance is the biased one (divided by the count).
     */
    record Mvn(int[] axes, boolean normalizeVariance, double eps, boolean epsInsideSqrt) implements Op {
        public Mvn {
            axes = axes.clone();
        }

        @Override
        public String type() {
            return "MVN";
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            for (int a : axes) {
                normalizeAxis(a, in.get(0).length);
            }
            return List.of(in.get(0));
        }
    }

    /** Reduction over axes (OpenVINO ReduceMax/Min/Sum/Mean/Prod-1), keeping them as 1 or dropping them. */
    record Reduce(Kind kind, int[] axes, boolean keepDims) implements Op {
        public enum Kind { MAX, MIN, SUM, MEAN, PROD }

        public Reduce {
            axes = axes.clone();
        }

        @Override
        public String type() {
            return "Reduce" + kind.name().charAt(0) + kind.name().substring(1).toLowerCase();
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            return List.of(reducedShape(in.get(0), axes, keepDims));
        }
    }

    /**
     * SSD post-processing, OpenVINO's DetectionOutput-8 with three inputs: box logits
     * [N, priors·4], class confidences [N, priors·classes] (already normalised, e.g. by a Softmax)
     * and priors [1 or N, 2, priors·4] (boxes, then variances) or [.., 1, ..] when the variance is
     * encoded in the target. Output [1, 1, N·keepTopK, 7] of (image_id, label, confidence, xmin,
     * ymin, xmax, ymax); the row after the last detection has image_id -1, the rest are zeros.
     *
     * @param topK candidates per class kept (by confidence) before NMS; -1 all
     * @param keepTopK detections per image kept (by confidence) after NMS; must be positive
     * @param centerSize box coding CENTER_SIZE (true) or CORNER (false)
     */
    record DetectionOutput(int backgroundLabelId, int topK, int keepTopK, double confidenceThreshold,
            double nmsThreshold, boolean centerSize, boolean varianceEncodedInTarget, boolean shareLocation,
            boolean clipBeforeNms, boolean clipAfterNms) implements Op {
        public DetectionOutput {
            if (keepTopK <= 0) {
                throw new IllegalArgumentException("DetectionOutput needs a positive keep_top_k, got " + keepTopK);
            }
        }

        @Override
        public String type() {
            return "DetectionOutput";
        }

        /** Priors per image from the priors input's last dimension. */
        public long priors(long[] priorsShape) {
            return priorsShape[priorsShape.length - 1] / 4;
        }

        public long classes(long[] confShape, long[] priorsShape) {
            return confShape[1] / priors(priorsShape);
        }

        @Override
        public List<long[]> outputShapes(List<long[]> in) {
            if (in.size() != 3) {
                throw new IllegalArgumentException("DetectionOutput takes 3 inputs here, got " + in.size());
            }
            long[] loc = in.get(0);
            long[] conf = in.get(1);
            long[] pr = in.get(2);
            if (loc.length != 2 || conf.length != 2 || pr.length != 3) {
                throw new IllegalArgumentException("DetectionOutput needs 2-D box logits and confidences and 3-D priors");
            }
            long priors = priors(pr);
            if (pr[2] % 4 != 0 || priors == 0 || conf[1] % priors != 0) {
                throw new IllegalArgumentException("DetectionOutput: " + conf[1] + " confidences do not divide among "
                        + priors + " priors");
            }
            long classes = conf[1] / priors;
            long locPer = shareLocation ? 4 : 4 * classes;
            if (loc[1] != priors * locPer || loc[0] != conf[0] || (pr[0] != 1 && pr[0] != loc[0])
                    || pr[1] != (varianceEncodedInTarget ? 1 : 2)) {
                throw new IllegalArgumentException("DetectionOutput: box logits " + Arrays.toString(loc) + ", confidences "
                        + Arrays.toString(conf) + " and priors " + Arrays.toString(pr) + " do not agree");
            }
            return List.of(new long[] {1, 1, loc[0] * keepTopK, 7});
        }
    }

    // ---- shape helpers shared by the ops ----

    static long window(long size, long kernel, long stride, long totalPad, long dilation) {
        if (size < 0) {
            return -1;
        }
        return (size + totalPad - dilation * (kernel - 1) - 1) / stride + 1;
    }

    /** The shape after reducing these axes (each normalised; kept as 1 or dropped). */
    public static long[] reducedShape(long[] x, int[] axes, boolean keepDims) {
        boolean[] reduced = new boolean[x.length];
        for (int a : axes) {
            reduced[normalizeAxis(a, x.length)] = true;
        }
        long[] out = new long[x.length];
        int j = 0;
        for (int d = 0; d < x.length; d++) {
            if (!reduced[d]) {
                out[j++] = x[d];
            } else if (keepDims) {
                out[j++] = 1;
            }
        }
        return Arrays.copyOf(out, j);
    }

    public static int normalizeAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    /** Begin and end of a Python slice [begin:end] over a dimension of this size. */
    static long[] clampSlice(long size, long begin, long end) {
        long b = begin < 0 ? Math.max(0, size + begin) : Math.min(begin, size);
        long e = end < 0 ? Math.max(0, size + end) : Math.min(end, size);
        return new long[] {b, e};
    }

    /** Whether {@code small} broadcasts to exactly {@code target} (numpy rules, target unchanged). */
    static boolean broadcastsTo(long[] small, long[] target) {
        if (small.length > target.length) {
            return false;
        }
        for (int i = 0; i < small.length; i++) {
            long d = small[small.length - 1 - i];
            long t = target[target.length - 1 - i];
            if (d != 1 && d != t) {
                return false;
            }
        }
        return true;
    }

    static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(
                        "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static long[] resolveReshape(long[] in, long[] target) {
        long[] out = target.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = in[i];
            }
            if (out[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("Reshape target " + Arrays.toString(target) + " has two -1");
                }
                inferred = i;
            } else {
                known *= out[i];
            }
        }
        long total = 1;
        for (long d : in) {
            total *= d;
        }
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException(
                        "cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
            }
            out[inferred] = total / known;
        } else if (known != total) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
        }
        return out;
    }
}
