package io.github.edgeprune.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance of an allowed class (a YOLOv5 or {@code torch.nn} module), recorded instead of
 * constructed: its class name, the arguments it was created with and the attributes its pickled
 * state ({@code BUILD} / {@code __setstate__}) gave it, such as {@code _modules},
 * {@code _parameters}, {@code _buffers}, {@code yaml}, {@code names} or {@code stride}.
 */
public final class PyObject {

    private final String module;
    private final String name;
    private final List<Object> arguments;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    PyObject(String module, String name, List<Object> arguments) {
        this.module = module;
        this.name = name;
        this.arguments = arguments;
    }

    /** The Python module of the class, e.g. {@code models.common}. */
    public String module() {
        return module;
    }

    /** The class's own name, e.g. {@code Conv}. */
    public String simpleName() {
        return name;
    }

    /** {@code module.Class}, e.g. {@code torch.nn.modules.conv.Conv2d}. */
    public String className() {
        return module + "." + name;
    }

    /** Arguments given to {@code __new__} (usually none). */
    public List<Object> arguments() {
        return arguments;
    }

    /** The instance's attributes ({@code __dict__}), in pickled order; read only. */
    public Map<String, Object> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    public boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    /** The attribute's value, or null when absent or None. */
    public Object get(String attribute) {
        return attributes.get(attribute);
    }

    void setAttribute(String attribute, Object value) {
        attributes.put(attribute, value);
    }

    @Override
    public String toString() {
        return className() + " object";
    }
}
