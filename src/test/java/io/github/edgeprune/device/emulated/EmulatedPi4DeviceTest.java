package io.github.edgeprune.device.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The emulated Pi 4 end to end: provision (or reuse the cached userland), start, reach it with
 * the OpenSSH client, check that a session really runs as a Cortex-A72, close, and check that
 * nothing is left. Runs where the machine can host it (root, qemu-user-static + binfmt,
 * debootstrap or a cached userland, an ssh client); skipped with the reason otherwise, or failed
 * with {@code -Dedgeprune.emulated.require=true} (CI). {@code -Dedgeprune.emulated.skip=true}
 * skips it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class EmulatedPi4DeviceTest {

    static final Duration FIRST_RUN_LIMIT = Duration.ofMinutes(12);
    static final Duration CACHED_RUN_LIMIT = Duration.ofMinutes(3);

    static final Log LOG = new Log() {
        @Override
        public void info(String message) {
            System.out.println("[emulated-pi4] " + message);
        }

        @Override
        public void warn(String message) {
            System.out.println("[emulated-pi4] WARNING: " + message);
        }
    };

    @BeforeAll
    public static void machineCanHostIt() {
        Assumptions.assumeFalse(Boolean.getBoolean("edgeprune.emulated.skip"), "edgeprune.emulated.skip=true");
        String missing = missingPrerequisite();
        if (missing != null) {
            if (Boolean.getBoolean("edgeprune.emulated.require")
                    || "true".equals(System.getenv("EDGEPRUNE_EMULATED_REQUIRE"))) {
                fail("edgeprune.emulated.require=true but: " + missing);
            }
            Assumptions.abort("this machine cannot host the emulated Pi 4: " + missing);
        }
    }

    public static String missingPrerequisite() {
        HostSystem host = HostSystem.local();
        if (!host.isRoot()) {
            return Preflight.NOT_ROOT;
        }
        if (host.findCommand(Preflight.QEMU).isEmpty()) {
            return "no qemu-aarch64-static (" + Preflight.APT_QEMU + ")";
        }
        if (!host.binfmt(Preflight.BINFMT_NAME).usable()) {
            host.tryEnableBinfmt(Preflight.BINFMT_NAME);
            if (!host.binfmt(Preflight.BINFMT_NAME).usable()) {
                return "qemu-aarch64 binfmt not usable (update-binfmts --enable qemu-aarch64)";
            }
        }
        boolean cached = EmulatedPi4.builder().log(Log.silent()).build().cachedTarball().isPresent();
        if (!cached && host.findCommand("debootstrap").isEmpty()) {
            return "no cached userland and no debootstrap (apt-get install -y debootstrap)";
        }
        if (host.findCommand("ssh").isEmpty()) {
            return "no OpenSSH client (apt-get install -y openssh-client)";
        }
        return null;
    }

    @Test
    @Order(1)
    void provisionsStartsAnswersOverSshAndLeavesNothingBehind() throws Exception {
        long t0 = System.nanoTime();
        boolean wasCached;
        Endpoint ep;
        try (EmulatedPi4 pi = EmulatedPi4.builder().log(LOG).build()) {
            wasCached = pi.cachedTarball().isPresent();
            Path tarball = pi.provision();
            long provisioned = System.nanoTime();
            ep = exercise(pi);
            System.out.printf("[emulated-pi4] TIMING first run: %s (provisioning %s: %s, then start + checks)%n",
                    Durations.since(t0), wasCached ? "reused cache" : "built", Durations.format(Duration.ofNanos(provisioned - t0)));
            System.out.printf("[emulated-pi4] TIMING cached userland %s: %d MB (manifest %s)%n", tarball,
                    Files.size(tarball) / (1024 * 1024), manifestSummary(pi));
        }
        assertNothingLeft(ep);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!wasCached) {
            assertTrue(took.compareTo(FIRST_RUN_LIMIT) < 0, "first run with provisioning took " + Durations.format(took));
        } else {
            assertTrue(took.compareTo(CACHED_RUN_LIMIT) < 0, "run with a cached userland took " + Durations.format(took));
        }
    }

    @Test
    @Order(2)
    void aCachedRunIsQuick() throws Exception {
        long t0 = System.nanoTime();
        Endpoint ep;
        try (EmulatedPi4 pi = EmulatedPi4.builder().log(LOG).build()) {
            assertTrue(pi.cachedTarball().isPresent(), "the first test cached the userland");
            ep = exercise(pi);
        }
        assertNothingLeft(ep);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("[emulated-pi4] TIMING cached run: %s (unpack, mount, keys, sshd, checks over SSH, close)%n",
                Durations.format(took));
        assertTrue(took.compareTo(CACHED_RUN_LIMIT) < 0, "cached run took " + Durations.format(took));
    }

    @Test
    @Order(3)
    void twoDevicesAtOnceDoNotCollide() throws Exception {
        List<Endpoint> eps = new ArrayList<>();
        try (EmulatedPi4 a = EmulatedPi4.builder().log(LOG).build();
             EmulatedPi4 b = EmulatedPi4.builder().log(LOG).build()) {
            Endpoint ea = a.start();
            Endpoint eb = b.start();
            eps.add(ea);
            eps.add(eb);
            assertNotEquals(ea.port(), eb.port());
            assertNotEquals(ea.root(), eb.root());
            assertEquals("aarch64", ssh(ea, "uname -m").trim());
            assertEquals("aarch64", ssh(eb, "uname -m").trim());
            // each key opens only its own device
            Endpoint crossed = new Endpoint(eb.host(), eb.port(), eb.user(), ea.privateKey(), eb.knownHosts(), eb.root());
            assertNotEquals(0, sshExit(crossed, "true"), "a's key must not open b");
            a.close();
            assertNothingLeft(eps.get(0));
            assertEquals("aarch64", ssh(eb, "uname -m").trim(), "closing a leaves b running");
        }
        assertNothingLeft(eps.get(1));
    }

    @Test
    @Order(4)
    void aStartThatFailsHalfWayLeavesNothing() throws Exception {
        Path work = EmulatedPi4.defaultCacheDir().resolve("runs");
        Set<Path> before = runFolders(work);
        try (EmulatedPi4 pi = EmulatedPi4.builder().log(LOG).startTimeout(Duration.ZERO).build()) {
            EmulatedDeviceException e = assertThrows(EmulatedDeviceException.class, pi::start);
            assertTrue(e.getMessage().contains("sshd did not come up"), e.getMessage());
            assertTrue(pi.endpoint().isEmpty());
            // before close(): the failed start has already removed its folder, mounts and processes
            assertEquals(before, runFolders(work));
        }
    }

    private static Set<Path> runFolders(Path work) throws IOException {
        if (!Files.isDirectory(work)) {
            return Set.of();
        }
        try (var s = Files.list(work)) {
            return s.filter(p -> p.getFileName().toString().startsWith(EmulatedPi4.RUN_PREFIX)).collect(Collectors.toSet());
        }
    }

    /** Start, check everything over SSH, return the endpoint (closing is the caller's). */
    private static Endpoint exercise(EmulatedPi4 pi) throws Exception {
        Endpoint ep = pi.start();
        assertEquals("127.0.0.1", ep.host());
        assertEquals("root", ep.user());
        assertTrue(Files.readString(ep.knownHosts()).startsWith("[127.0.0.1]:" + ep.port() + " "));

        // the SSH flow with the plain OpenSSH client, strict host key checking against the given known_hosts
        assertEquals("aarch64", ssh(ep, "uname -m").trim());
        String java = ssh(ep, "java -version 2>&1");
        assertTrue(java.contains("openjdk version \"17"), java);

        // a session and what it starts run as the Pi 4's CPU: ARMv8.0, no LSE atomics
        String out = ssh(ep, "echo \"$QEMU_CPU\"; " + Hwcaps.READ_AUXV + "; echo @@; sh -c 'sh -c \"" + Hwcaps.READ_AUXV + "\"'");
        String[] parts = out.split("@@");
        assertEquals(EmulatedPi4.CPU_MODEL, parts[0].lines().findFirst().orElse(""));
        Set<String> session = Hwcaps.names(Hwcaps.parseOdAuxv(parts[0].substring(parts[0].indexOf('\n') + 1)));
        Set<String> grandchild = Hwcaps.names(Hwcaps.parseOdAuxv(parts[1]));
        assertFalse(session.contains("atomics"), "session runs with ARMv8.1 atomics: " + session);
        assertTrue(session.containsAll(Set.of("fp", "asimd", "crc32")), session.toString());
        assertEquals(session, grandchild);

        DeviceFacts facts = DeviceFacts.read(new OpenSshShell(ep), pi.description(), true);
        System.out.println("[emulated-pi4] facts: " + facts.summary());
        assertEquals("emulated Raspberry Pi 4 (qemu-user, cortex-a72)", facts.description());
        assertEquals("aarch64", facts.machine());
        assertTrue(facts.armv80(), facts.hwcaps().toString());
        assertEquals(EmulatedPi4.CPU_MODEL, facts.qemuCpu());
        assertTrue(facts.osRelease().contains("bookworm"), facts.osRelease());
        assertTrue(facts.memTotalKb() > 0);
        assertTrue(facts.javaVersion().startsWith("openjdk version \"17"), facts.javaVersion());

        // every process in the userland (sshd, its children) carries the CPU model for qemu
        List<Long> pids = RootProcesses.under(ep.root());
        assertFalse(pids.isEmpty(), "sshd runs under " + ep.root());
        int checked = 0;
        for (long pid : pids) {
            byte[] raw;
            try {
                raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            } catch (FileSystemException e) {
                // a session process of the previous ssh call that ended after the listing: the file
                // is gone (NoSuchFile) or the read meets a process mid-exit (ESRCH, "No such process", also when it is a zombie)
                if (!(e instanceof NoSuchFileException) && !"No such process".equals(e.getReason())) {
                    throw e;
                }
                continue;
            }
            String environ = new String(raw, StandardCharsets.UTF_8);
            assertTrue(List.of(environ.split("\0")).contains("QEMU_CPU=" + EmulatedPi4.CPU_MODEL), "pid " + pid + " lacks QEMU_CPU");
            checked++;
        }
        assertTrue(checked > 0, "every process listed under " + ep.root() + " ended before it was read: " + pids);

        // control: the check does tell CPUs apart (without QEMU_CPU, qemu's default CPU has atomics)
        ProcessBuilder control0 = new ProcessBuilder("chroot", ep.root().toString(), "/bin/sh", "-c", Hwcaps.READ_AUXV)
                .redirectErrorStream(true);
        control0.environment().remove("QEMU_CPU");
        Process p = control0.start();
        String control = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Hwcaps.names(Hwcaps.parseOdAuxv(control)).contains("atomics"), control);

        return ep;
    }

    private static void assertNothingLeft(Endpoint ep) {
        assertNothingLeft(ep.root().getParent());
        assertTrue(refused(ep), "something still answers on port " + ep.port());
    }

    private static void assertNothingLeft(Path runDir) {
        assertEquals(List.of(), RootProcesses.under(runDir), "processes left under " + runDir);
        assertEquals(List.of(), Mounts.under(runDir), "mounts left under " + runDir);
        assertFalse(Files.exists(runDir), runDir + " still exists");
    }

    static String ssh(Endpoint ep, String command) throws IOException, InterruptedException {
        List<String> cmd = sshCommand(ep, command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    static int sshExit(Endpoint ep, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(sshCommand(ep, command)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        return p.exitValue();
    }

    /** {@code ssh -i key -o UserKnownHostsFile=… -p PORT root@127.0.0.1 command}, nothing from ~/.ssh. */
    static List<String> sshCommand(Endpoint ep, String command) {
        return List.of("ssh", "-F", "/dev/null", "-i", ep.privateKey().toString(), "-o", "IdentitiesOnly=yes",
                "-o", "UserKnownHostsFile=" + ep.knownHosts(), "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-p", Integer.toString(ep.port()),
                ep.user() + "@" + ep.host(), command);
    }

    private static String manifestSummary(EmulatedPi4 pi) {
        try {
            String json = Files.readString(pi.cacheDir().resolve(pi.recipe().cacheKey() + ".json"));
            return json.lines().filter(l -> l.contains("buildSeconds") || l.contains("Bytes")).map(String::trim)
                    .reduce((x, y) -> x + " " + y).orElse("");
        } catch (IOException e) {
            return "none";
        }
    }

    private static boolean refused(Endpoint ep) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ep.host(), ep.port()), 2000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }
}
