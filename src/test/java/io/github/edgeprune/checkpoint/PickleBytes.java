package io.github.edgeprune.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes pickle opcodes by hand, for tests; and torch.save-like zips around them. */
final class PickleBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes proto(int version) {
        return op(0x80).op(version);
    }

    /** GLOBAL 'module\nname\n'. */
    PickleBytes global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes none() {
        return op('N');
    }

    PickleBytes bool(boolean b) {
        return op(b ? 0x88 : 0x89);
    }

    /** BININT1 / BININT2 / BININT as the value needs. */
    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K').op((int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M').op((int) (v & 0xff)).op((int) (v >>> 8));
        }
        op('J');
        for (int i = 0; i < 4; i++) {
            op((int) ((v >>> (8 * i)) & 0xff));
        }
        return this;
    }

    /** BINFLOAT (big-endian double). */
    PickleBytes floating(double d) {
        op('G');
        long bits = Double.doubleToLongBits(d);
        for (int i = 7; i >= 0; i--) {
            op((int) ((bits >>> (8 * i)) & 0xff));
        }
        return this;
    }

    /** BINUNICODE. */
    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        for (int i = 0; i < 4; i++) {
            op((b.length >>> (8 * i)) & 0xff);
        }
        out.writeBytes(b);
        return this;
    }

    /** SHORT_BINBYTES (protocol 3). */
    PickleBytes bytes(byte[] b) {
        return op('C').op(b.length).raw(b);
    }

    PickleBytes emptyTuple() {
        return op(')');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes tuple1() {
        return op(0x85);
    }

    PickleBytes tuple2() {
        return op(0x86);
    }

    PickleBytes emptyDict() {
        return op('}');
    }

    PickleBytes emptyList() {
        return op(']');
    }

    PickleBytes setitem() {
        return op('s');
    }

    PickleBytes setitems() {
        return op('u');
    }

    PickleBytes appends() {
        return op('e');
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes newobj() {
        return op(0x81);
    }

    PickleBytes build() {
        return op('b');
    }

    PickleBytes binpersid() {
        return op('Q');
    }

    PickleBytes put(int key) {
        return op('q').op(key);
    }

    PickleBytes get(int key) {
        return op('h').op(key);
    }

    PickleBytes stop() {
        return op('.');
    }

    /** An int tuple, e.g. a tensor size. */
    PickleBytes ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage(key), offset, size, stride, False, OrderedDict())}. */
    PickleBytes tensor(String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).tuple().binpersid();
        integer(offset).ints(size).ints(stride).bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    /** {@code torch._utils._rebuild_parameter(tensor, True, OrderedDict())} around a tensor. */
    PickleBytes parameter(String storageClass, String key, long numel, long[] size) {
        global("torch._utils", "_rebuild_parameter");
        mark();
        tensor(storageClass, key, numel, 0, size, contiguous(size));
        bool(true).global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    /** Opens a module instance: {@code cls.__new__(cls)} then its state dict up to {@link #endModule}. */
    PickleBytes beginModule(String module, String name) {
        return global(module, name).emptyTuple().newobj().emptyDict().mark();
    }

    /** Closes the state dict of {@link #beginModule} and BUILDs the instance with it. */
    PickleBytes endModule() {
        return setitems().build();
    }

    /** Opens {@code OrderedDict()} and a MARK for its items, closed by {@link #setitems}. */
    PickleBytes beginOrderedDict() {
        return global("collections", "OrderedDict").emptyTuple().reduce().mark();
    }

    static long[] contiguous(long[] size) {
        long[] stride = new long[size.length];
        long acc = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            stride[i] = acc;
            acc *= size[i];
        }
        return stride;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A torch.save-like zip: {@code <top>/data.pkl}, the storages as {@code <top>/data/<key>}, a version entry. */
    static void writeZip(Path file, String top, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        if (pickle != null) {
            entries.put(top + "/data.pkl", pickle);
        }
        storages.forEach((k, v) -> entries.put(top + "/data/" + k, v));
        entries.put(top + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }
}
