package io.github.edgeprune.train;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.edgeprune.tensor.HostTensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal safetensors writer and reader (F32 and I64 only) for the training state and the
 * interim bundle: 8-byte little-endian header length, JSON header padded to 8 bytes, raw data.
 * Values are stored exactly (float32), so a resumed run continues bit for bit.
 */
final class StateTensors {

    private StateTensors() {
    }

    record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {
    }

    static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            long bytes = (long) t.size() * (t.dtype() == HostTensor.DType.FLOAT32 ? 4 : 8);
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.dtype() == HostTensor.DType.FLOAT32 ? "F32" : "I64");
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            o.add("data_offsets", offsets);
            header.add(e.getKey(), o);
            offset += bytes;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[padded];
        java.util.Arrays.fill(head, (byte) ' ');
        System.arraycopy(json, 0, head, 0, json.length);
        io.github.edgeprune.util.AtomicOutput.writeFile(file, tmp -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(head);
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors.values()) {
                    if (t.dtype() == HostTensor.DType.FLOAT32) {
                        for (float f : t.floats()) {
                            if (buf.remaining() < 4) {
                                flush(buf, out);
                            }
                            buf.putFloat(f);
                        }
                    } else {
                        for (long l : t.longs()) {
                            if (buf.remaining() < 8) {
                                flush(buf, out);
                            }
                            buf.putLong(l);
                        }
                    }
                }
                flush(buf, out);
            }
        });
    }

    private static void flush(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > size - 8 || headerLen > (100L << 20)) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLen + ")");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headBuf, 8);
            JsonObject header;
            try {
                header = new Gson().fromJson(new String(headBuf.array(), StandardCharsets.UTF_8).trim(), JsonObject.class);
            } catch (RuntimeException e) {
                throw new IOException(file + ": unreadable safetensors header: " + e.getMessage(), e);
            }
            long base = 8 + headerLen;
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().getAsJsonObject().entrySet().forEach(m -> meta.put(m.getKey(), m.getValue().getAsString()));
                    continue;
                }
                JsonObject o = e.getValue().getAsJsonObject();
                String dtype = o.get("dtype").getAsString();
                JsonArray shapeArr = o.getAsJsonArray("shape");
                long[] shape = new long[shapeArr.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeArr.get(i).getAsLong();
                }
                JsonArray off = o.getAsJsonArray("data_offsets");
                long begin = off.get(0).getAsLong();
                long end = off.get(1).getAsLong();
                int n = Math.toIntExact(HostTensor.elementCount(shape));
                int width = dtype.equals("F32") ? 4 : dtype.equals("I64") ? 8 : -1;
                if (width < 0) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' has dtype " + dtype + " (expected F32 or I64)");
                }
                if (end - begin != (long) n * width || base + end > size || begin < 0) {
                    throw new IOException(file + ": tensor '" + e.getKey() + "' has inconsistent offsets");
                }
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, base + begin);
                data.flip();
                if (width == 4) {
                    float[] f = new float[n];
                    data.asFloatBuffer().get(f);
                    tensors.put(e.getKey(), HostTensor.ofFloats(f, shape));
                } else {
                    long[] l = new long[n];
                    data.asLongBuffer().get(l);
                    tensors.put(e.getKey(), HostTensor.ofLongs(l, shape));
                }
            }
            return new Contents(tensors, meta);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            p += r;
        }
    }
}
