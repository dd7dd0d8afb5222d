package io.github.edgeprune.quant;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The INT8 pass: BatchNorm is folded first (the weights that get quantized are the ones the
 * device runs), then every convolution not excluded gets
 * <ul>
 *   <li>a {@code FakeQuantize(256)} on its data input, one per tensor and shared by all the
 *       convolutions that read it, with the calibrated, zero-aligned u8 range;</li>
 *   <li>a {@code FakeQuantize(255)} on its weight with a symmetric range per output channel.</li>
 * </ul>
 * Everything else stays in floating point, as NNCF's MIXED preset and Ultralytics' INT8 export
 * leave it: SiLU, Concat, MaxPool, Upsample and the Detect decode (Sigmoid, grid and anchor
 * arithmetic) after the last convolutions. OpenVINO's CPU plugin runs each quantized convolution
 * on int8 kernels; the ops between stay f32.
 */
public final class Int8Quantizer {

    /** Metadata keys the pass adds (written to the IR's rt_info and read back). */
    public static final String META_PREFIX = "quantization.";

    /**
     * @param calibrationImages images the ranges are taken from
     * @param exclude layer names kept in floating point: a convolution node's name or a module
     *     prefix of it ({@code model.24} keeps all of Detect's convolutions in float)
     */
    public record Settings(List<Path> calibrationImages, CalibrationMethod method, List<String> exclude,
            boolean quantizeOutputs) {
        public Settings {
            calibrationImages = List.copyOf(calibrationImages);
            exclude = List.copyOf(exclude);
        }

        /** With the convolution outputs quantized too (what ONNX Runtime needs to fuse QLinearConv). */
        public Settings(List<Path> calibrationImages, CalibrationMethod method, List<String> exclude) {
            this(calibrationImages, method, exclude, true);
        }
    }

    /** The quantized graph and what was done. */
    public record Result(Graph graph, int quantized, int excluded, List<String> unmatchedExcludes) {
    }

    private Int8Quantizer() {
    }

    public static Result quantize(Graph model, Settings settings, Progress progress) {
        Graph folded = FoldBatchNorm.apply(model);
        List<Node> convs = new ArrayList<>();
        Set<String> usedExcludes = new LinkedHashSet<>();
        int excluded = 0;
        for (Node n : folded.nodes()) {
            if (n.op() instanceof Op.Conv2d) {
                String rule = excludedBy(n.name(), settings.exclude());
                if (rule != null) {
                    usedExcludes.add(rule);
                    excluded++;
                } else if (folded.isParameter(n.input(1))) {
                    convs.add(n);
                }
            }
        }
        List<String> unmatched = settings.exclude().stream().filter(e -> !usedExcludes.contains(e)).toList();
        Set<String> activations = new LinkedHashSet<>();
        convs.forEach(c -> activations.add(c.input(0)));
        if (settings.quantizeOutputs()) {
            convs.forEach(c -> activations.add(c.output()));
        }
        Map<String, Calibrator.Observed> seen = Calibrator.observe(folded, settings.calibrationImages(), activations,
                settings.method(), progress);
        Graph q = insert(folded, convs, seen, settings.quantizeOutputs());
        Map<String, String> meta = new LinkedHashMap<>(q.metadata());
        meta.put(META_PREFIX + "precision", "INT8");
        meta.put(META_PREFIX + "preset", "mixed");
        meta.put(META_PREFIX + "calibration", settings.method().id());
        meta.put(META_PREFIX + "calibration_images", Integer.toString(settings.calibrationImages().size()));
        meta.put(META_PREFIX + "quantized_convolutions", Integer.toString(convs.size()));
        meta.put(META_PREFIX + "float_convolutions", Integer.toString(excluded));
        meta.put(META_PREFIX + "outputs", Boolean.toString(settings.quantizeOutputs()));
        if (!settings.exclude().isEmpty()) {
            meta.put(META_PREFIX + "exclude", String.join(",", settings.exclude()));
        }
        return new Result(q.withMetadata(meta), convs.size(), excluded, unmatched);
    }

    /** The rule of {@code exclude} that names this node (itself or a dotted prefix), or null. */
    static String excludedBy(String node, List<String> exclude) {
        for (String e : exclude) {
            if (node.equals(e) || node.startsWith(e + ".")) {
                return e;
            }
        }
        return null;
    }

