package io.github.edgeprune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD(nesterov=True)} over three parameter groups, updating the engine arrays in
 * place (outside any gradient collector, where in-place changes to leaf tensors are allowed). Per
 * parameter with gradient g: {@code g += wd·p; buf = m·buf + g; g += m·buf; p -= lr·g}. The momentum
 * buffer starts at zero, which gives PyTorch's first step ({@code buf = g}) exactly.
 */
public final class Sgd implements AutoCloseable {

    /** One parameter group's current settings (changed by warm-up and the scheduler). */
    public static final class Group {
        final List<String> names;
        double lr;
        double momentum;
        final double weightDecay;

        Group(List<String> names, double lr, double momentum, double weightDecay) {
            this.names = List.copyOf(names);
            this.lr = lr;
            this.momentum = momentum;
            this.weightDecay = weightDecay;
        }

        public double lr() {
            return lr;
        }
    }

    private final Group[] groups;
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> buffers = new HashMap<>();
    private final NDManager manager;

    /**
     * @param parameters the engine arrays, by name (updated in place)
     * @param groups the names of each group, in YOLOv5's order (biases, decayed weights, BN weights)
     * @param weightDecay the decay of group 1 (YOLOv5 scales hyp weight_decay by batch·accumulate/64)
     */
    public Sgd(Map<String, NDArray> parameters, ParamGroups groups, double lr, double momentum, double weightDecay,
            NDManager parent) {
        this.parameters = parameters;
        this.manager = parent.newSubManager();
        this.groups = new Group[] {
            new Group(groups.biases(), lr, momentum, 0),
            new Group(groups.weights(), lr, momentum, weightDecay),
            new Group(groups.batchNormWeights(), lr, momentum, 0)
        };
        for (Group g : this.groups) {
            for (String n : g.names) {
                NDArray p = parameters.get(n);
                buffers.put(n, manager.zeros(p.getShape(), p.getDataType()));
            }
        }
    }

    public Group group(int index) {
        return groups[index];
    }

    public int groupCount() {
        return groups.length;
    }

    public void setLr(int group, double lr) {
        groups[group].lr = lr;
    }

    public void setMomentum(int group, double momentum) {
        groups[group].momentum = momentum;
    }

    /** The momentum buffer of a parameter (engine array; for saving and restoring training state). */
    public NDArray momentumBuffer(String name) {
        return buffers.get(name);
    }

    /** One optimiser step with the gradients now held by the parameters. */
    public void step() {
        for (Group g : groups) {
            for (String n : g.names) {
                NDArray p = parameters.get(n);
                try (NDArray grad = p.getGradient(); NDManager scope = manager.newSubManager()) {
                    NDArray d = grad.duplicate();
                    d.attach(scope);
                    if (g.weightDecay != 0) {
                        NDArray decay = p.mul((float) g.weightDecay);
                        decay.attach(scope);
                        d.addi(decay);
                    }
                    NDArray buf = buffers.get(n);
                    buf.muli((float) g.momentum).addi(d);
                    NDArray look = buf.mul((float) g.momentum);
                    look.attach(scope);
                    d.addi(look).muli((float) g.lr);
                    p.subi(d);
                }
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
