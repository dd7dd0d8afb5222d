package io.github.edgeprune.device.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.util.Log;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the user reads when the machine lacks something. Everything is simulated through an
 * injected {@link HostSystem}: nothing is built, mounted or started, and no test needs to be
 * non-root or to uninstall anything.
 */
class PreconditionMessagesTest {

    @TempDir
    Path cache;

    /** A machine that has everything; each test takes one thing away. */
    static final class FakeHost implements HostSystem {
        boolean root = true;
        Set<String> commands = new HashSet<>(Set.of("qemu-aarch64-static", "debootstrap", "chroot", "mount", "umount",
                "tar", "zstd", "ssh-keygen", "update-binfmts"));
        Binfmt binfmt = new Binfmt(true, true, true, true, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
        long free = 50L * 1024 * 1024 * 1024;
        String unreachable;
        int enableAttempts;

        @Override
        public boolean isRoot() {
            return root;
        }

        @Override
        public Optional<Path> findCommand(String name) {
            return commands.contains(name) ? Optional.of(Path.of("/usr/bin", name)) : Optional.empty();
        }

        @Override
        public long usableSpace(Path dir) {
            return free;
        }

        @Override
        public Binfmt binfmt(String name) {
            return binfmt;
        }

        @Override
        public String tryEnableBinfmt(String name) {
            enableAttempts++;
            return "(simulated: nothing changed)";
        }

        @Override
        public Optional<String> probe(URI url) {
            return Optional.ofNullable(unreachable);
        }
    }

    private EmulatedDeviceException startFails(Consumer<FakeHost> takeAway) {
        FakeHost host = new FakeHost();
        takeAway.accept(host);
        EmulatedPi4 pi = EmulatedPi4.builder().host(host).cacheDir(cache).log(Log.silent())
                .mirror(URI.create("http://mirror.invalid/debian")).build();
        try (pi) {
            return assertThrows(EmulatedDeviceException.class, pi::start);
        }
    }

    @Test
    void notRoot() {
        EmulatedDeviceException e = startFails(h -> h.root = false);
        assertEquals("the emulated Pi 4 needs root (chroot, mounts, binfmt); run as root or use a real device", e.getMessage());
    }

    @Test
    void notRootAlsoForProvisioningAlone() {
        FakeHost host = new FakeHost();
        host.root = false;
        try (EmulatedPi4 pi = EmulatedPi4.builder().host(host).cacheDir(cache).log(Log.silent()).build()) {
            EmulatedDeviceException e = assertThrows(EmulatedDeviceException.class, pi::provision);
            assertTrue(e.getMessage().contains("needs root"), e.getMessage());
        }
    }

