package io.github.edgeprune.graph;

import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The single source of truth for a model: primitive ops in topological order, named parameters
 * and free-form metadata (class names, strides, pruning record). Built from a checkpoint, a yaml,
 * a bundle or an IR; run by the executor; transformed by passes; written by the IR writer.
 *
 * <p>The structure (nodes, inputs, outputs) is immutable. Parameter tensors are shared between
 * graphs that a pass derived from one another; a pass that edits weights works on
 * {@link #copyParameters() a copy}.
 */
public final class Graph {

    private final String name;
    private final List<GraphInput> inputs;
    private final List<String> outputs;
    private final List<Node> nodes;
    private final Map<String, Parameter> parameters;
    private final Map<String, String> metadata;
    private final Map<String, Node> producers = new HashMap<>();

    public Graph(String name, List<GraphInput> inputs, List<String> outputs, List<Node> nodes,
            Map<String, Parameter> parameters, Map<String, String> metadata) {
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        validate();
    }

    private void validate() {
        Set<String> defined = new HashSet<>(parameters.keySet());
        for (GraphInput in : inputs) {
            if (!defined.add(in.name())) {
                throw new GraphException("graph input '" + in.name() + "' is defined twice");
            }
        }
        for (Node node : nodes) {
            for (String in : node.inputs()) {
                if (!defined.contains(in)) {
                    throw new GraphException("node '" + node.name() + "' (" + node.op().type()
                            + ") reads '" + in + "', which is not defined before it");
                }
            }
            for (String out : node.outputs()) {
                if (!defined.add(out)) {
                    throw new GraphException("value '" + out + "' of node '" + node.name() + "' is defined twice");
                }
                producers.put(out, node);
            }
        }
        for (String out : outputs) {
            if (!defined.contains(out)) {
                throw new GraphException("graph output '" + out + "' is not defined");
            }
        }
    }

    public String name() {
        return name;
    }

    public List<GraphInput> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Map<String, Parameter> parameters() {
        return parameters;
    }

    public Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            throw new GraphException("graph has no parameter '" + name + "'");
        }
        return p;
    }

    public boolean isParameter(String value) {
        return parameters.containsKey(value);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** The node that defines this value, or null for inputs and parameters. */
    public Node producer(String value) {
        return producers.get(value);
    }

    /** Nodes that read this value, in graph order. */
    public List<Node> consumers(String value) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(value)) {
                out.add(n);
            }
        }
        return out;
    }

    public <T extends Op> List<Node> nodesOf(Class<T> opType) {
        return nodes.stream().filter(n -> opType.isInstance(n.op())).toList();
    }

    public Graph withParameters(Map<String, Parameter> replacement) {
        return new Graph(name, inputs, outputs, nodes, replacement, metadata);
    }

    public Graph withMetadata(Map<String, String> replacement) {
        return new Graph(name, inputs, outputs, nodes, parameters, replacement);
    }

    /** The same graph with every parameter tensor copied, so a pass may edit weights in place. */
    public Graph copyParameters() {
        Map<String, Parameter> copy = new LinkedHashMap<>();
        parameters.forEach((k, p) -> copy.put(k, p.withTensor(p.tensor().copy())));
        return withParameters(copy);
    }

    /** Parameters that are saved in a state dict (weights and buffers, not derived constants). */
    public Map<String, HostTensor> stateDict() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        parameters.forEach((k, p) -> {
            if (p.kind() != Parameter.Kind.CONSTANT) {
                out.put(k, p.tensor());
            }
        });
        return out;
    }
}
