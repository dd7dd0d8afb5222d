package io.github.edgeprune.agent.openvino;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * {@code ov_shape_t}: {@code { int64_t rank; int64_t* dims; }} (16 bytes on 64-bit platforms,
 * 16 on 32-bit ARM too because int64_t is 8-aligned there). Passed by value to
 * {@code ov_tensor_create_from_host_ptr}, filled by {@code ov_tensor_get_shape}.
 */
@Structure.FieldOrder({"rank", "dims"})
public class OvShape extends Structure {

    public long rank;
    public Pointer dims;

    public OvShape() {
        super();
    }

    /** A shape whose dims live in {@code memory} (kept alive by the caller). */
    static OvShape.ByValue of(long[] shape, Memory memory) {
        OvShape.ByValue s = new OvShape.ByValue();
        for (int i = 0; i < shape.length; i++) {
            memory.setLong(8L * i, shape[i]);
        }
        s.rank = shape.length;
        s.dims = memory;
        s.write();
        return s;
    }

    /** Memory for the dims of a shape of this rank. */
    static Memory dimsMemory(int rank) {
        return new Memory(8L * Math.max(1, rank));
    }

    /** The dims as Java longs (after the struct was filled by the runtime). */
    long[] toArray() {
        read();
        if (rank < 0 || rank > 64) {
            throw new OpenVinoException("implausible tensor rank " + rank + " from the runtime (ov_shape_t layout mismatch?)");
        }
        return rank == 0 ? new long[0] : dims.getLongArray(0, (int) rank);
    }

    /** Passed by value. */
    public static class ByValue extends OvShape implements Structure.ByValue {
    }

    /** Passed by reference (an out parameter). */
    public static class ByReference extends OvShape implements Structure.ByReference {
    }
}
