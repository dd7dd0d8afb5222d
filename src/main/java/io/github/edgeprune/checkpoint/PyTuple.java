package io.github.edgeprune.checkpoint;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An unpickled Python tuple: an immutable list (None items are Java nulls). A distinct type so
 * that a tuple can be told from a list where Python tells them apart.
 */
public final class PyTuple extends AbstractList<Object> implements RandomAccess {

    public static final PyTuple EMPTY = new PyTuple(new Object[0]);

    private final Object[] items;

    private PyTuple(Object[] items) {
        this.items = items;
    }

    public static PyTuple of(Object... items) {
        return items.length == 0 ? EMPTY : new PyTuple(items.clone());
    }

    public static PyTuple copyOf(List<?> items) {
        return items.isEmpty() ? EMPTY : new PyTuple(items.toArray());
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public String toString() {
        String s = Arrays.toString(items);
        return "(" + s.substring(1, s.length() - 1) + (items.length == 1 ? ",)" : ")");
    }
}
