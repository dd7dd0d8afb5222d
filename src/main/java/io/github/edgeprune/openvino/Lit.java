package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Op;
import io.github.edgeprune.tensor.Half;
import io.github.edgeprune.tensor.HostTensor;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor known while an IR is read: a Const, a decompressed Const, or the result of a shape
 * sub-graph (ShapeOf → Convert → Multiply → Convert …) that can be evaluated because every shape
 * in the IR is static. Floating point data is held as float32, integers as int64.
 */
final class Lit {

    final ElementType type;
    final long[] shape;
    final float[] f;
    final long[] l;
    /** The IR layer this value comes from (names the graph parameter it may become). */
    final String origin;
    /** The graph parameter made from it, once one was needed. */
    String parameter;

    private Lit(ElementType type, long[] shape, float[] f, long[] l, String origin) {
        this.type = type;
        this.shape = shape.clone();
        this.f = f;
        this.l = l;
        this.origin = origin;
        long n = HostTensor.elementCount(shape);
        if ((f != null ? f.length : l.length) != n) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + (f != null ? f.length : l.length));
        }
    }

    static Lit floats(ElementType type, long[] shape, float[] data, String origin) {
        return new Lit(type, shape, data, null, origin);
    }

    static Lit longs(ElementType type, long[] shape, long[] data, String origin) {
        return new Lit(type, shape, null, data, origin);
    }

    boolean isFloat() {
        return f != null;
    }

    int size() {
        return f != null ? f.length : l.length;
    }

    int rank() {
        return shape.length;
    }

    double get(int i) {
        return f != null ? f[i] : l[i];
    }

    long getLong(int i) {
        return f != null ? (long) f[i] : l[i];
    }

    long[] asLongs() {
        if (l != null) {
            return l.clone();
        }
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (long) f[i];
        }
        return out;
    }

    Lit withShape(long[] newShape, String newOrigin) {
        if (HostTensor.elementCount(newShape) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Lit(type, newShape, f, l, newOrigin);
    }

    // ---- evaluation ----

    /** Element-wise conversion (float to integer truncates toward zero, as a C++ cast does). */
    Lit convert(ElementType to, String origin) {
        if (to.isFloatingPoint()) {
            float[] out = new float[size()];
            for (int i = 0; i < out.length; i++) {
                float v = (float) get(i);
                out[i] = to == ElementType.F16 ? Half.round(v) : v;
            }
            return floats(to, shape, out, origin);
        }
        long[] out = new long[size()];
        for (int i = 0; i < out.length; i++) {
            long v = f != null ? (long) f[i] : l[i];
            out[i] = switch (to) {
                case I32 -> (int) v;
                case I16 -> (short) v;
                case I8 -> (byte) v;
                case U8 -> v & 0xff;
                case U16 -> v & 0xffff;
                case U32 -> v & 0xffffffffL;
                case BOOLEAN -> (f != null ? f[i] != 0 : l[i] != 0) ? 1 : 0;
                default -> v;
            };
        }
        return longs(to, shape, out, origin);
    }

    interface DoubleOp {
        double apply(double a, double b);
    }

    interface LongOp {
        long apply(long a, long b);
    }

    /** Numpy-broadcast binary arithmetic. */
    static Lit binary(Lit a, Lit b, DoubleOp fop, LongOp lop, String origin) {
        long[] out = Op.broadcast(a.shape, b.shape);
        int n = (int) HostTensor.elementCount(out);
        int[] ia = broadcastIndex(a.shape, out);
        int[] ib = broadcastIndex(b.shape, out);
        if (a.isFloat() || b.isFloat()) {
            float[] r = new float[n];
            for (int i = 0; i < n; i++) {
                r[i] = (float) fop.apply(a.get(ia[i]), b.get(ib[i]));
            }
            return floats(a.isFloat() ? a.type : b.type, out, r, origin);
        }
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = lop.apply(a.l[ia[i]], b.l[ib[i]]);
        }
        return longs(a.type, out, r, origin);
    }

    /** For each element of the broadcast result, the index of the source element. */
    static int[] broadcastIndex(long[] src, long[] out) {
        int n = (int) HostTensor.elementCount(out);
        int[] idx = new int[n];
        int rank = out.length;
        long[] strides = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            int si = i - (rank - src.length);
            strides[i] = si < 0 || src[si] == 1 ? 0 : s;
            if (si >= 0) {
                s *= src[si];
            }
        }
        long[] pos = new long[rank];
        for (int i = 0; i < n; i++) {
            long off = 0;
            for (int d = 0; d < rank; d++) {
                off += pos[d] * strides[d];
            }
            idx[i] = (int) off;
            for (int d = rank - 1; d >= 0; d--) {
                if (++pos[d] < out[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return idx;
    }

    /** Picks, along each axis, the listed indices (a general slice/gather/transpose helper). */
    Lit select(List<long[]> indices, String origin) {
        int rank = shape.length;
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = indices.get(d).length;
        }
        long[] strides = strides(shape);
        int n = (int) HostTensor.elementCount(out);
        float[] rf = f != null ? new float[n] : null;
        long[] rl = l != null ? new long[n] : null;
        long[] pos = new long[rank];
        for (int i = 0; i < n; i++) {
            long off = 0;
            for (int d = 0; d < rank; d++) {
                off += indices.get(d)[(int) pos[d]] * strides[d];
            }
            if (rf != null) {
                rf[i] = f[(int) off];
            } else {
                rl[i] = l[(int) off];
            }
            for (int d = rank - 1; d >= 0; d--) {
                if (++pos[d] < out[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return rf != null ? floats(type, out, rf, origin) : longs(type, out, rl, origin);
    }

    Lit transpose(int[] perm, String origin) {
        int rank = shape.length;
        long[] out = new long[rank];
        long[] inStrides = strides(shape);
        long[] permStrides = new long[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = shape[perm[d]];
            permStrides[d] = inStrides[perm[d]];
        }
        int n = size();
        float[] rf = f != null ? new float[n] : null;
        long[] rl = l != null ? new long[n] : null;
        long[] pos = new long[rank];
        for (int i = 0; i < n; i++) {
            long off = 0;
            for (int d = 0; d < rank; d++) {
                off += pos[d] * permStrides[d];
            }
            if (rf != null) {
                rf[i] = f[(int) off];
            } else {
                rl[i] = l[(int) off];
            }
            for (int d = rank - 1; d >= 0; d--) {
                if (++pos[d] < out[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return rf != null ? floats(type, out, rf, origin) : longs(type, out, rl, origin);
    }

    static Lit concat(List<Lit> parts, int axis, String origin) {
        Lit first = parts.get(0);
        int rank = first.rank();
        int a = axis < 0 ? axis + rank : axis;
        long[] out = first.shape.clone();
        out[a] = 0;
        for (Lit p : parts) {
            if (p.rank() != rank) {
                throw new IllegalArgumentException("Concat of ranks " + rank + " and " + p.rank());
            }
            out[a] += p.shape[a];
        }
        long outer = 1;
        for (int d = 0; d < a; d++) {
            outer *= out[d];
        }
        int n = (int) HostTensor.elementCount(out);
        boolean fl = first.isFloat();
        float[] rf = fl ? new float[n] : null;
        long[] rl = fl ? null : new long[n];
        int at = 0;
        for (long o = 0; o < outer; o++) {
            for (Lit p : parts) {
                long inner = 1;
                for (int d = a; d < rank; d++) {
                    inner *= p.shape[d];
                }
                for (long i = 0; i < inner; i++) {
                    int src = (int) (o * inner + i);
                    if (fl) {
                        rf[at++] = (float) p.get(src);
                    } else {
                        rl[at++] = p.getLong(src);
                    }
                }
            }
        }
        return fl ? floats(first.type, out, rf, origin) : longs(first.type, out, rl, origin);
    }

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    static long[] range(long begin, long count, long step) {
        long[] r = new long[(int) Math.max(0, count)];
        for (int i = 0; i < r.length; i++) {
            r[i] = begin + i * step;
        }
        return r;
    }

    static long[] all(long dim) {
        return range(0, dim, 1);
    }
}
