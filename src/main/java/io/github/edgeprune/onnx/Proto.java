package io.github.edgeprune.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A protobuf message under construction: fields are appended by number with protobuf-java's
 * wire encoder, nested messages as length-delimited bytes. Enough to write ONNX without
 * generated classes (the ONNX field numbers are in {@link OnnxWriter}).
 */
final class Proto {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    Proto string(int field, String value) {
        return io(() -> out.writeString(field, value));
    }

    Proto int64(int field, long value) {
        return io(() -> out.writeInt64(field, value));
    }

    Proto int32(int field, int value) {
        return io(() -> out.writeInt32(field, value));
    }

    Proto float32(int field, float value) {
        return io(() -> out.writeFloat(field, value));
    }

    Proto bytes(int field, byte[] value) {
        return io(() -> out.writeBytes(field, ByteString.copyFrom(value)));
    }

    Proto message(int field, Proto nested) {
        return io(() -> out.writeBytes(field, ByteString.copyFrom(nested.toByteArray())));
    }

    /** Packed repeated int64 (proto3 style; proto2 parsers accept packed for repeated scalars). */
    Proto packedInt64(int field, long[] values) {
        return io(() -> {
            int size = 0;
            for (long v : values) {
                size += CodedOutputStream.computeInt64SizeNoTag(v);
            }
            out.writeTag(field, 2);
            out.writeUInt32NoTag(size);
            for (long v : values) {
                out.writeInt64NoTag(v);
            }
        });
    }

    /** Unpacked repeated int64, as ONNX's own serializer writes attribute ints. */
    Proto repeatedInt64(int field, long[] values) {
        return io(() -> {
            for (long v : values) {
                out.writeInt64(field, v);
            }
        });
    }

    byte[] toByteArray() {
        io(out::flush);
        return bytes.toByteArray();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private Proto io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
