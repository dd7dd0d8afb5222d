package io.github.edgeprune.graph;

import java.util.List;

/**
 * One operation of a graph. Inputs name graph inputs, parameters or outputs of earlier nodes;
 * outputs are the names this node defines.
 */
public record Node(String name, Op op, List<String> inputs, List<String> outputs) {

    public Node {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Node(String name, Op op, List<String> inputs, String output) {
        this(name, op, inputs, List.of(output));
    }

    public String input(int i) {
        return inputs.get(i);
    }

    public String output() {
        return outputs.get(0);
    }
}
