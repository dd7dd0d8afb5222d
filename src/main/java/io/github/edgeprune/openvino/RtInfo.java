package io.github.edgeprune.openvino;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model-level {@code <rt_info>} tree as IR v11 stores it: every element is either a leaf with a
 * {@code value} attribute or a section holding more elements ({@code <framework><stride value="32"/></framework>}).
 */
public final class RtInfo {

    private final String value;
    private final Map<String, RtInfo> children = new LinkedHashMap<>();

    private RtInfo(String value) {
        this.value = value;
    }

    public static RtInfo section() {
        return new RtInfo(null);
    }

    public static RtInfo leaf(String value) {
        return new RtInfo(value);
    }

    /** The leaf value, or null for a section. */
    public String value() {
        return value;
    }

    public boolean isLeaf() {
        return value != null;
    }

    public Map<String, RtInfo> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Adds (or replaces) a child; returns it. */
    public RtInfo put(String key, RtInfo child) {
        children.put(key, child);
        return child;
    }

    public RtInfo put(String key, String leafValue) {
        return put(key, leaf(leafValue));
    }

    /** The child section of this name, created when absent. */
    public RtInfo section(String key) {
        RtInfo c = children.get(key);
        if (c == null || c.isLeaf()) {
            c = section();
            children.put(key, c);
        }
        return c;
    }

    /** The node at this path (e.g. "framework", "names"), or null. */
    public RtInfo get(String... path) {
        RtInfo n = this;
        for (String p : path) {
            n = n.children.get(p);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    /** The leaf value at this path, or null. */
    public String leafValue(String... path) {
        RtInfo n = get(path);
        return n == null ? null : n.value;
    }
}
