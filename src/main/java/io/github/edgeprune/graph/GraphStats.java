package io.github.edgeprune.graph;

import io.github.edgeprune.tensor.HostTensor;

import java.util.Map;

/**
 * Size and cost figures of a graph, counted the way Ultralytics' {@code model_info} counts
 * them, so our summaries can be compared with theirs line for line.
 *
 * <ul>
 *   <li>parameters: elements of the trainable tensors (buffers such as running statistics and
 *       anchors excluded), as {@code sum(p.numel() for p in model.parameters())};
 *   <li>GFLOPs: thop's count ×2 — convolutions {@code out_elements · in/groups · kH · kW}
 *       (no bias term), BatchNorm {@code 4 · elements}, nearest upsampling {@code out_elements},
 *       everything else (activations, pooling, the Detect decode) free.
 * </ul>
 */
public record GraphStats(long parameters, long nonZeroParameters, double gflops) {

    public static GraphStats of(Graph graph) {
        long params = 0;
        long zeros = 0;
        for (Parameter p : graph.parameters().values()) {
            if (p.kind() == Parameter.Kind.WEIGHT) {
                params += p.tensor().size();
                zeros += p.tensor().countZeros();
            }
        }
        return new GraphStats(params, params - zeros, gflops(graph));
    }

    /** GFLOPs for one image at the graph's own input size. */
    public static double gflops(Graph graph) {
        Map<String, long[]> shapes = ShapeInference.inferWithBatchOne(graph);
        double ops = 0;
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Op.Conv2d c) {
                long[] w = shapes.get(n.input(1));
                ops += (double) HostTensor.elementCount(shapes.get(n.output())) * w[1] * w[2] * w[3];
            } else if (n.op() instanceof Op.BatchNorm) {
                ops += 4.0 * HostTensor.elementCount(shapes.get(n.input(0)));
            } else if (n.op() instanceof Op.ResizeNearest) {
                ops += HostTensor.elementCount(shapes.get(n.output()));
            }
        }
        return ops * 2 / 1e9;
    }

}
