package io.github.edgeprune.device.emulated;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What the emulated device's userland is made of. Everything that changes the userland's content
 * is part of the cache key, so a changed recipe builds a new userland instead of reusing a stale
 * one. The Debian mirror is not part of it: every mirror serves the same packages.
 *
 * @param version  bumped by hand whenever the build steps change in a way the other fields miss
 * @param suite    Debian suite, e.g. {@code bookworm}
 * @param arch     Debian architecture, {@code arm64} for a Pi 4 running a 64-bit OS
 * @param variant  debootstrap variant, {@code minbase}
 * @param packages installed with apt inside the userland after debootstrap (no recommends)
 */
public record Recipe(int version, String suite, String arch, String variant, List<String> packages) {

    /**
     * Raspberry Pi OS (64-bit) is Debian bookworm for arm64. A Java runtime for the on-device
     * agent, an SSH server to reach it, {@code procps} for {@code ps}/{@code free} and
     * {@code sysstat} for {@code pidstat} (memory sampling as in the paper).
     */
    public static final Recipe PI4_BOOKWORM = new Recipe(1, "bookworm", "arm64", "minbase",
            List.of("openjdk-17-jre-headless", "openssh-server", "procps", "sysstat"));

    public Recipe {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(variant, "variant");
        packages = List.copyOf(packages);
        for (String p : packages) {
            if (!p.matches("[a-z0-9][a-z0-9+.-]*(=[A-Za-z0-9.+~:-]+)?")) {
                throw new IllegalArgumentException("not a Debian package name: '" + p + "'");
            }
        }
        if (!suite.matches("[a-z0-9-]+") || !arch.matches("[a-z0-9]+") || !variant.matches("[a-z-]+")) {
            throw new IllegalArgumentException("bad recipe: suite=" + suite + " arch=" + arch + " variant=" + variant);
        }
    }

    public Recipe withPackages(List<String> newPackages) {
        return new Recipe(version, suite, arch, variant, newPackages);
    }

    public Recipe withSuite(String newSuite) {
        return new Recipe(version, newSuite, arch, variant, packages);
    }

    public Recipe withVersion(int newVersion) {
        return new Recipe(newVersion, suite, arch, variant, packages);
    }

    /** The recipe as one canonical text (package order and duplicates do not matter). */
    public String canonical() {
        return "edgeprune-emulated-pi4\n"
                + "version=" + version + "\n"
                + "suite=" + suite + "\n"
                + "arch=" + arch + "\n"
                + "variant=" + variant + "\n"
                + "packages=" + String.join(",", new TreeSet<>(packages)) + "\n";
    }

    /** File-name-safe key of the cached userland, e.g. {@code bookworm-arm64-3f9c0a1b2c3d4e5f}. */
    public String cacheKey() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            return suite + "-" + arch + "-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
