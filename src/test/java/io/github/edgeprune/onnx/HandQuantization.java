package io.github.edgeprune.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts FakeQuantize nodes into a BatchNorm-folded graph by hand, in the form the INT8 pass will
 * produce (the test's stand-in for it, so the writer can be checked before that pass exists):
 * every convolution's data input quantized per tensor to 256 zero-point-aligned levels from the
 * min/max of one forward pass, every convolution weight symmetric per output channel to 255
 * levels. Optionally every convolution's output is quantized as well.
 */
final class HandQuantization {

    private final Graph graph;
    private final Map<String, float[]> observedRanges;
    private final Map<String, Parameter> parameters;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String> quantizedActivations = new HashMap<>();

    private HandQuantization(Graph graph, Map<String, float[]> observedRanges) {
        this.graph = graph;
        this.observedRanges = observedRanges;
        this.parameters = new LinkedHashMap<>(graph.parameters());
    }

    /**
     * The graph with FakeQuantize nodes, ranges calibrated on one image (batch 1, the graph's
     * input shape).
     */
    static Graph quantize(Graph folded, float[] calibrationImage, boolean quantizeConvOutputs) {
        Map<String, float[]> ranges = observe(folded, calibrationImage, valuesToObserve(folded, quantizeConvOutputs));
        return new HandQuantization(folded, ranges).rewrite(quantizeConvOutputs);
    }

    private static Set<String> valuesToObserve(Graph graph, boolean convOutputs) {
        Set<String> values = new LinkedHashSet<>();
        for (Node conv : graph.nodesOf(Op.Conv2d.class)) {
            values.add(conv.input(0));
            if (convOutputs) {
                values.add(conv.output());
            }
        }
        return values;
    }

    /** min and max of each value over one forward pass of the executor. */
    private static Map<String, float[]> observe(Graph graph, float[] image, Set<String> values) {
        Map<String, float[]> ranges = new HashMap<>();
        long[] shape = graph.inputs().get(0).shape();
        shape[0] = 1;
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(graph, m)) {
            Map<String, NDArray> out = ex.run(Map.of(graph.inputs().get(0).name(), m.create(image, new Shape(shape))),
                    values, GraphExecutor.Mode.INFERENCE);
            out.forEach((name, a) -> ranges.put(name, new float[] {a.min().getFloat(), a.max().getFloat()}));
        }
        return ranges;
    }

    private Graph rewrite(boolean quantizeConvOutputs) {
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof Op.Conv2d)) {
                nodes.add(n);
                continue;
            }
            List<String> inputs = new ArrayList<>(n.inputs());
            inputs.set(0, quantizedActivation(n.input(0)));
            inputs.set(1, quantizedWeight(n.input(1)));
            if (quantizeConvOutputs) {
                // the convolution writes a float value that a FakeQuantize turns into the old name
                String floatOutput = n.output() + ".float";
                nodes.add(new Node(n.name(), n.op(), inputs, floatOutput));
                addActivationQuantizer(n.output() + ".quantize", floatOutput, n.output(), observedRanges.get(n.output()));
            } else {
                nodes.add(new Node(n.name(), n.op(), inputs, n.outputs()));
            }
        }
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), nodes, parameters, graph.metadata());
    }

    /** One FakeQuantize per value, however many convolutions read it. */
    private String quantizedActivation(String value) {
        return quantizedActivations.computeIfAbsent(value, v -> {
            String out = v + ".quantized";
            addActivationQuantizer(v + ".quantize", v, out, observedRanges.get(v));
            return out;
        });
    }

    /**
     * Per-tensor uint8 on a zero-point-aligned range: the observed range widened to hold 0, the
     * zero point rounded to an integer and the range moved so that 0 is exactly on the grid.
     */
    private void addActivationQuantizer(String name, String input, String output, float[] minMax) {
        float low = Math.min(minMax[0], 0f);
        float high = Math.max(minMax[1], 0f);
        float scale = (high - low) / 255f;
        int zeroPoint = Math.max(0, Math.min(255, Math.round(-low / scale)));
        float[] range = {-zeroPoint * scale, (255 - zeroPoint) * scale};
        addFakeQuantize(name, 256, input, output, new long[] {1, 1, 1, 1}, new float[] {range[0]},
                new float[] {range[1]});
    }

    /** Symmetric int8 per output channel: ±127 steps of max|w| / 127. */
    private String quantizedWeight(String weight) {
        HostTensor w = graph.parameter(weight).tensor();
        int channels = (int) w.dim(0);
        int perChannel = w.size() / channels;
        float[] low = new float[channels];
        float[] high = new float[channels];
        for (int c = 0; c < channels; c++) {
            float largest = 0;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                largest = Math.max(largest, Math.abs(w.floats()[i]));
            }
            float scale = largest / 127f;
            low[c] = -127f * scale;
            high[c] = 127f * scale;
        }
        String out = weight + ".quantized";
        addFakeQuantize(weight + ".quantize", 255, weight, out, new long[] {channels, 1, 1, 1}, low, high);
        return out;
    }

    private void addFakeQuantize(String name, long levels, String input, String output, long[] rangeShape,
            float[] low, float[] high) {
        String[] rangeNames = {name + ".input_low", name + ".input_high", name + ".output_low", name + ".output_high"};
        float[][] values = {low, high, low, high};
        List<String> inputs = new ArrayList<>(List.of(input));
        for (int i = 0; i < 4; i++) {
            HostTensor t = HostTensor.ofFloats(values[i].clone(), rangeShape);
            parameters.put(rangeNames[i], new Parameter(rangeNames[i], t, Parameter.Kind.CONSTANT));
            inputs.add(rangeNames[i]);
        }
        nodes.add(new Node(name, new Op.FakeQuantize(levels), inputs, output));
    }
}