    /** Rewrites the graph with the FakeQuantize nodes for these convolutions and ranges. */
    static Graph insert(Graph g, List<Node> convs, Map<String, Calibrator.Observed> ranges, boolean outputs) {
        Set<Node> quantized = new LinkedHashSet<>(convs);
        Map<String, Parameter> params = new LinkedHashMap<>(g.parameters());
        Map<String, String> quantizedActivation = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!quantized.contains(n)) {
                nodes.add(n);
                continue;
            }
            String x = n.input(0);
            String qx = quantizedActivation.get(x);
            if (qx == null) {
                Calibrator.Observed o = ranges.get(x);
                QuantRange r = QuantRange.activation(o.min(), o.max());
                qx = x + "/fq";
                String base = x + "/fq_input";
                nodes.add(fakeQuantize(base, x, qx, r.levels(), params,
                        scalar(r.low()), scalar(r.high())));
                quantizedActivation.put(x, qx);
            }
            String w = n.input(1);
            HostTensor wt = g.parameter(w).tensor();
            int out = (int) wt.dim(0);
            int per = wt.size() / out;
            float[] values = wt.floats();
            float[] low = new float[out];
            float[] high = new float[out];
            float[] snapped = new float[values.length];
            for (int o = 0; o < out; o++) {
                double max = 0;
                for (int i = o * per; i < (o + 1) * per; i++) {
                    max = Math.max(max, Math.abs(values[i]));
                }
                QuantRange r = QuantRange.weight(max);
                low[o] = r.low();
                high[o] = r.high();
                double scale = r.high() / 127.0;
                for (int i = o * per; i < (o + 1) * per; i++) {
                    snapped[i] = (float) (Math.max(-127, Math.min(127, Math.rint(values[i] / scale))) * scale);
                }
            }
            // the weight is stored on its grid already: the FakeQuantize then leaves it as it is, and
            // the writers' int8 levels (rint(w / scale)) are exactly the levels this graph computes
            params.put(w, g.parameter(w).withTensor(HostTensor.ofFloats(snapped, wt.shape())));
            String qw = w + "/fq";
            nodes.add(fakeQuantize(n.name() + "/fq_weights_1", w, qw, 255, params,
                    HostTensor.ofFloats(low, out, 1, 1, 1), HostTensor.ofFloats(high, out, 1, 1, 1)));
            List<String> inputs = new ArrayList<>(n.inputs());
            inputs.set(0, qx);
            inputs.set(1, qw);
            if (!outputs) {
                nodes.add(new Node(n.name(), n.op(), inputs, n.outputs()));
                continue;
            }
            // the convolution writes a new value; the FakeQuantize after it takes over the old name,
            // so every reader (and a graph output) gets the quantized value without being rewired
            String y = n.output();
            String raw = y + "/raw";
            nodes.add(new Node(n.name(), n.op(), inputs, raw));
            Calibrator.Observed o = ranges.get(y);
            QuantRange r = QuantRange.activation(o.min(), o.max());
            nodes.add(fakeQuantize(y + "/fq_output", raw, y, r.levels(), params, scalar(r.low()), scalar(r.high())));
            quantizedActivation.put(y, y); // a convolution reading it directly needs no second FakeQuantize
        }
        return new Graph(g.name(), g.inputs(), g.outputs(), nodes, params, g.metadata());
    }

    private static HostTensor scalar(float v) {
        return HostTensor.ofFloats(new float[] {v}, 1, 1, 1, 1);
    }

    /** A FakeQuantize node with equal input and output ranges (quantize, then dequantize). */
    private static Node fakeQuantize(String name, String input, String output, long levels,
            Map<String, Parameter> params, HostTensor low, HostTensor high) {
        String lo = name + ".low";
        String hi = name + ".high";
        params.put(lo, new Parameter(lo, low, Parameter.Kind.CONSTANT));
        params.put(hi, new Parameter(hi, high, Parameter.Kind.CONSTANT));
        return new Node(name, new Op.FakeQuantize(levels), List.of(input, lo, hi, lo, hi), output);
    }

    /** One line for the console. */
    public static String describe(Result r) {
        return String.format(Locale.ROOT, "INT8: %d convolutions quantized (activations u8 per tensor, weights int8 per"
                + " channel), %d kept in float", r.quantized(), r.excluded());
    }
}
