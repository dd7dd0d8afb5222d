package io.github.edgeprune.checkpoint;

import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state dict of an unpickled {@code torch.nn.Module}, named and ordered as PyTorch's
 * {@code state_dict()} names it: for each module its {@code _parameters} (None skipped), then its
 * {@code _buffers} (None and {@code _non_persistent_buffers_set} skipped), then its
 * {@code _modules} in order, names joined with dots from an empty root prefix.
 */
public final class ModuleStates {

    /** One tensor of a state dict and the module that holds it. */
    public record Entry(String name, String moduleClass, boolean parameter, HostTensor tensor) {
        /** The tensor's own name within its module, e.g. {@code weight}. */
        public String localName() {
            return name.substring(name.lastIndexOf('.') + 1);
        }
    }

    private static final int MAX_DEPTH = 256;

    private ModuleStates() {
    }

    /**
     * Every tensor of the module's state dict.
     *
     * @param where how errors name the file, e.g. {@code yolov5n.pt}
     */
    public static List<Entry> entries(PyObject module, String where) {
        List<Entry> out = new ArrayList<>();
        walk(module, "", out, Collections.newSetFromMap(new IdentityHashMap<>()), where);
        return out;
    }

    /** The state dict as a name → tensor map in PyTorch's order. */
    public static LinkedHashMap<String, HostTensor> stateDict(PyObject module, String where) {
        LinkedHashMap<String, HostTensor> map = new LinkedHashMap<>();
        for (Entry e : entries(module, where)) {
            map.put(e.name(), e.tensor());
        }
        return map;
    }

    /** True when the object is a torch module (its state has {@code _modules}). */
    public static boolean isModule(Object o) {
        return o instanceof PyObject && ((PyObject) o).get("_modules") instanceof Map;
    }

    private static void walk(PyObject module, String prefix, List<Entry> out, Set<PyObject> path, String where) {
        String here = prefix.isEmpty() ? "the model" : "module '" + prefix.substring(0, prefix.length() - 1) + "'";
        if (!isModule(module)) {
            throw new CheckpointException(where + ": " + here + " (" + module.className()
                    + ") is not a torch.nn.Module: its state has no _modules");
        }
        if (path.size() > MAX_DEPTH) {
            throw new CheckpointException(where + ": " + here + " is nested more than " + MAX_DEPTH + " modules deep");
        }
        if (!path.add(module)) {
            throw new CheckpointException(where + ": " + here + " contains itself (a cycle in the module tree)");
        }
        Map<?, ?> parameters = dict(module, "_parameters", where, here);
        Map<?, ?> buffers = dict(module, "_buffers", where, here);
        Object np = module.get("_non_persistent_buffers_set");
        Collection<?> nonPersistent = np instanceof Collection ? (Collection<?>) np : Set.of();
        for (Map.Entry<?, ?> e : parameters.entrySet()) {
            add(module, prefix, e, true, out, where, here);
        }
        for (Map.Entry<?, ?> e : buffers.entrySet()) {
            if (!nonPersistent.contains(e.getKey())) {
                add(module, prefix, e, false, out, where, here);
            }
        }
        for (Map.Entry<?, ?> e : dict(module, "_modules", where, here).entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            if (!(e.getValue() instanceof PyObject)) {
                throw new CheckpointException(where + ": " + here + " has a submodule '" + e.getKey() + "' that is a "
                        + PickleReader.describe(e.getValue()));
            }
            walk((PyObject) e.getValue(), prefix + e.getKey() + ".", out, path, where);
        }
        path.remove(module);
    }

    private static void add(PyObject module, String prefix, Map.Entry<?, ?> e, boolean parameter, List<Entry> out,
            String where, String here) {
        if (e.getValue() == null) {
            return;
        }
        if (!(e.getValue() instanceof HostTensor)) {
            throw new CheckpointException(where + ": " + here + " has a " + (parameter ? "parameter" : "buffer") + " '"
                    + e.getKey() + "' that is a " + PickleReader.describe(e.getValue()) + ", not a tensor");
        }
        out.add(new Entry(prefix + e.getKey(), module.className(), parameter, (HostTensor) e.getValue()));
    }

    private static Map<?, ?> dict(PyObject module, String attribute, String where, String here) {
        Object v = module.get(attribute);
        if (v == null && !module.has(attribute)) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw new CheckpointException(where + ": " + here + " has " + attribute + " = " + PickleReader.describe(v)
                    + ", expected a dict");
        }
        return (Map<?, ?>) v;
    }
}
