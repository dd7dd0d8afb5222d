package io.github.edgeprune.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a build step's output depends on: the bytes of its input files (folders walked in name
 * order), its settings and the plugin version, hashed with SHA-256. A step whose stored
 * fingerprint equals the current one, with its outputs present, can be skipped.
 */
public final class Fingerprint {

    public static final String FILE_NAME = ".edgeprune-fingerprint";

    private Fingerprint() {
    }

    public static String of(List<Path> inputs, Map<String, String> settings) {
        MessageDigest sha = sha256();
        sha.update(("plugin " + PluginVersion.get() + "\n").getBytes(StandardCharsets.UTF_8));
        for (Path p : inputs) {
            digestPath(sha, p);
        }
        new TreeMap<>(settings).forEach((k, v) -> sha.update((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** True when {@code <folder>/.edgeprune-fingerprint} holds this fingerprint and the outputs exist. */
    public static boolean upToDate(Path stamp, String fingerprint, List<Path> outputs) {
        try {
            if (!Files.isRegularFile(stamp) || !Files.readString(stamp).trim().equals(fingerprint)) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return outputs.stream().allMatch(Files::exists);
    }

    public static void record(Path stamp, String fingerprint) throws IOException {
        AtomicOutput.writeString(stamp, fingerprint + "\n");
    }

    private static void digestPath(MessageDigest sha, Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        sha.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                        digestFile(sha, f);
                    }
                }
            } else if (Files.isRegularFile(p)) {
                digestFile(sha, p);
            } else {
                sha.update(("absent " + p).getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }

    private static void digestFile(MessageDigest sha, Path f) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
    }

    public static String sha256(Path file) {
        MessageDigest sha = sha256();
        try {
            digestFile(sha, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
