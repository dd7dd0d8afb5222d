package io.github.edgeprune.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A file written by {@code torch.save} (torch 1.6 and later): a zip holding
 * {@code <top>/data.pkl} and one entry {@code <top>/data/<key>} per storage, read with the
 * allow-list {@link PickleReader}. The top folder's name varies ({@code archive}, or the file's
 * stem); it is whatever folder holds {@code data.pkl}.
 *
 * @param source the file
 * @param pickleEntry the zip entry of the pickle, e.g. {@code archive/data.pkl}
 * @param storageEntries how many {@code <top>/data/*} entries the zip holds
 * @param storagesUsed the keys of the storages the pickle referred to, in first-use order
 * @param root the unpickled object (a dict for a training checkpoint)
 */
public record TorchArchive(Path source, String pickleEntry, int storageEntries, Set<String> storagesUsed, Object root) {

    private static final byte[] ZIP_LOCAL = {'P', 'K', 3, 4};
    private static final byte[] ZIP_EMPTY = {'P', 'K', 5, 6};
    /** The legacy format starts with a pickled magic number: PROTO 2, LONG1 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
        0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    /** Reads and unpickles a torch.save file; every problem is a {@link CheckpointException} naming it. */
    public static TorchArchive read(Path file) {
        String name = String.valueOf(file.getFileName());
        if (!Files.exists(file)) {
            throw new CheckpointException(name + ": file not found (" + file.toAbsolutePath() + ")");
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(name + ": not a regular file (" + file.toAbsolutePath() + ")");
        }
        checkSignature(file, name);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return read(file, name, zip);
        } catch (ZipException e) {
            throw new CheckpointException(name + ": truncated or corrupt zip archive (" + e.getMessage()
                    + "); was the download or copy cut short?", e);
        } catch (IOException e) {
            throw new CheckpointException(name + ": cannot read the file (" + e + ")", e);
        }
    }

    private static void checkSignature(Path file, String name) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        } catch (IOException e) {
            throw new CheckpointException(name + ": cannot read the file (" + e + ")", e);
        }
        if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY)) {
            return;
        }
        String why;
        if (head.length == 0) {
            why = "the file is empty";
        } else if (startsWith(head, LEGACY_MAGIC) || isTar(head)) {
            why = "legacy (pre-1.6) torch.save format is not supported, re-save with torch>=1.6";
        } else if ((head[0] & 0xff) == 0x80) {
            why = "a bare pickle stream, not a torch.save zip archive";
        } else if (looksLikeText(head)) {
            why = "not a zip archive (it looks like a text file" + (head[0] == 'v' && startsWithText(head,
                    "version https://git-lfs") ? ": a Git LFS pointer, run 'git lfs pull'" : "") + ")";
        } else {
            why = String.format("not a zip archive (starts with bytes %02x %02x %02x %02x)", head[0],
                    head.length > 1 ? head[1] : 0, head.length > 2 ? head[2] : 0, head.length > 3 ? head[3] : 0);
        }
        throw new CheckpointException(name + ": not a PyTorch checkpoint: " + why);
    }

    private static TorchArchive read(Path file, String name, ZipFile zip) throws IOException {
        ZipEntry pickle = null;
        List<String> someEntries = new ArrayList<>();
        int depth = Integer.MAX_VALUE;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            ZipEntry e = en.nextElement();
            if (someEntries.size() < 5) {
                someEntries.add(e.getName());
            }
            String n = e.getName();
            if (!e.isDirectory() && (n.equals("data.pkl") || n.endsWith("/data.pkl"))) {
                int d = n.split("/", -1).length;
                if (d < depth) {
                    pickle = e;
                    depth = d;
                }
            }
        }
        if (pickle == null) {
            throw new CheckpointException(name + ": no data.pkl in the zip archive, so not a torch.save checkpoint"
                    + (someEntries.isEmpty() ? " (the archive is empty)" : " (entries: " + String.join(", ", someEntries)
                    + (zip.size() > someEntries.size() ? ", ..." : "") + ")"));
        }
        String top = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
        String dataPrefix = top + "data/";
        int storages = 0;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String n = en.nextElement().getName();
            if (n.startsWith(dataPrefix) && n.length() > dataPrefix.length() && n.indexOf('/', dataPrefix.length()) < 0) {
                storages++;
            }
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ZipEntry byteorder = zip.getEntry(top + "byteorder");
        if (byteorder != null) {
            String s = new String(entryBytes(zip, byteorder, name), StandardCharsets.US_ASCII).trim();
            if (s.equals("big")) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (!s.equals("little")) {
                throw new CheckpointException(name + ": " + byteorder.getName() + " says '" + s
                        + "', expected 'little' or 'big'");
            }
        }
        String source = name + " (" + pickle.getName() + ")";
        byte[] pickleBytes = entryBytes(zip, pickle, name);
        StorageLoader loader = new StorageLoader(zip, name, source, dataPrefix, order);
        Object root = new PickleReader(source, loader).read(pickleBytes);
        return new TorchArchive(file, pickle.getName(), storages,
                Collections.unmodifiableSet(new LinkedHashSet<>(loader.loaded.keySet())), root);
    }

    private static byte[] entryBytes(ZipFile zip, ZipEntry e, String name) {
        if (e.getSize() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(name + ": entry " + e.getName() + " is too large (" + e.getSize() + " bytes)");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readAllBytes();
            if (e.getSize() >= 0 && b.length != e.getSize()) {
                throw new CheckpointException(name + ": entry " + e.getName() + " holds " + b.length + " of its "
                        + e.getSize() + " bytes (truncated or corrupt zip archive)");
            }
            return b;
        } catch (IOException ex) {
            throw new CheckpointException(name + ": cannot read entry " + e.getName()
                    + " (truncated or corrupt zip archive: " + ex.getMessage() + ")", ex);
        }
    }

    /** Resolves {@code ('storage', torch.XStorage, key, location, numel)} to the zip entry's bytes. */
    private static final class StorageLoader implements PickleReader.PersistentLoader {
        private final ZipFile zip;
        private final String name;
        private final String source;
        private final String dataPrefix;
        private final ByteOrder order;
        private final Map<String, TorchStorage> loaded = new LinkedHashMap<>();

        StorageLoader(ZipFile zip, String name, String source, String dataPrefix, ByteOrder order) {
            this.zip = zip;
            this.name = name;
            this.source = source;
            this.dataPrefix = dataPrefix;
            this.order = order;
        }

        @Override
        public Object load(Object pid) {
            if (!(pid instanceof PyTuple) || ((PyTuple) pid).size() != 5 || !"storage".equals(((PyTuple) pid).get(0))) {
                throw new PickleException(source + ": persistent id " + PickleReader.describe(pid)
                        + " is not ('storage', type, key, location, numel)");
            }
            PyTuple t = (PyTuple) pid;
            if (!(t.get(1) instanceof PyGlobal) || ((PyGlobal) t.get(1)).kind() != PyGlobal.Kind.STORAGE_TYPE
                    || !(t.get(2) instanceof String) || !(t.get(4) instanceof Long)) {
                throw new PickleException(source + ": persistent id " + PickleReader.describe(t)
                        + " is not ('storage', type, key, location, numel)");
            }
            StorageType type = StorageType.ofTorchClass(((PyGlobal) t.get(1)).name());
            String key = (String) t.get(2);
            long numel = (Long) t.get(4);
            TorchStorage known = loaded.get(key);
            if (known != null) {
                return known;
            }
            String entryName = dataPrefix + key;
            ZipEntry entry = key.contains("/") || key.contains("..") ? null : zip.getEntry(entryName);
            if (entry == null) {
                throw new CheckpointException(source + ": storage '" + key + "' is missing from the zip archive (no entry "
                        + entryName + ")");
            }
            byte[] bytes = entryBytes(zip, entry, name);
            if (numel < 0 || bytes.length != numel * type.bytes()) {
                throw new CheckpointException(source + ": storage entry " + entryName + " holds " + bytes.length
                        + " bytes, but " + numel + " elements of " + t.get(1) + " need " + numel * type.bytes());
            }
            TorchStorage storage = new TorchStorage(type, key, numel,
                    ByteBuffer.wrap(bytes).order(order));
            loaded.put(key, storage);
            return storage;
        }
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithText(byte[] data, String prefix) {
        return startsWith(data, prefix.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean isTar(byte[] head) {
        return head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    private static boolean looksLikeText(byte[] head) {
        for (byte b : head) {
            int c = b & 0xff;
            if (c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
