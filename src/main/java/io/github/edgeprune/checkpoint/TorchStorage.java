package io.github.edgeprune.checkpoint;

import java.nio.ByteBuffer;

/**
 * A torch storage as a checkpoint's persistent id names it,
 * {@code ('storage', torch.HalfStorage, key, location, numel)}, with its raw bytes from the
 * archive entry {@code <top>/data/<key>}. The location (cpu, cuda:0) is ignored: everything loads
 * to the host.
 */
public final class TorchStorage {

    private final StorageType type;
    private final String key;
    private final long numel;
    private final ByteBuffer data;

    /**
     * @param data the raw bytes, exactly {@code numel * type.bytes()} of them, with the byte
     *     order they were written in
     */
    public TorchStorage(StorageType type, String key, long numel, ByteBuffer data) {
        if (data.remaining() != numel * type.bytes()) {
            throw new IllegalArgumentException("storage " + key + " of " + numel + " " + type + " needs "
                    + numel * type.bytes() + " bytes, got " + data.remaining());
        }
        this.type = type;
        this.key = key;
        this.numel = numel;
        this.data = data.slice().order(data.order());
    }

    public StorageType type() {
        return type;
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    ByteBuffer buffer() {
        return data;
    }

    @Override
    public String toString() {
        return "torch." + type.torchClass() + "(key " + key + ", " + numel + " elements)";
    }
}
