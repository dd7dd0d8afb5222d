package io.github.edgeprune.checkpoint;

import io.github.edgeprune.testing.TestData;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.tensor.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripFloatsLongsAndMetadata() throws IOException {
        LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
        float[] f = {1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3e38f};
        tensors.put("model.0.conv.weight", HostTensor.ofFloats(f, 2, 3));
        tensors.put("model.0.bn.num_batches_tracked", HostTensor.scalarLong(42));
        tensors.put("a.long", HostTensor.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 4));
        tensors.put("empty", HostTensor.ofFloats(new float[0], 0, 5));
        Map<String, String> meta = Map.of("format", "pt", "source", "yolov5n.pt <pruned & \"fine-tuned\">");
        Path file = tmp.resolve("w.safetensors");
        Safetensors.write(file, tensors, meta);

        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 6 * 4 + 8 + 4 * 8, all.length);
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{"), header);
        assertTrue(header.contains("\"model.0.conv.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"),
                header);
        assertTrue(header.contains("\"model.0.bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],"
                + "\"data_offsets\":[24,32]}"), header);
        assertTrue(header.endsWith("}") || header.matches("(?s).*} +"), header);

        SafetensorsFile back = Safetensors.read(file);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
        assertEquals(meta, back.metadata());
        HostTensor w = back.tensors().get("model.0.conv.weight");
        assertArrayEquals(new long[] {2, 3}, w.shape());
        for (int i = 0; i < f.length; i++) {
            assertEquals(Float.floatToRawIntBits(f[i]), Float.floatToRawIntBits(w.floats()[i]), "element " + i);
        }
        HostTensor s = back.tensors().get("model.0.bn.num_batches_tracked");
        assertEquals(HostTensor.DType.INT64, s.dtype());
        assertEquals(0, s.rank());
        assertEquals(42L, s.longs()[0]);
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, back.tensors().get("a.long").longs());
        assertArrayEquals(new long[] {0, 5}, back.tensors().get("empty").shape());
    }

    @Test
    void roundTripOfTheRealStateDict() throws IOException {
        YoloCheckpoint c = PtCheckpointReader.read(TestData.file("models/yolov5n.pt"));
        Path file = tmp.resolve("yolov5n.safetensors");
        Safetensors.write(file, c.stateDict(), Map.of("source", "yolov5n.pt"));
        SafetensorsFile back = Safetensors.read(file);
        assertEquals(List.copyOf(c.stateDict().keySet()), List.copyOf(back.tensors().keySet()));
        for (Map.Entry<String, HostTensor> e : c.stateDict().entrySet()) {
            HostTensor b = back.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), b.shape(), e.getKey());
            assertEquals(e.getValue().dtype(), b.dtype(), e.getKey());
            if (b.dtype() == HostTensor.DType.FLOAT32) {
                assertArrayEquals(e.getValue().floats(), b.floats(), 0f, e.getKey());
            } else {
                assertArrayEquals(e.getValue().longs(), b.longs(), e.getKey());
            }
        }
        // overwriting is atomic and leaves no temporary files behind
        Safetensors.write(file, Map.of("x", HostTensor.scalarLong(1)), null);
        assertEquals(1, Safetensors.read(file).tensors().size());
        assertTrue(Safetensors.read(file).metadata().isEmpty());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /** A file with this header (padded) and data. */
    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        b.put(data);
        Path f = tmp.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    @Test
    void readsOtherDTypes() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(2 * 2 + 2 * 2 + 8 + 4 + 2 + 2).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3c00).putShort((short) 0xc500); // F16 1, -5
        d.putShort((short) 0x3f80).putShort((short) 0x4049); // BF16 1, 3.140625
        d.putDouble(0.1); // F64
        d.putInt(-9); // I32
        d.put((byte) 200).put((byte) 3); // U8
        d.put((byte) 1).put((byte) 0); // BOOL
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[16,20]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]},"
                + "\"o\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[22,24]}}";
        SafetensorsFile f = Safetensors.read(file("types.safetensors", header, d.array()));
        assertArrayEquals(new float[] {1, -5}, f.tensors().get("h").floats());
        assertArrayEquals(new float[] {1, 3.140625f}, f.tensors().get("b").floats());
        assertEquals((float) 0.1, f.tensors().get("d").floats()[0]);
        assertArrayEquals(new long[] {-9}, f.tensors().get("i").longs());
        assertArrayEquals(new long[] {200, 3}, f.tensors().get("u").longs());
        assertArrayEquals(new long[] {1, 0}, f.tensors().get("o").longs());
        assertTrue(f.metadata().isEmpty());
    }

    private void assertFails(Path f, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.getFileName() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    void corruptHeaders() throws IOException {
        String ok = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] eight = new byte[8];

        Path huge = tmp.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).array());
        assertFails(huge, "header length 1000000 is beyond the file (16 bytes)");

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertFails(tiny, "too few for the 8-byte header length");

        assertFails(file("cut.safetensors", ok.substring(0, 30), eight), "the header is not valid JSON");
        assertFails(file("lenient.safetensors", "{t: 1}", new byte[0]), "the header is not valid JSON");
        assertFails(file("array.safetensors", "[1, 2]", new byte[0]), "the header is JSON but not an object");
        assertFails(file("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
        assertFails(file("outside.safetensors", ok, new byte[4]), "data_offsets [0, 8] outside the data (0 to 4 bytes)");
        assertFails(file("mismatch.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                eight), "shape/size mismatch");
        assertFails(file("hole.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
                "data bytes 0 to 4 belong to no tensor");
        assertFails(file("tail.safetensors", ok, new byte[12]), "data bytes 8 to 12 belong to no tensor");
        assertFails(file("f8.safetensors", "{\"t\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", eight),
                "dtype F8_E4M3, which this reader does not support");
        assertFails(file("negative.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                eight), "expected non-negative integers");
        assertFails(file("meta.safetensors", "{\"__metadata__\":{\"epoch\":3}," + ok.substring(1), eight),
                "__metadata__ value of 'epoch' is 3, not a string");
        assertFails(tmp.resolve("absent.safetensors"), "file not found");
    }
}
