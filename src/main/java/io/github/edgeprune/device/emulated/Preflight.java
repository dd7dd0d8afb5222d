package io.github.edgeprune.device.emulated;

import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks, before anything is built or started, that this machine can run the emulated device,
 * and says precisely what is missing and how to get it.
 */
final class Preflight {

    static final long GB = 1024L * 1024 * 1024;
    static final long MB = 1024L * 1024;
    /** Userland ≈ 400 MB unpacked (≈ 600 MB while building, with the downloaded packages) + ≈ 120 MB tarball, with room to spare. */
    static final long REQUIRED_FREE_BYTES = GB;

    static final String QEMU = "qemu-aarch64-static";
    static final String BINFMT_NAME = "qemu-aarch64";
    static final String APT_QEMU = "apt-get install -y qemu-user-static binfmt-support";

    static final String NOT_ROOT = "the emulated Pi 4 needs root (chroot, mounts, binfmt); run as root or use a real device";

    private final HostSystem host;
    private final Log log;

    Preflight(HostSystem host, Log log) {
        this.host = host;
        this.log = log;
    }

    void requireRoot() {
        if (!host.isRoot()) {
            throw new EmulatedDeviceException(NOT_ROOT);
        }
    }

    Path requireCommand(String name, String purpose, String install) {
        return host.findCommand(name).orElseThrow(() -> new EmulatedDeviceException(
                name + " not found: " + purpose + "; install it with: " + install));
    }

    /**
     * qemu-user is installed and the kernel hands arm64 programs to it. Tries once to fix an
     * unmounted binfmt_misc or a disabled entry (we are root), then gives up with the commands.
     */
    HostSystem.Binfmt requireQemu() {
        requireCommand(QEMU, "the emulated Pi 4 runs arm64 programs through qemu-user", APT_QEMU);
        HostSystem.Binfmt binfmt = host.binfmt(BINFMT_NAME);
        if (!binfmt.usable()) {
            String done = host.tryEnableBinfmt(BINFMT_NAME);
            log.info("emulated Pi 4: arm64 binfmt was not active, tried to enable it: " + done);
            binfmt = host.binfmt(BINFMT_NAME);
        }
        if (!binfmt.usable()) {
            String state = !binfmt.mounted() ? "binfmt_misc is not mounted"
                    : !binfmt.registered() ? "qemu-aarch64 is not registered with binfmt_misc"
                    : "the qemu-aarch64 binfmt entry is disabled";
            throw new EmulatedDeviceException(state + ", so the kernel cannot run the emulated Pi 4's arm64 programs; "
                    + "install qemu-user-static and binfmt-support (" + APT_QEMU + "), then run: "
                    + "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc (if not mounted) && "
                    + "update-binfmts --enable qemu-aarch64");
        }
        return binfmt;
    }

    void requireSpace(Path dir, String what) {
        long free;
        try {
            free = host.usableSpace(dir);
        } catch (IOException e) {
            throw new EmulatedDeviceException("cannot tell the free space for the " + what + " in " + dir + ": " + e.getMessage(), e);
        }
        if (free < REQUIRED_FREE_BYTES) {
            throw new EmulatedDeviceException("disk space too low for the emulated Pi 4's " + what + ": "
                    + free / MB + " MB free in " + dir + ", about " + REQUIRED_FREE_BYTES / MB
                    + " MB needed (arm64 userland ≈ 400 MB unpacked, ≈ 600 MB while it is built, ≈ 120 MB as a tarball); "
                    + "free some space or choose another folder (cacheDir/workDir)");
        }
    }

    void requireMirror(URI mirror, String suite) {
        URI release = URI.create(mirror + "/dists/" + suite + "/Release");
        Optional<String> problem = host.probe(release);
        problem.ifPresent(p -> {
            throw new EmulatedDeviceException("Debian mirror " + mirror + " unreachable (" + p + "); the emulated Pi 4's "
                    + "userland's packages are downloaded from it once and then cached. Check the network or proxy "
                    + "(http_proxy), or choose a reachable mirror with -D" + EmulatedPi4.MIRROR_PROPERTY + "=URL");
        });
    }
}
