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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole checkpoint files: synthetic ones written here, and broken copies of the real one. */
class CheckpointFilesTest {

    @TempDir
    Path tmp;

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** Opens a module's state up to its _modules dict (left open for submodules). */
    private static void moduleHead(PickleBytes p, String module, String name, Runnable parameters, Runnable buffers,
            String... nonPersistent) {
        p.beginModule(module, name).str("training").bool(false)
                .str("_parameters").beginOrderedDict();
        parameters.run();
        p.setitems().str("_buffers").beginOrderedDict();
        buffers.run();
        p.setitems().str("_non_persistent_buffers_set").global("__builtin__", "set").emptyList().mark();
        for (String n : nonPersistent) {
            p.str(n);
        }
        p.appends().tuple1().reduce();
        p.str("_modules").beginOrderedDict();
    }

    /**
     * A small YOLOv5-like model: Model{_modules: model = Sequential{0: Conv2d(weight, bias=None),
     * 1: BatchNorm2d(weight, bias; running_mean, num_batches_tracked, a non-persistent buffer)}},
     * with yaml, names and stride attributes.
     */
    private static void writeModel(PickleBytes p, String classModule, String className, float bias, Object names) {
        moduleHead(p, classModule, className, () -> { }, () -> { });
        p.str("model");
        moduleHead(p, "torch.nn.modules.container", "Sequential", () -> { }, () -> { });
        p.str("0");
        moduleHead(p, "torch.nn.modules.conv", "Conv2d",
                () -> p.str("weight").parameter("FloatStorage", "w", 4, new long[] {2, 2, 1, 1}).str("bias").none(),
                () -> { });
        p.setitems().endModule(); // Conv2d: no submodules
        p.str("1");
        moduleHead(p, "torch.nn.modules.batchnorm", "BatchNorm2d",
                () -> p.str("weight").parameter("FloatStorage", "g", 2, new long[] {2})
                        .str("bias").tensor("FloatStorage", bias == 0 ? "b0" : "b1", 2, 0, new long[] {2}, new long[] {1}),
                () -> p.str("running_mean").tensor("FloatStorage", "g", 2, 0, new long[] {2}, new long[] {1})
                        .str("scratch").tensor("FloatStorage", "g", 2, 0, new long[] {2}, new long[] {1})
                        .str("num_batches_tracked").tensor("LongStorage", "n", 1, 0, new long[] {}, new long[] {}),
                "scratch");
        p.setitems().endModule();
        p.setitems().endModule(); // Sequential
        p.setitems(); // Model's _modules
        p.str("yaml").emptyDict().mark().str("nc").integer(2).str("depth_multiple").floating(0.33)
                .str("anchors").ints(10, 13).tuple1() // tuples become lists
                .str("ch").integer(3).setitems();
        p.str("names");
        if (names instanceof List) {
            p.emptyList().mark();
            for (Object n : (List<?>) names) {
                p.str((String) n);
            }
            p.appends();
        } else {
            p.emptyDict().mark();
            ((Map<?, ?>) names).forEach((k, v) -> p.integer((Integer) k).str((String) v));
            p.setitems();
        }
        p.str("stride").tensor("FloatStorage", "s", 3, 0, new long[] {3}, new long[] {1});
        p.endModule();
    }

    private static Map<String, byte[]> storages() {
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("w", floats(1, 2, 3, 4));
        s.put("g", floats(0.5f, 0.25f));
        s.put("b0", floats(0, 0));
        s.put("b1", floats(7, 8));
        s.put("n", longs(42));
        s.put("s", floats(8, 16, 32));
        return s;
    }

