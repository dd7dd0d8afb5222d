package io.github.edgeprune.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Static shapes of every value of a graph for concrete input shapes. */
public final class ShapeInference {

    private ShapeInference() {
    }

    /** Shapes of all values (inputs, parameters and node outputs) for these input shapes. */
    public static Map<String, long[]> infer(Graph graph, Map<String, long[]> inputShapes) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (GraphInput in : graph.inputs()) {
            long[] s = inputShapes.get(in.name());
            if (s == null) {
                throw new GraphException("no shape given for graph input '" + in.name() + "'");
            }
            shapes.put(in.name(), s.clone());
        }
        graph.parameters().forEach((k, p) -> shapes.put(k, p.tensor().shape()));
        for (Node node : graph.nodes()) {
            List<long[]> in = new ArrayList<>();
            for (String name : node.inputs()) {
                in.add(shapes.get(name));
            }
            List<long[]> out;
            try {
                out = node.op().outputShapes(in);
            } catch (RuntimeException e) {
                throw new GraphException("shape inference failed at node '" + node.name() + "' (" + node.op().type()
                        + ") with inputs " + in.stream().map(Arrays::toString).toList() + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < node.outputs().size(); i++) {
                shapes.put(node.outputs().get(i), out.get(i));
            }
        }
        return shapes;
    }

    /** Shapes with every dynamic (-1) input dimension set to 1: the static shapes of an exported IR. */
    public static Map<String, long[]> inferWithBatchOne(Graph graph) {
        Map<String, long[]> inputShapes = new LinkedHashMap<>();
        for (GraphInput in : graph.inputs()) {
            long[] s = in.shape();
            for (int i = 0; i < s.length; i++) {
                if (s[i] < 0) {
                    s[i] = 1;
                }
            }
            inputShapes.put(in.name(), s);
        }
        return infer(graph, inputShapes);
    }
}