    @Test
    void noQemu() {
        EmulatedDeviceException e = startFails(h -> h.commands.remove("qemu-aarch64-static"));
        assertTrue(e.getMessage().startsWith("qemu-aarch64-static not found"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y qemu-user-static binfmt-support"), e.getMessage());
    }

    @Test
    void binfmtNotMountedAndCannotBeFixed() {
        EmulatedDeviceException e = startFails(h -> h.binfmt = new HostSystem.Binfmt(false, false, false, false, ""));
        assertTrue(e.getMessage().startsWith("binfmt_misc is not mounted"), e.getMessage());
        assertTrue(e.getMessage().contains("mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"), e.getMessage());
        assertTrue(e.getMessage().contains("update-binfmts --enable qemu-aarch64"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y qemu-user-static binfmt-support"), e.getMessage());
    }

    @Test
    void binfmtNotRegistered() {
        EmulatedDeviceException e = startFails(h -> h.binfmt = new HostSystem.Binfmt(true, false, false, false, ""));
        assertTrue(e.getMessage().startsWith("qemu-aarch64 is not registered with binfmt_misc"), e.getMessage());
        assertTrue(e.getMessage().contains("update-binfmts --enable qemu-aarch64"), e.getMessage());
    }

    @Test
    void aDisabledBinfmtEntryIsEnabledBeforeGivingUp() {
        FakeHost host = new FakeHost();
        host.binfmt = new HostSystem.Binfmt(true, true, false, true, "/usr/bin/qemu-aarch64-static");
        try (EmulatedPi4 pi = EmulatedPi4.builder().host(host).cacheDir(cache).log(Log.silent()).build()) {
            EmulatedDeviceException e = assertThrows(EmulatedDeviceException.class, pi::start);
            assertTrue(e.getMessage().startsWith("the qemu-aarch64 binfmt entry is disabled"), e.getMessage());
        }
        assertEquals(1, host.enableAttempts);
    }

    @Test
    void noDebootstrap() {
        EmulatedDeviceException e = startFails(h -> h.commands.remove("debootstrap"));
        assertTrue(e.getMessage().startsWith("debootstrap not found"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y debootstrap"), e.getMessage());
    }

    @Test
    void noDebootstrapDoesNotMatterOnceTheUserlandIsCached() throws Exception {
        FakeHost host = new FakeHost();
        host.commands.remove("debootstrap");
        host.free = 1; // stops start() right after provisioning, before anything is unpacked
        try (EmulatedPi4 pi = EmulatedPi4.builder().host(host).cacheDir(cache).log(Log.silent()).build()) {
            Files.writeString(cache.resolve(pi.recipe().cacheKey() + ".tar.zst"), "stand-in");
            EmulatedDeviceException e = assertThrows(EmulatedDeviceException.class, pi::start);
            assertTrue(e.getMessage().startsWith("disk space too low for the emulated Pi 4's per-run copy"), e.getMessage());
        }
    }

    @Test
    void diskSpaceTooLow() {
        EmulatedDeviceException e = startFails(h -> h.free = 300L * 1024 * 1024);
        assertTrue(e.getMessage().startsWith("disk space too low for the emulated Pi 4's userland build: 300 MB free in "
                + cache), e.getMessage());
        assertTrue(e.getMessage().contains("about 1024 MB needed"), e.getMessage());
    }

    @Test
    void mirrorUnreachable() {
        EmulatedDeviceException e = startFails(h -> h.unreachable = "ConnectException: Connection refused");
        assertTrue(e.getMessage().startsWith("Debian mirror http://mirror.invalid/debian unreachable (ConnectException"),
                e.getMessage());
        assertTrue(e.getMessage().contains("-D" + EmulatedPi4.MIRROR_PROPERTY + "=URL"), e.getMessage());
    }

    @Test
    void missingToolsFoundThroughARealSearchPath(@TempDir Path bin) throws Exception {
        // the real HostSystem with a PATH that has qemu but no debootstrap
        Path qemu = bin.resolve("qemu-aarch64-static");
        Files.writeString(qemu, "#!/bin/sh\n");
        assertTrue(qemu.toFile().setExecutable(true));
        HostSystem real = HostSystem.local(bin.toString());
        assertTrue(real.findCommand("qemu-aarch64-static").isPresent());
        Preflight preflight = new Preflight(real, Log.silent());
        EmulatedDeviceException e = assertThrows(EmulatedDeviceException.class, () -> preflight.requireCommand("debootstrap",
                "it builds the userland", "apt-get install -y debootstrap"));
        assertEquals("debootstrap not found: it builds the userland; install it with: apt-get install -y debootstrap", e.getMessage());
    }

    @Test
    void failedStartLeavesNothingAndCloseIsIdempotent() throws Exception {
        FakeHost host = new FakeHost();
        host.root = false;
        EmulatedPi4 pi = EmulatedPi4.builder().host(host).cacheDir(cache).log(Log.silent()).build();
        assertThrows(EmulatedDeviceException.class, pi::start);
        pi.close();
        pi.close();
        assertFalse(pi.endpoint().isPresent());
        try (var files = Files.list(cache)) {
            assertEquals(0, files.count(), "nothing written for a start that could not begin");
        }
        assertThrows(EmulatedDeviceException.class, pi::start, "closed");
    }
}
