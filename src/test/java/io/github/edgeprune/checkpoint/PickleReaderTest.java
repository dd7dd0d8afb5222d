package io.github.edgeprune.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The unpickler on hand-written pickles. */
class PickleReaderTest {

    private static final String SRC = "test.pt (test/data.pkl)";

    private static Object read(PickleBytes p) {
        return new PickleReader(SRC, null).read(p.bytes());
    }

    /** A loader that serves storages from raw little-endian bytes and counts its calls. */
    private static final class Storages implements PickleReader.PersistentLoader {
        final Map<String, ByteBuffer> data;
        final AtomicInteger calls = new AtomicInteger();

        Storages(Map<String, ByteBuffer> data) {
            this.data = data;
        }

        @Override
        public Object load(Object pid) {
            calls.incrementAndGet();
            PyTuple t = (PyTuple) pid;
            StorageType type = StorageType.ofTorchClass(((PyGlobal) t.get(1)).name());
            ByteBuffer b = data.get((String) t.get(2)).order(ByteOrder.LITTLE_ENDIAN);
            return new TorchStorage(type, (String) t.get(2), (Long) t.get(4), b);
        }
    }

    @Test
    void plainValues() {
        PickleBytes p = new PickleBytes().proto(2).emptyDict().mark()
                .str("i").integer(70000)
                .str("neg").integer(-3)
                .str("f").floating(0.25)
                .str("t").bool(true)
                .str("n").none()
                .str("list").emptyList().mark().integer(1).str("two").appends()
                .str("tuple").mark().integer(1).integer(2).tuple()
                .str("big").op(0x8a).op(9).raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1}) // LONG1 2^64
                .setitems().stop();
        Map<?, ?> m = (Map<?, ?>) read(p);
        assertEquals(70000L, m.get("i"));
        assertEquals(-3L, m.get("neg"));
        assertEquals(0.25, m.get("f"));
        assertEquals(true, m.get("t"));
        assertTrue(m.containsKey("n") && m.get("n") == null);
        assertEquals(List.of(1L, "two"), m.get("list"));
        assertTrue(m.get("tuple") instanceof PyTuple);
        assertEquals(List.of(1L, 2L), m.get("tuple"));
        assertEquals(new java.math.BigInteger("18446744073709551616"), m.get("big"));
    }

    @Test
    void memoSharesObjects() {
        PickleBytes p = new PickleBytes().proto(2).emptyList().put(0).mark().emptyList().put(1).get(1).appends().stop();
        List<?> outer = (List<?>) read(p);
        assertEquals(2, outer.size());
        assertTrue(outer.get(0) == outer.get(1), "BINGET returns the same object");
    }

    @Test
    void orderedDictAndSetAndTorchSize() {
        PickleBytes p = new PickleBytes().proto(2).mark()
                .beginOrderedDict().str("b").integer(2).str("a").integer(1).setitems()
                .global("__builtin__", "set").emptyList().mark().str("x").str("y").appends().tuple1().reduce()
                .global("torch", "Size").mark().integer(1).integer(3).tuple().tuple1().reduce()
                .global("torch", "float16")
                .tuple().stop();
        List<?> t = (List<?>) read(p);
        assertEquals(List.of("b", "a"), List.copyOf(((Map<?, ?>) t.get(0)).keySet()));
        assertEquals(Set.of("x", "y"), t.get(1));
        assertEquals(List.of(1L, 3L), t.get(2));
        assertEquals("torch.float16", t.get(3).toString());
    }

    @Test
    void moduleRecordsClassAndState() {
        PickleBytes p = new PickleBytes().proto(2)
                .beginModule("models.common", "Conv")
                .str("training").bool(false)
                .str("_modules").beginOrderedDict().setitems()
                .str("nc").integer(80)
                .endModule().stop();
        PyObject o = (PyObject) read(p);
        assertEquals("models.common.Conv", o.className());
        assertEquals(80L, o.get("nc"));
        assertEquals(List.of("training", "_modules", "nc"), List.copyOf(o.attributes().keySet()));
    }

    @Test
    void tensorsFromStorages() {
        ByteBuffer floats = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            floats.putFloat(i);
        }
        ByteBuffer halves = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
        for (int h : new int[] {0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0xfc00, 0x3555}) {
            halves.putShort((short) h);
        }
        ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3f80)
                .putShort((short) 0xc040);
        ByteBuffer doubles = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1);
        ByteBuffer longs = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(1L << 40);
        ByteBuffer bools = ByteBuffer.wrap(new byte[] {0, 1});
        ByteBuffer bytes = ByteBuffer.wrap(new byte[] {(byte) 255, 7});
        ByteBuffer ints = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-7);
        Storages loader = new Storages(Map.of("f", floats.flip(), "h", halves.flip(), "b", bf16.flip(),
                "d", doubles.flip(), "l", longs.flip(), "o", bools, "u", bytes, "i", ints.flip()));
        PickleBytes p = new PickleBytes().proto(2).mark()
                .tensor("FloatStorage", "f", 6, 0, new long[] {3, 2}, new long[] {1, 3}) // transposed view
                .tensor("FloatStorage", "f", 6, 4, new long[] {2}, new long[] {1}) // offset view
                .tensor("FloatStorage", "f", 6, 1, new long[] {2, 3}, new long[] {0, 2}) // expanded, strided
                .tensor("HalfStorage", "h", 7, 0, new long[] {7}, new long[] {1})
                .tensor("BFloat16Storage", "b", 2, 0, new long[] {2}, new long[] {1})
                .tensor("DoubleStorage", "d", 1, 0, new long[] {}, new long[] {})
                .tensor("LongStorage", "l", 2, 0, new long[] {2}, new long[] {1})
                .tensor("BoolStorage", "o", 2, 0, new long[] {2}, new long[] {1})
                .tensor("ByteStorage", "u", 2, 0, new long[] {2}, new long[] {1})
                .tensor("IntStorage", "i", 1, 0, new long[] {1, 1}, new long[] {1, 1})
                .parameter("FloatStorage", "f", 6, new long[] {2, 3})
                .tuple().stop();
        List<?> t = (List<?>) new PickleReader(SRC, loader).read(p.bytes());
        HostTensor transposed = (HostTensor) t.get(0);
        assertArrayEquals(new long[] {3, 2}, transposed.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, transposed.floats());
        assertArrayEquals(new float[] {4, 5}, ((HostTensor) t.get(1)).floats());
        assertArrayEquals(new float[] {1, 3, 5, 1, 3, 5}, ((HostTensor) t.get(2)).floats());
        float[] h = ((HostTensor) t.get(3)).floats();
        assertArrayEquals(new float[] {1f, -2f, (float) Math.pow(2, -24), 65504f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 0.333251953125f}, h);
        assertArrayEquals(new float[] {1f, -3f}, ((HostTensor) t.get(4)).floats());
        HostTensor scalar = (HostTensor) t.get(5);
        assertEquals(0, scalar.rank());
        assertEquals((float) 0.1, scalar.floats()[0]);
        assertArrayEquals(new long[] {-5, 1L << 40}, ((HostTensor) t.get(6)).longs());
        assertArrayEquals(new long[] {0, 1}, ((HostTensor) t.get(7)).longs());
        assertArrayEquals(new long[] {255, 7}, ((HostTensor) t.get(8)).longs());
        assertArrayEquals(new long[] {-7}, ((HostTensor) t.get(9)).longs());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, ((HostTensor) t.get(10)).floats());
        assertEquals(11, loader.calls.get());
    }

    @Test
    void viewBeyondItsStorageIsRefused() {
        ByteBuffer floats = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).flip();
        PickleBytes p = new PickleBytes().proto(2)
                .tensor("FloatStorage", "f", 2, 1, new long[] {2}, new long[] {1}).stop();
        PickleException e = assertThrows(PickleException.class,
                () -> new PickleReader(SRC, new Storages(Map.of("f", floats))).read(p.bytes()));
        assertTrue(e.getMessage().startsWith(SRC + ": REDUCE at byte "), e.getMessage());
        assertTrue(e.getMessage().contains("beyond the storage"), e.getMessage());
    }

    @Test
    void numpyScalarsAndArraysInProtocol2() {
        byte[] half = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).array();
        StringBuilder latin1 = new StringBuilder();
        for (byte b : half) {
            latin1.append((char) (b & 0xff));
        }
        PickleBytes p = new PickleBytes().proto(2).mark()
                // numpy.core.multiarray.scalar(numpy.dtype('f8'), _codecs.encode('...', 'latin1'))
                .global("numpy.core.multiarray", "scalar").mark()
                .global("numpy", "dtype").mark().str("f8").bool(false).bool(true).tuple().reduce()
                .mark().integer(3).str("<").none().none().none().integer(-1).integer(-1).integer(0).tuple().build()
                .global("_codecs", "encode").mark().str(latin1.toString()).str("latin1").tuple().reduce()
                .tuple().reduce()
                // numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b') with state (1, (2,), dtype('i8'), False, bytes)
                .global("numpy.core.multiarray", "_reconstruct").mark().global("numpy", "ndarray")
                .mark().integer(0).tuple().bytes(new byte[] {'b'}).tuple().reduce().put(7)
                .mark().integer(1).ints(2)
                .global("numpy", "dtype").mark().str("i8").bool(false).bool(true).tuple().reduce()
                .bool(false)
                .bytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(-4).array())
                .tuple().build()
                .get(7)
                .tuple().stop();
        List<?> t = (List<?>) read(p);
        assertEquals(0.5, t.get(0));
        NumpyArray a = (NumpyArray) t.get(1);
        assertEquals(List.of(3L, -4L), a.values());
        assertTrue(t.get(2) == a, "the memo holds the built array, not a placeholder");
    }

    // ------------------------------------------------------------------ refusals

    @ParameterizedTest
    @CsvSource({"os,system", "builtins,eval", "__builtin__,eval", "builtins,exec", "subprocess,Popen", "posix,system",
        "nt,system", "builtins,getattr", "builtins,__import__", "torch,load", "torch.serialization,load",
        "models.common,autopad", "models.experimental,attempt_load", "torch.nn.modules.module,register_module_forward_hook",
        "numpy,load", "torch._utils,_rebuild_device_tensor_from_numpy", "collections,defaultdict", "pickle,loads"})
    void refusesGlobalsOutsideTheAllowList(String module, String name) {
        AtomicInteger loads = new AtomicInteger();
        // the call's arguments would reach the persistent loader: they must never be looked at
        PickleBytes p = new PickleBytes().proto(2).global(module, name)
                .mark().str("touch /tmp/pwned").mark().str("storage").global("torch", "FloatStorage").str("0")
                .str("cpu").integer(1).tuple().binpersid().tuple().reduce().stop();
        RefusedGlobalException e = assertThrows(RefusedGlobalException.class,
                () -> new PickleReader(SRC, pid -> loads.incrementAndGet()).read(p.bytes()));
        assertEquals(SRC + ": refusing to load global '" + module + "." + name
                + "': not a class a YOLOv5 checkpoint contains", e.getMessage());
        assertEquals(module + "." + name, e.qualifiedName());
        assertEquals(0, loads.get(), "nothing after the refused global was read");
    }

    @Test
    void refusesStackGlobalToo() {
        PickleBytes p = new PickleBytes().proto(4).op(0x8c).op(8).raw("builtins".getBytes())
                .op(0x8c).op(7).raw("getattr".getBytes()).op(0x93).stop();
        RefusedGlobalException e = assertThrows(RefusedGlobalException.class, () -> read(p));
        assertEquals("builtins.getattr", e.qualifiedName());
        assertTrue(e.getMessage().contains("'builtins.getattr'"), e.getMessage());
    }

    @Test
    void torchScriptGetsAHint() {
        PickleBytes p = new PickleBytes().proto(2).global("__torch__.models.yolo", "Model").stop();
        RefusedGlobalException e = assertThrows(RefusedGlobalException.class, () -> read(p));
        assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());
    }

    @Test
    void acceptsTheGlobalsOfAYoloCheckpoint() {
        String[][] allowed = {{"__builtin__", "set"}, {"builtins", "set"}, {"collections", "OrderedDict"},
            {"models.common", "Bottleneck"}, {"models.common", "C3"}, {"models.common", "Concat"},
            {"models.common", "Conv"}, {"models.common", "SPPF"}, {"models.yolo", "Detect"}, {"models.yolo", "Model"},
            {"models.yolo", "DetectionModel"}, {"models.experimental", "MixConv2d"}, {"torch", "DoubleStorage"},
            {"torch", "FloatStorage"}, {"torch", "HalfStorage"}, {"torch", "LongStorage"}, {"torch", "BFloat16Storage"},
            {"torch", "BoolStorage"}, {"torch._utils", "_rebuild_parameter"}, {"torch._utils", "_rebuild_tensor_v2"},
            {"torch._utils", "_rebuild_parameter_with_state"}, {"torch.nn.modules.activation", "SiLU"},
            {"torch.nn.modules.batchnorm", "BatchNorm2d"}, {"torch.nn.modules.container", "ModuleList"},
            {"torch.nn.modules.container", "Sequential"}, {"torch.nn.modules.conv", "Conv2d"},
            {"torch.nn.modules.pooling", "MaxPool2d"}, {"torch.nn.modules.upsampling", "Upsample"},
            {"torch", "Size"}, {"torch", "float16"}, {"numpy.core.multiarray", "scalar"}, {"numpy", "dtype"}};
        for (String[] g : allowed) {
            Object o = read(new PickleBytes().proto(2).global(g[0], g[1]).stop());
            assertTrue(o instanceof PyGlobal, g[0] + "." + g[1]);
        }
    }

    // ------------------------------------------------------------------ corrupt pickles

    @Test
    void unknownOpcode() {
        PickleException e = assertThrows(PickleException.class,
                () -> read(new PickleBytes().proto(2).emptyDict().op(0xff).stop()));
        assertEquals(SRC + ": unknown opcode 0xff at byte 3 (corrupt pickle?)", e.getMessage());
    }

    @Test
    void stackUnderflow() {
        PickleException e = assertThrows(PickleException.class, () -> read(new PickleBytes().proto(2).reduce().stop()));
        assertEquals(SRC + ": stack underflow at byte 2 (REDUCE finds no value to take)", e.getMessage());
        // items below a MARK are out of reach
        e = assertThrows(PickleException.class,
                () -> read(new PickleBytes().proto(2).integer(1).mark().op('a').stop()));
        assertTrue(e.getMessage().contains("stack underflow"), e.getMessage());
    }

    @Test
    void truncatedPickle() {
        PickleException e = assertThrows(PickleException.class, () -> read(new PickleBytes().proto(2).emptyDict()));
        assertTrue(e.getMessage().startsWith(SRC + ": the pickle ends at byte 3 without a STOP opcode"), e.getMessage());
        byte[] cut = new PickleBytes().proto(2).str("hello").stop().bytes();
        e = assertThrows(PickleException.class,
                () -> new PickleReader(SRC, null).read(java.util.Arrays.copyOf(cut, 8)));
        assertTrue(e.getMessage().contains("ends inside BINUNICODE"), e.getMessage());
    }

    @Test
    void otherCorruptions() {
        assertMessage("memo key 9 read at byte 2 was never stored", new PickleBytes().proto(2).get(9).stop());
        assertMessage("TUPLE at byte 2 without a preceding MARK", new PickleBytes().proto(2).tuple().stop());
        assertMessage("SETITEMS at byte 6 expects a dict, found list of 0",
                new PickleBytes().proto(2).emptyList().mark().integer(1).setitems().stop());
        assertMessage("unsupported pickle protocol 6", new PickleBytes().proto(6).none().stop());
        assertMessage("REDUCE at byte 5 calls int 1, which is not callable",
                new PickleBytes().proto(2).integer(1).emptyTuple().reduce().stop());
        assertMessage("persistent id", new PickleBytes().proto(2).str("x").binpersid().stop());
    }

    @Test
    void selfContainingValuesFailCleanly() {
        // l = []; l.append(l); {l}: hashing recurses forever in Java (Python refuses the unhashable list)
        PickleBytes p = new PickleBytes().proto(4).emptyList().put(0).get(0).op('a')
                .op(0x8f).mark().get(0).op(0x90).stop();
        assertMessage("ADDITEMS at byte 12 meets a value nested too deeply or containing itself", p);
    }

    @Test
    void moduleTreeCycleIsAnError() {
        // m = Conv(); m._modules = OrderedDict(self=m)
        PickleBytes p = new PickleBytes().proto(2).global("models.common", "Conv").emptyTuple().newobj().put(0)
                .emptyDict().mark().str("_modules").beginOrderedDict().str("self").get(0).setitems().setitems().build()
                .stop();
        PyObject m = (PyObject) read(p);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModuleStates.entries(m, "cyclic.pt"));
        assertEquals("cyclic.pt: module 'self' contains itself (a cycle in the module tree)", e.getMessage());
    }

    private static void assertMessage(String expected, PickleBytes p) {
        PickleException e = assertThrows(PickleException.class, () -> read(p));
        assertTrue(e.getMessage().startsWith(SRC + ": ") && e.getMessage().contains(expected),
                "expected '" + expected + "' in: " + e.getMessage());
    }
}
