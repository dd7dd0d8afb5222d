package io.github.edgeprune.checkpoint;

import io.github.edgeprune.tensor.Half;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Element types of torch storages (and of tensors in general), with their byte size and how they
 * land in a {@link io.github.edgeprune.tensor.HostTensor}: floating point types become float32,
 * integer and boolean types int64.
 */
public enum StorageType {
    HALF("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true),
    FLOAT("FloatStorage", 4, true),
    DOUBLE("DoubleStorage", 8, true),
    LONG("LongStorage", 8, false),
    INT("IntStorage", 4, false),
    SHORT("ShortStorage", 2, false),
    CHAR("CharStorage", 1, false), // int8
    BYTE("ByteStorage", 1, false), // uint8
    BOOL("BoolStorage", 1, false);

    private final String torchClass;
    private final int bytes;
    private final boolean floating;

    StorageType(String torchClass, int bytes, boolean floating) {
        this.torchClass = torchClass;
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The class name torch pickles, e.g. {@code HalfStorage}. */
    public String torchClass() {
        return torchClass;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** True when the values become float32, false when they become int64. */
    public boolean floating() {
        return floating;
    }

    /** The storage type for a class name of the {@code torch} module, or null. */
    public static StorageType ofTorchClass(String name) {
        if ("UntypedStorage".equals(name)) {
            return BYTE;
        }
        for (StorageType t : values()) {
            if (t.torchClass.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The storage type for a {@code torch.<dtype>} name such as {@code float16} or {@code long}, or null. */
    public static StorageType ofTorchDType(String name) {
        switch (name) {
            case "float16": case "half": return HALF;
            case "bfloat16": return BFLOAT16;
            case "float32": case "float": return FLOAT;
            case "float64": case "double": return DOUBLE;
            case "int64": case "long": return LONG;
            case "int32": case "int": return INT;
            case "int16": case "short": return SHORT;
            case "int8": return CHAR;
            case "uint8": return BYTE;
            case "bool": return BOOL;
            default: return null;
        }
    }

    /** Element {@code index} as a float; the buffer's byte order applies. */
    float floatAt(ByteBuffer b, long index) {
        int at = Math.toIntExact(index * bytes);
        switch (this) {
            case HALF: return Half.toFloat(b.getShort(at));
            case BFLOAT16: return Half.bf16ToFloat(b.getShort(at));
            case FLOAT: return b.getFloat(at);
            case DOUBLE: return (float) b.getDouble(at);
            default: return longAt(b, index);
        }
    }

    /** Element {@code index} as a long (integer and boolean types). */
    long longAt(ByteBuffer b, long index) {
        int at = Math.toIntExact(index * bytes);
        switch (this) {
            case LONG: return b.getLong(at);
            case INT: return b.getInt(at);
            case SHORT: return b.getShort(at);
            case CHAR: return b.get(at);
            case BYTE: return b.get(at) & 0xff;
            case BOOL: return b.get(at) != 0 ? 1 : 0;
            default: throw new IllegalStateException(this + " is a floating point type");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
