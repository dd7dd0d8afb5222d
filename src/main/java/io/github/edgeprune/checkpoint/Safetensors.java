package io.github.edgeprune.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Hugging Face safetensors files: an 8-byte little-endian header length, a
 * UTF-8 JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {str: str}}} padded with spaces to a multiple of 8, then the little-endian tensor data, every
 * byte of which belongs to exactly one tensor.
 *
 * <p>Writes F32 for float tensors and I64 for int64 ones; reads F32, F16, BF16, F64 (as float32)
 * and I64, I32, I16, I8, U8, BOOL (as int64).
 */
public final class Safetensors {

    /** Largest header accepted, as the reference implementation. */
    public static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";
    private static final int CHUNK = 1 << 20;
    private static final TypeAdapter<JsonElement> JSON_ELEMENT = new Gson().getAdapter(JsonElement.class);

    private Safetensors() {
    }

    // ---------------------------------------------------------------- write

    /**
     * Writes the tensors (in map order) and the metadata atomically: readers see the old file or
     * the complete new one.
     *
     * @param metadata stored as {@code __metadata__}; null or empty writes none
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("safetensors metadata needs non-null keys and values");
                }
                meta.addProperty(k, v);
            });
            header.add(METADATA, meta);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA)) {
                throw new IllegalArgumentException("'" + name + "' cannot name a tensor in a safetensors file");
            }
            HostTensor t = e.getValue();
            boolean f = t.dtype() == HostTensor.DType.FLOAT32;
            long end = offset + (long) t.size() * (f ? 4 : 8);
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", f ? "F32" : "I64");
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(end);
            entry.add("data_offsets", offsets);
            header.add(name, entry);
            offset = end;
        }
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        byte[] json = gson.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        AtomicOutput.writeFile(file, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors.values()) {
                    if (t.dtype() == HostTensor.DType.FLOAT32) {
                        for (float v : t.floats()) {
                            if (buf.remaining() < 4) {
                                flush(ch, buf);
                            }
                            buf.putFloat(v);
                        }
                    } else {
                        for (long v : t.longs()) {
                            if (buf.remaining() < 8) {
                                flush(ch, buf);
                            }
                            buf.putLong(v);
                        }
                    }
                }
                flush(ch, buf);
                ch.force(true);
            }
        });
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        writeFully(ch, buf);
        buf.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    // ---------------------------------------------------------------- read

    private record Slot(String name, StorageType dtype, long[] shape, long begin, long end) {
    }

    /** Reads a safetensors file; every problem is a {@link CheckpointException} naming the file. */
    public static SafetensorsFile read(Path file) {
        String name = String.valueOf(file.getFileName());
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(name + ": " + (Files.exists(file) ? "not a regular file" : "file not found")
                    + " (" + file.toAbsolutePath() + ")");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(name, "the file has " + size + " bytes, too few for the 8-byte header length");
            }
            ByteBuffer lenBuf = readAt(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
            long n = lenBuf.getLong();
            if (n < 2 || n > size - 8) {
                throw bad(name, "header length " + Long.toUnsignedString(n) + " is beyond the file (" + size
                        + " bytes): not a safetensors file, or a truncated one");
            }
            if (n > MAX_HEADER) {
                throw bad(name, "header length " + n + " is larger than the " + MAX_HEADER + " bytes allowed");
            }
            String json = new String(readAt(ch, 8, (int) n).array(), StandardCharsets.UTF_8);
            long dataStart = 8 + n;
            long dataLength = size - dataStart;
            JsonObject header;
            try {
                JsonReader reader = new JsonReader(new StringReader(json));
                reader.setStrictness(Strictness.STRICT);
                JsonElement parsed = JSON_ELEMENT.read(reader);
                if (reader.peek() != JsonToken.END_DOCUMENT) {
                    throw new MalformedJsonException("content after the header object");
                }
                if (parsed == null || !parsed.isJsonObject()) {
                    throw bad(name, "the header is JSON but not an object");
                }
                header = parsed.getAsJsonObject();
            } catch (IOException | JsonParseException | IllegalStateException e) {
                throw new CheckpointException(name + ": the header is not valid JSON (" + e.getMessage() + ")", e);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Slot> slots = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    metadata = metadata(name, e.getValue());
                } else {
                    slots.add(slot(name, e.getKey(), e.getValue(), dataLength));
                }
            }
            checkLayout(name, slots, dataLength);
            LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Slot s : slots) {
                tensors.put(s.name(), decode(s, readAt(ch, dataStart + s.begin(), (int) (s.end() - s.begin()))));
            }
            return new SafetensorsFile(tensors, Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException(name + ": cannot read the file (" + e + ")", e);
        }
    }

    private static CheckpointException bad(String name, String message) {
        return new CheckpointException(name + ": " + message);
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + b.position()));
            }
        }
        return b.flip();
    }

    private static Map<String, String> metadata(String name, JsonElement e) {
        if (!e.isJsonObject()) {
            throw bad(name, "__metadata__ is not an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw bad(name, "__metadata__ value of '" + m.getKey() + "' is " + v + ", not a string");
            }
            out.put(m.getKey(), v.getAsString());
        }
        return out;
    }

    private static Slot slot(String file, String tensor, JsonElement e, long dataLength) {
        String where = "tensor '" + tensor + "'";
        if (!e.isJsonObject()) {
            throw bad(file, where + " is described by " + e + ", not an object");
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw bad(file, where + " has no dtype string");
        }
        String dtypeName = dt.getAsString();
        StorageType dtype = storageType(dtypeName);
        if (dtype == null) {
            throw bad(file, where + " has dtype " + dtypeName + ", which this reader does not support"
                    + " (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");
        }
        long[] shape = naturals(file, where, "shape", o.get("shape"), -1);
        long[] offsets = naturals(file, where, "data_offsets", o.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataLength) {
            throw bad(file, where + " has data_offsets [" + begin + ", " + end + "] outside the data (0 to "
                    + dataLength + " bytes)");
        }
        long elements;
        try {
            elements = HostTensor.elementCount(shape);
            if (Math.multiplyExact(elements, dtype.bytes()) != end - begin) {
                throw bad(file, where + ": shape " + java.util.Arrays.toString(shape) + " of " + dtypeName + " needs "
                        + elements * dtype.bytes() + " bytes but data_offsets [" + begin + ", " + end + "] hold "
                        + (end - begin) + " (shape/size mismatch)");
            }
        } catch (ArithmeticException ex) {
            throw bad(file, where + ": shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw bad(file, where + " has " + elements + " elements, too many to load");
        }
        return new Slot(tensor, dtype, shape, begin, end);
    }

    private static long[] naturals(String file, String where, String field, JsonElement e, int count) {
        if (e == null || !e.isJsonArray() || (count >= 0 && e.getAsJsonArray().size() != count)) {
            throw bad(file, where + " has " + field + " " + e + ", expected " + (count >= 0 ? count + " " : "an array of ")
                    + "non-negative integers");
        }
        JsonArray a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            try {
                if (!x.isJsonPrimitive() || !((JsonPrimitive) x).isNumber()) {
                    throw new NumberFormatException();
                }
                out[i] = new BigDecimal(x.getAsString()).longValueExact();
            } catch (NumberFormatException | ArithmeticException ex) {
                out[i] = -1;
            }
            if (out[i] < 0) {
                throw bad(file, where + " has " + field + " " + e + ", expected non-negative integers");
            }
        }
        return out;
    }

    /** Every data byte belongs to one tensor: no overlaps, no holes, nothing after the last one. */
    private static void checkLayout(String file, List<Slot> slots, long dataLength) {
        List<Slot> sorted = new ArrayList<>(slots);
        sorted.sort(Comparator.comparingLong(Slot::begin).thenComparingLong(Slot::end));
        long covered = 0;
        Slot previous = null;
        for (Slot s : sorted) {
            if (s.begin() < covered) {
                throw bad(file, "tensors '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                        + "] and '" + s.name() + "' [" + s.begin() + ", " + s.end() + "] overlap");
            }
            if (s.begin() > covered) {
                throw bad(file, "data bytes " + covered + " to " + s.begin() + " belong to no tensor");
            }
            covered = s.end();
            if (s.end() > s.begin() || previous == null) {
                previous = s;
            }
        }
        if (covered != dataLength) {
            throw bad(file, "data bytes " + covered + " to " + dataLength + " belong to no tensor");
        }
    }

    /** The element type of a safetensors dtype name, or null for one this reader does not support. */
    private static StorageType storageType(String dtype) {
        return switch (dtype) {
            case "F32" -> StorageType.FLOAT;
            case "F16" -> StorageType.HALF;
            case "BF16" -> StorageType.BFLOAT16;
            case "F64" -> StorageType.DOUBLE;
            case "I64" -> StorageType.LONG;
            case "I32" -> StorageType.INT;
            case "I16" -> StorageType.SHORT;
            case "I8" -> StorageType.CHAR;
            case "U8" -> StorageType.BYTE;
            case "BOOL" -> StorageType.BOOL;
            default -> null;
        };
    }

    private static HostTensor decode(Slot s, ByteBuffer raw) {
        ByteBuffer b = raw.order(ByteOrder.LITTLE_ENDIAN);
        StorageType type = s.dtype();
        int n = (int) ((s.end() - s.begin()) / type.bytes());
        if (type.floating()) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = type.floatAt(b, i);
            }
            return HostTensor.ofFloats(out, s.shape());
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = type.longAt(b, i);
        }
        return HostTensor.ofLongs(out, s.shape());
    }
}
