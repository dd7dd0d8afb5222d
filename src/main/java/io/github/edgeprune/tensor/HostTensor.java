package io.github.edgeprune.tensor;

import java.util.Arrays;

/**
 * A dense tensor held in Java memory: the form in which weights travel between readers
 * (checkpoint, safetensors, IR), passes (pruning, BN folding) and writers. Floating point
 * tensors are held as float32 whatever their stored precision; integer tensors as int64.
 * The executor copies these into engine memory; nothing here depends on an engine.
 */
public final class HostTensor {

    public enum DType { FLOAT32, INT64 }

    private final long[] shape;
    private final float[] floats;
    private final long[] longs;

    private HostTensor(long[] shape, float[] floats, long[] longs) {
        this.shape = shape.clone();
        long n = elementCount(shape);
        long have = floats != null ? floats.length : longs.length;
        if (n != have) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " elements, got " + have);
        }
        this.floats = floats;
        this.longs = longs;
    }

    public static HostTensor ofFloats(float[] data, long... shape) {
        return new HostTensor(shape, data, null);
    }

    public static HostTensor ofLongs(long[] data, long... shape) {
        return new HostTensor(shape, null, data);
    }

    public static HostTensor zeros(long... shape) {
        return ofFloats(new float[Math.toIntExact(elementCount(shape))], shape);
    }

    public static HostTensor scalarLong(long value) {
        return ofLongs(new long[] {value});
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() {
        return floats != null ? DType.FLOAT32 : DType.INT64;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int size() {
        return floats != null ? floats.length : longs.length;
    }

    /** The float data, shared (not copied): passes edit weights in place through it. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor holds int64 data, not float32");
        }
        return floats;
    }

    /** The int64 data, shared (not copied). */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor holds float32 data, not int64");
        }
        return longs;
    }

    public long countZeros() {
        long zeros = 0;
        if (floats != null) {
            for (float f : floats) {
                if (f == 0f) {
                    zeros++;
                }
            }
        } else {
            for (long l : longs) {
                if (l == 0L) {
                    zeros++;
                }
            }
        }
        return zeros;
    }

    public HostTensor copy() {
        return new HostTensor(shape, floats == null ? null : floats.clone(), longs == null ? null : longs.clone());
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape) + " " + dtype();
    }
}
