package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import java.util.List;
import java.util.Locale;

/**
 * What a {@link LayerTranslator} may ask about the layer it translates and do to the graph being
 * built. Attribute parsing and graph edits go through {@link IrReader}'s own code, so messages
 * name the layer the same way ({@code file.xml: layer 12 'name' (Type): ...}).
 */
interface LayerContext {

    /** {@code file.xml: layer <id> '<name>' (<type>)}, the prefix of every message about this layer. */
    String where();

    String name();

    int outputCount();

    /** Whether output port {@code i} (by position) is read by another layer. */
    boolean outputUsed(int i);

    boolean has(String key);

    String attr(String key, String dflt);

    /** A required integer attribute. */
    long attrLong(String key);

    /** An integer list attribute; {@code dflt} null makes it required. */
    long[] attrLongs(String key, long[] dflt);

    boolean attrBool(String key, boolean dflt);

    /** A constant input (a Const, or computable from static shapes). */
    Lit constOf(IrReader.Val v, String what);

    /** The graph value of an input: a run-time value, or a constant made a CONSTANT parameter. */
    String input(IrReader.Val v);

    /** Adds a node with one output named after the layer. */
    IrReader.Val addNode(Op op, List<String> inputs);

    default IrFormatException fail(String message) {
        return new IrFormatException(where() + ": " + message);
    }

    /** A required floating-point attribute. */
    /** Axes given as a constant, negatives counted from the end, each checked against the rank. */
    default int[] axes(long[] raw, int rank) {
        int[] axes = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < -rank || raw[i] >= rank) {
                throw fail("axis " + raw[i] + " is out of range for rank " + rank);
            }
            axes[i] = (int) (raw[i] < 0 ? raw[i] + rank : raw[i]);
        }
        return axes;
    }

    default double attrDouble(String key) {
        String v = attr(key, null);
        if (v == null) {
            throw fail("attribute '" + key + "' is missing");
        }
        return parseDouble(key, v);
    }

    default double attrDouble(String key, double dflt) {
        String v = attr(key, null);
        return v == null ? dflt : parseDouble(key, v);
    }

    /** A floating-point list attribute; {@code dflt} null makes it required. */
    default double[] attrDoubles(String key, double[] dflt) {
        String v = attr(key, null);
        if (v == null) {
            if (dflt == null) {
                throw fail("attribute '" + key + "' is missing");
            }
            return dflt;
        }
        if (v.isBlank()) {
            return new double[0];
        }
        String[] parts = v.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseDouble(key, parts[i]);
        }
        return out;
    }

    /** A lower-cased string attribute that must be one of {@code allowed}. */
    default String attrChoice(String key, String dflt, String... allowed) {
        String v = attr(key, dflt);
        if (v == null) {
            throw fail("attribute '" + key + "' is missing");
        }
        String lower = v.toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) {
                return lower;
            }
        }
        throw fail(key + "=\"" + v + "\" is not supported (only " + String.join(", ", allowed) + ")");
    }

    private double parseDouble(String key, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw fail("attribute " + key + "=\"" + v + "\" is not a number");
        }
    }

    /** A run-time input; a constant one is refused, naming what it is. */
    default IrReader.Val runtime(IrReader.Val v, String what) {
        if (v.isConst()) {
            throw fail("a constant " + what + " is not supported (only run-time data)");
        }
        return v;
    }
}