    private Path trainingCheckpoint(String stem) throws IOException {
        PickleBytes p = new PickleBytes().proto(2).emptyDict().mark();
        p.str("epoch").integer(299);
        p.str("best_fitness");
        byte[] raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.4375).array();
        p.global("numpy.core.multiarray", "scalar").mark()
                .global("numpy", "dtype").mark().str("f8").bool(false).bool(true).tuple().reduce()
                .mark().integer(3).str("<").none().none().none().integer(-1).integer(-1).integer(0).tuple().build()
                .global("_codecs", "encode").mark().str(new String(raw, StandardCharsets.ISO_8859_1)).str("latin1")
                .tuple().reduce().tuple().reduce();
        p.str("model");
        writeModel(p, "models.yolo", "DetectionModel", 0, List.of("raw", "ema-not-chosen"));
        p.str("ema");
        writeModel(p, "models.yolo", "DetectionModel", 1, Map.of(1, "truck", 0, "car"));
        p.str("updates").integer(1234);
        p.str("optimizer").none();
        p.str("opt").emptyDict().mark().str("imgsz").integer(640).str("weights").global("pathlib", "PosixPath")
                .mark().str("runs").str("best.pt").tuple().reduce().setitems();
        p.setitems().stop();
        Path file = tmp.resolve(stem + ".pt");
        PickleBytes.writeZip(file, stem, p.bytes(), storages());
        return file;
    }

    @Test
    void trainingCheckpointPrefersEma() throws IOException {
        YoloCheckpoint c = PtCheckpointReader.read(trainingCheckpoint("last"));
        assertEquals(List.of("model.0.weight", "model.1.weight", "model.1.bias", "model.1.running_mean",
                "model.1.num_batches_tracked"), List.copyOf(c.stateDict().keySet()),
                "None parameters and non-persistent buffers are left out");
        assertArrayEquals(new float[] {7, 8}, c.stateDict().get("model.1.bias").floats(), "the ema's tensors");
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.stateDict().get("model.0.weight").floats());
        assertArrayEquals(new long[] {42}, c.stateDict().get("model.1.num_batches_tracked").longs());
        assertEquals(List.of("car", "truck"), c.names(), "a names dict becomes a list by index");
        assertArrayEquals(new double[] {8, 16, 32}, c.stride());
        assertEquals(2, c.yaml().get("nc"));
        assertEquals(0.33, c.yaml().get("depth_multiple"));
        assertEquals(List.of(List.of(10, 13)), c.yaml().get("anchors"));
        assertEquals(299, c.info().get("epoch"));
        assertEquals(0.4375, c.info().get("best_fitness"));
        assertEquals(1234, c.info().get("updates"));
        assertEquals(Map.of("imgsz", 640, "weights", "runs/best.pt"), c.info().get("opt"));
        assertTrue(!c.info().containsKey("optimizer") && !c.info().containsKey("model"));
    }

    @Test
    void bareModelPickle() throws IOException {
        PickleBytes p = new PickleBytes().proto(2);
        writeModel(p, "models.yolo", "Model", 0, List.of("a", "b"));
        p.stop();
        Path file = tmp.resolve("bare.pt");
        PickleBytes.writeZip(file, "bare", p.bytes(), storages());
        YoloCheckpoint c = PtCheckpointReader.read(file);
        assertEquals(5, c.stateDict().size());
        assertEquals(List.of("a", "b"), c.names());
        assertTrue(c.info().isEmpty());
    }

    // ------------------------------------------------------------------ errors

    private static void assertFails(Path file, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> PtCheckpointReader.read(file));
        String name = file.getFileName().toString();
        assertTrue(e.getMessage().startsWith(name + ": ") || e.getMessage().startsWith(name + " ("),
                "message should start with the file name: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingFile() {
        assertFails(tmp.resolve("nope.pt"), "nope.pt: file not found");
    }

    @Test
    void textFileIsNotAZip() throws IOException {
        Path f = tmp.resolve("notes.pt");
        Files.writeString(f, "these are not weights\n");
        assertFails(f, "notes.pt: not a PyTorch checkpoint: not a zip archive (it looks like a text file)");
    }

    @Test
    void legacyTorchSave() throws IOException {
        Path f = tmp.resolve("old.pt");
        byte[] legacy = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
            0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e, 0x00, 0x00};
        Files.write(f, legacy);
        assertFails(f, "legacy (pre-1.6) torch.save format is not supported, re-save with torch>=1.6");
    }

    @Test
    void truncatedRealCheckpoint() throws IOException {
        byte[] all = Files.readAllBytes(TestData.file("models/yolov5n.pt"));
        Path half = tmp.resolve("yolov5n-half.pt");
        Files.write(half, Arrays.copyOf(all, all.length / 2));
        assertFails(half, "yolov5n-half.pt: truncated or corrupt zip archive");
    }

    @Test
    void zipWithoutDataPkl() throws IOException {
        Path f = tmp.resolve("nopickle.pt");
        PickleBytes.writeZip(f, "nopickle", null, Map.of("0", floats(1)));
        assertFails(f, "nopickle.pt: no data.pkl in the zip archive", "nopickle/data/0");
    }

    @Test
    void missingStorage() throws IOException {
        Path f = tmp.resolve("hole.pt");
        byte[] pickle = new PickleBytes().proto(2)
                .tensor("FloatStorage", "17", 1, 0, new long[] {1}, new long[] {1}).stop().bytes();
        PickleBytes.writeZip(f, "hole", pickle, Map.of("0", floats(1)));
        assertFails(f, "hole.pt (hole/data.pkl): storage '17' is missing from the zip archive (no entry hole/data/17)");
    }

    @Test
    void storageOfTheWrongSize() throws IOException {
        Path f = tmp.resolve("short.pt");
        byte[] pickle = new PickleBytes().proto(2)
                .tensor("HalfStorage", "0", 4, 0, new long[] {4}, new long[] {1}).stop().bytes();
        PickleBytes.writeZip(f, "short", pickle, Map.of("0", new byte[6]));
        assertFails(f, "short/data/0 holds 6 bytes, but 4 elements of torch.HalfStorage need 8");
    }

    @Test
    void refusedGlobalsName(@TempDir Path dir) throws IOException {
        String[][] evil = {{"os", "system"}, {"builtins", "eval"}, {"subprocess", "Popen"}};
        for (String[] g : evil) {
            Path f = dir.resolve("evil-" + g[1] + ".pt");
            byte[] pickle = new PickleBytes().proto(2).global(g[0], g[1])
                    .mark().str("echo pwned").tuple().reduce().stop().bytes();
            PickleBytes.writeZip(f, "archive", pickle, Map.of());
            CheckpointException e = assertThrows(CheckpointException.class, () -> PtCheckpointReader.read(f));
            assertEquals(f.getFileName() + " (archive/data.pkl): refusing to load global '" + g[0] + "." + g[1]
                    + "': not a class a YOLOv5 checkpoint contains", e.getMessage());
            assertTrue(e instanceof RefusedGlobalException);
        }
    }

    @Test
    void corruptPickleInAnArchive() throws IOException {
        Path f = tmp.resolve("garbled.pt");
        PickleBytes.writeZip(f, "archive", new PickleBytes().proto(2).emptyDict().op(0xfe).stop().bytes(), Map.of());
        assertFails(f, "garbled.pt (archive/data.pkl): unknown opcode 0xfe at byte 3");
        Path g = tmp.resolve("underflow.pt");
        PickleBytes.writeZip(g, "archive", new PickleBytes().proto(2).op('s').stop().bytes(), Map.of());
        assertFails(g, "underflow.pt (archive/data.pkl): stack underflow at byte 2 (SETITEM");
    }

    @Test
    void checkpointWithoutModel() throws IOException {
        Path f = tmp.resolve("stripped.pt");
        byte[] pickle = new PickleBytes().proto(2).emptyDict().mark().str("epoch").integer(1).str("model").none()
                .str("ema").none().setitems().stop().bytes();
        PickleBytes.writeZip(f, "stripped", pickle, Map.of());
        assertFails(f, "stripped.pt: the checkpoint holds no model ('model' and 'ema' are None; keys: epoch, model, ema)");

        Path sd = tmp.resolve("weights-only.pt");
        byte[] stateDict = new PickleBytes().proto(2).beginOrderedDict().str("w")
                .tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).setitems().stop().bytes();
        PickleBytes.writeZip(sd, "archive", stateDict, Map.of("0", floats(1)));
        assertFails(sd, "weights-only.pt: the checkpoint holds no model (it is a bare state dict of 1 tensors)");

        Path list = tmp.resolve("list.pt");
        PickleBytes.writeZip(list, "archive", new PickleBytes().proto(2).emptyList().stop().bytes(), Map.of());
        assertFails(list, "list.pt: the pickle holds a list of 0, not a checkpoint dict or a model");
    }

    @Test
    void modelThatIsNotAModule() throws IOException {
        Path f = tmp.resolve("odd.pt");
        byte[] pickle = new PickleBytes().proto(2).emptyDict().mark().str("model").str("yolov5n")
                .setitems().stop().bytes();
        PickleBytes.writeZip(f, "odd", pickle, Map.of());
        assertFails(f, "odd.pt: ckpt['model'] is a str 'yolov5n', not a YOLOv5 model");
    }

    @Test
    void hostTensorDTypes() throws IOException {
        YoloCheckpoint c = PtCheckpointReader.read(trainingCheckpoint("dtypes"));
        assertEquals(HostTensor.DType.FLOAT32, c.stateDict().get("model.0.weight").dtype());
        assertEquals(HostTensor.DType.INT64, c.stateDict().get("model.1.num_batches_tracked").dtype());
    }
}
