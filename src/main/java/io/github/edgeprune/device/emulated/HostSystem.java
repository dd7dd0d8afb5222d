package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the emulated device needs to know about the machine it runs on. The real one is
 * {@link #local()}; tests inject their own to see the error messages for a missing tool or a
 * non-root user without changing the machine.
 */
public interface HostSystem {

    /** Whether this process runs with effective user id 0. */
    boolean isRoot();

    /** An executable of that name on the search path, if any. */
    Optional<Path> findCommand(String name);

    /** Bytes free for this process in the file system that holds {@code dir} (or its nearest existing parent). */
    long usableSpace(Path dir) throws IOException;

    /** How the kernel would run arm64 programs: the binfmt_misc entry of {@code name} (e.g. {@code qemu-aarch64}). */
    Binfmt binfmt(String name);

    /**
     * Tries to make {@code binfmt(name)} usable: mounts binfmt_misc if needed and enables the
     * entry with update-binfmts. Returns what was done, for the log; never throws.
     */
    String tryEnableBinfmt(String name);

    /** Empty when the URL answers an HTTP request; otherwise why not. */
    Optional<String> probe(URI url);

    /** The machine itself, searching the {@code PATH} of this process plus the sbin folders. */
    static HostSystem local() {
        return new LocalHost(System.getenv("PATH"), true);
    }

    /** The machine itself, searching only the given path (colon separated) for commands. */
    static HostSystem local(String searchPath) {
        return new LocalHost(searchPath, false);
    }

    /**
     * A binfmt_misc registration.
     *
     * @param mounted     binfmt_misc is mounted at /proc/sys/fs/binfmt_misc
     * @param registered  an entry of that name exists
     * @param enabled     the entry is enabled
     * @param fixBinary   flag F: the kernel opened the interpreter when it was registered, so a
     *                    chroot need not contain it
     * @param interpreter the interpreter path as registered (empty if unknown)
     */
    record Binfmt(boolean mounted, boolean registered, boolean enabled, boolean fixBinary, String interpreter) {

        public boolean usable() {
            return mounted && registered && enabled;
        }
    }
}
