package io.github.edgeprune.graph;

import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds each BatchNorm that directly follows a convolution into that convolution's weights and
 * bias, as Ultralytics' {@code fuse_conv_and_bn} and OpenVINO's converter do:
 * w' = w·γ/√(σ²+ε), b' = β + (b − μ)·γ/√(σ²+ε). A zero weight stays exactly zero, so
 * unstructured sparsity survives folding. The folded bias is named {@code <conv>.bias}
 * ({@code model.0.conv.bias}), as in a fused PyTorch model.
 */
public final class FoldBatchNorm {

    private FoldBatchNorm() {
    }

    public static Graph apply(Graph graph) {
        Map<String, Parameter> params = new LinkedHashMap<>(graph.parameters());
        List<Node> nodes = new ArrayList<>();
        int folded = 0;
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Op.BatchNorm bn) {
                Node conv = graph.producer(node.input(0));
                if (conv != null && conv.op() instanceof Op.Conv2d && graph.consumers(conv.output()).size() == 1
                        && !graph.outputs().contains(conv.output())) {
                    Node fused = fuse(graph, conv, node, bn, params);
                    folded++;
                    // replace the conv already emitted
                    nodes.set(nodes.indexOf(conv), fused);
                    continue;
                }
            }
            nodes.add(node);
        }
        if (folded == 0) {
            return graph;
        }
        Map<String, String> meta = new LinkedHashMap<>(graph.metadata());
        meta.put("fused", "true");
        if (meta.containsKey("modules")) { // the BatchNorm2d modules are gone, as after Ultralytics' fuse()
            meta.put("modules", Integer.toString(Integer.parseInt(meta.get("modules")) - folded));
        }
        return new Graph(graph.name(), graph.inputs(), graph.outputs(), nodes, params, meta);
    }

    private static Node fuse(Graph graph, Node conv, Node bnNode, Op.BatchNorm bn, Map<String, Parameter> params) {
        HostTensor w = graph.parameter(conv.input(1)).tensor();
        HostTensor bias = conv.inputs().size() > 2 ? graph.parameter(conv.input(2)).tensor() : null;
        float[] gamma = graph.parameter(bnNode.input(1)).tensor().floats();
        float[] beta = graph.parameter(bnNode.input(2)).tensor().floats();
        float[] mean = graph.parameter(bnNode.input(3)).tensor().floats();
        float[] var = graph.parameter(bnNode.input(4)).tensor().floats();
        int out = (int) w.dim(0);
        int per = w.size() / out;
        float[] src = w.floats();
        float[] fw = new float[src.length];
        float[] fb = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt(var[o] + bn.epsilon());
            for (int i = 0; i < per; i++) {
                // + 0.0f: a pruned weight times a negative scale is -0.0; keep zeros plain +0
                fw[o * per + i] = (float) (src[o * per + i] * scale) + 0.0f;
            }
            double b = bias == null ? 0 : bias.floats()[o];
            fb[o] = (float) (beta[o] + (b - mean[o]) * scale);
        }
        String weightName = conv.input(1);
        String biasName = conv.inputs().size() > 2 ? conv.input(2) : biasNameFor(weightName);
        Parameter.Kind kind = graph.parameter(weightName).kind();
        params.put(weightName, new Parameter(weightName, HostTensor.ofFloats(fw, w.shape()), kind));
        params.put(biasName, new Parameter(biasName, HostTensor.ofFloats(fb, out), Parameter.Kind.WEIGHT));
        for (int i = 1; i < bnNode.inputs().size(); i++) {
            params.remove(bnNode.input(i));
        }
        String bnName = bnNode.name();
        params.remove(bnName + ".num_batches_tracked");
        List<String> inputs = List.of(conv.input(0), weightName, biasName);
        return new Node(conv.name(), conv.op(), inputs, bnNode.outputs());
    }

    private static String biasNameFor(String weightName) {
        return weightName.endsWith(".weight")
                ? weightName.substring(0, weightName.length() - ".weight".length()) + ".bias"
                : weightName + ".bias";
    }
}
