package io.github.edgeprune.device;

import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSH device against a real OpenSSH server on 127.0.0.1. */
class SshDeviceTest {

    @TempDir
    static Path tmp;

    static SshdServer sshd;

    @BeforeAll
    static void startServer() throws Exception {
        String why = SshdServer.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        sshd = SshdServer.start(Files.createDirectories(tmp.resolve("sshd")));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    private Path knownHosts(String name) throws Exception {
        return sshd.writeKnownHosts(tmp.resolve(name));
    }

    @Test
    void connectsUnderStrictAndRunsCommands() throws Exception {
        try (Device d = Devices.open(sshd.settings(knownHosts("kh-run")).build(), Log.silent())) {
            assertFalse(d.isLocal());
            ExecResult r = d.run("echo hello; echo oops >&2; exit 3");
            assertEquals(3, r.exitCode());
            assertEquals("hello\n", r.stdout());
            assertEquals("oops\n", r.stderr());
            // the SSH server is this machine: its `uname -m`, asked without SSH
            assertEquals(localUnameM(), d.arch());
            assertEquals("/" , d.home().substring(0, 1));
            // quoting survives the login shell and sh -c
            assertEquals("it's \"quoted\" $HOME\n", d.run("printf '%s\\n' " + Shell.quote("it's \"quoted\" $HOME")).stdout());
            DeviceFacts f = d.facts();
            assertTrue(f.memTotalKb() > 0, f.toString());
            assertTrue(f.cores() > 0, f.toString());
            assertEquals(d.arch(), f.arch());
        }
    }

    @Test
    void signalDeathIsNamed() throws Exception {
        try (Device d = Devices.open(sshd.settings(knownHosts("kh-sig")).build(), Log.silent())) {
            ExecResult r = d.run("kill -ILL $$");
            assertEquals(132, r.exitCode(), r.toString());
            assertEquals("ILL", r.signal());
            assertTrue(r.describeExit().contains("SIGILL"), r.describeExit());
            DeviceException e = assertThrows(DeviceException.class, () -> r.requireSuccess("the agent"));
            assertTrue(e.getMessage().contains("killed by SIGILL (exit 132)"), e.getMessage());
        }
    }

    @Test
    void streamsLinesOfALongRunningCommand() throws Exception {
        try (Device d = Devices.open(sshd.settings(knownHosts("kh-stream")).build(), Log.silent())) {
            List<String> lines = new CopyOnWriteArrayList<>();
            RunningCommand c = d.start("for i in 1 2 3; do echo line$i; sleep 0.2; done", lines::add, null);
            ExecResult r = c.waitFor(Duration.ofSeconds(20));
            assertNotNull(r);
            assertEquals(List.of("line1", "line2", "line3"), lines);
            assertEquals(0, r.exitCode());
        }
    }

    @Test
    void commandTimeoutIsRaisedInTime() throws Exception {
        // a generous limit and a command that sleeps far past it: on a busy 2-core machine even
        // `true` over SSH can take a second or more, so nothing here depends on a tight clock
        DeviceSettings s = sshd.settings(knownHosts("kh-timeout")).commandTimeout(Duration.ofSeconds(10)).build();
        try (Device d = Devices.open(s, Log.silent())) {
            long t0 = System.nanoTime();
            DeviceException e = show("timeout", assertThrows(DeviceException.class, () -> d.run("sleep 600")));
            double took = (System.nanoTime() - t0) / 1e9;
            System.out.printf("[timeout] raised after %.3f s (timeout 10 s)%n", took);
            assertEquals(DeviceException.Kind.TIMEOUT, e.kind());
            assertTrue(took >= 10 && took < 120, "raised after " + took + " s, not near the 10 s limit (the command sleeps 600 s)");
            assertTrue(e.getMessage().contains("within 10 s"), e.getMessage());
            // the session is still usable
            assertEquals(0, d.run("true").exitCode());
        }
    }

    @Test
    void uploadVerifiesAndTempFolderIsRemoved() throws Exception {
        Path local = tmp.resolve("payload.bin");
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(1).nextBytes(data);
        Files.write(local, data);
        String tmpPath;
        try (Device d = Devices.open(sshd.settings(knownHosts("kh-up")).build(), Log.silent())) {
            try (RemoteTempDir dir = d.createTempDir()) {
                tmpPath = dir.path();
                assertTrue(tmpPath.contains("edgeprune."), tmpPath);
                long sent = d.upload(local, dir.resolve("sub/payload.bin"));
                assertEquals(data.length, sent);
                String sha = d.run("sha256sum " + Shell.quote(dir.resolve("sub/payload.bin"))).stdout().split(" ")[0];
                assertEquals(Fingerprint.sha256(local), sha);
                assertEquals("", d.run("ls " + Shell.quote(dir.resolve("sub")) + " | grep part || true").stdout());
                assertEquals("hello\n", d.readFile(writeRemote(d, dir.resolve("hello.txt"), "hello")));
            }
            assertEquals(1, d.run("test -e " + Shell.quote(tmpPath)).exitCode(), "temp folder left behind");
            // also removed when the work inside fails
            String[] failedPath = new String[1];
            assertThrows(IllegalStateException.class, () -> {
                try (RemoteTempDir dir = d.createTempDir()) {
                    failedPath[0] = dir.path();
                    throw new IllegalStateException("boom");
                }
            });
            assertEquals(1, d.run("test -e " + Shell.quote(failedPath[0])).exitCode());
        }
    }

    private static String writeRemote(Device d, String path, String text) {
        d.run("printf '%s\\n' " + Shell.quote(text) + " > " + Shell.quote(path)).requireSuccess("write");
        return path;
    }

    @Test
    void unreachablePortFailsClearlyWithinTheTimeout() throws Exception {
        int port = SshdServer.freePort(); // nothing listens there now
        DeviceSettings s = DeviceSettings.builder("ssh://pi@127.0.0.1:" + port).identityFile(sshd.userKey())
                .knownHosts(knownHosts("kh-unreach")).connectTimeout(Duration.ofSeconds(3)).build();
        long t0 = System.nanoTime();
        DeviceException e = show("unreachable", assertThrows(DeviceException.class, () -> Devices.open(s, Log.silent())));
        double took = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[unreachable] raised after %.3f s (timeout 3 s)%n", took);
        assertEquals(DeviceException.Kind.UNREACHABLE, e.kind());
        // refused at once; the bound only says it did not wait for the 3 s timeout many times over
        assertTrue(took < 3 + 30, "took " + took);
        assertTrue(e.getMessage().startsWith("could not connect to 127.0.0.1:" + port + " within 3 s: connection refused."),
                e.getMessage());
        assertTrue(e.getMessage().contains("sshd running"), e.getMessage());
    }

    @Test
    void silentPortTimesOutWithinTheTimeout() throws Exception {
        // accepts TCP but never speaks SSH: the handshake must still end within the connect timeout
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (Exception ignored) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            DeviceSettings s = DeviceSettings.builder("ssh://pi@127.0.0.1:" + silent.getLocalPort())
                    .identityFile(sshd.userKey()).knownHosts(knownHosts("kh-silent"))
                    .connectTimeout(Duration.ofSeconds(2)).build();
            long t0 = System.nanoTime();
            DeviceException e = show("silent port", assertThrows(DeviceException.class, () -> Devices.open(s, Log.silent())));
            double took = (System.nanoTime() - t0) / 1e9;
            System.out.printf("[silent port] raised after %.3f s (timeout 2 s)%n", took);
            assertEquals(DeviceException.Kind.UNREACHABLE, e.kind(), e.getMessage());
            // ended by the 2 s handshake timeout, far before any default (generous for a busy machine)
            assertTrue(took < 2 + 30, "took " + took);
            assertTrue(e.getMessage().contains("no SSH server answered"), e.getMessage());
            for (Socket sock : held) {
                sock.close();
            }
        }
    }

    @Test
    void unknownHostIsRefusedUnderStrictWithKeyscanHint() throws Exception {
        Path kh = tmp.resolve("kh-empty");
        DeviceSettings s = sshd.settings(kh).build();
        DeviceException e = show("unknown host", assertThrows(DeviceException.class, () -> Devices.open(s, Log.silent())));
        assertEquals(DeviceException.Kind.HOST_KEY_UNKNOWN, e.kind());
        String m = e.getMessage();
        assertTrue(m.contains("ssh-keyscan -p " + sshd.port() + " 127.0.0.1 >> " + kh), m);
        assertTrue(m.contains("SHA256:"), m);
        assertTrue(m.contains("-Dprune.hostKeyPolicy=accept-new"), m);
        assertFalse(Files.exists(kh), "strict must not write known_hosts");
    }

    @Test
    void acceptNewAppendsTheKeyThenStrictWorks() throws Exception {
        Path kh = tmp.resolve("kh-acceptnew");
        Files.writeString(kh, "# a comment\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEsQSmv3hbbgl1nbaFEwHRzVxRWhWmsXGLPJoPGD6dMO");
        List<String> warnings = new ArrayList<>();
        try (Device d = Devices.open(sshd.settings(kh).hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).build(), recording(warnings))) {
            assertEquals(0, d.run("true").exitCode());
        }
        List<String> lines = Files.readAllLines(kh);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(sshd.knownHostsLine(), lines.get(2));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("Permanently added")), warnings.toString());
        try (Device d = Devices.open(sshd.settings(kh).build(), Log.silent())) {
            assertEquals(0, d.run("true").exitCode());
        }
    }

    @Test
    void changedHostKeyIsRefusedUnderEveryPolicy() throws Exception {
        Path other = sshd.newKey("impostor_host");
        String otherKey = Files.readString(other.resolveSibling("impostor_host.pub")).strip().split("\\s+")[1];
        Path kh = tmp.resolve("kh-changed");
        String content = "[127.0.0.1]:" + sshd.port() + " ssh-ed25519 " + otherKey + "\n";
        Files.writeString(kh, content);
        for (HostKeyPolicy policy : HostKeyPolicy.values()) {
            List<String> warnings = new ArrayList<>();
            DeviceException e = assertThrows(DeviceException.class,
                    () -> Devices.open(sshd.settings(kh).hostKeyPolicy(policy).build(), recording(warnings)));
            show("changed key, " + policy.id(), e);
            assertEquals(DeviceException.Kind.HOST_KEY_CHANGED, e.kind(), policy + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("HAS CHANGED"), e.getMessage());
            assertTrue(e.getMessage().contains("ssh-keygen -R '[127.0.0.1]:" + sshd.port() + "'"), e.getMessage());
            assertFalse(warnings.isEmpty(), "a changed key is warned about loudly");
            assertEquals(content, Files.readString(kh), "known_hosts must not change under " + policy);
        }
    }

    @Test
    void aHostKnownByItsEcdsaKeyIsAcceptedThoughItAlsoHasEd25519() throws Exception {
        // OpenSSH offers the key types already on record first; so do we
        Path kh = Files.writeString(tmp.resolve("kh-ecdsa-only"), sshd.knownHostsLineEcdsa() + "\n");
        try (Device d = Devices.open(sshd.settings(kh).build(), Log.silent())) {
            assertEquals(0, d.run("true").exitCode());
        }
        assertEquals(sshd.knownHostsLineEcdsa() + "\n", Files.readString(kh));
    }

    @Test
    void hashedKnownHostsEntriesMatch() throws Exception {
        Path kh = knownHosts("kh-hashed");
        Process p = new ProcessBuilder("ssh-keygen", "-H", "-f", kh.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        assertTrue(Files.readString(kh).startsWith("|1|"), Files.readString(kh));
        try (Device d = Devices.open(sshd.settings(kh).build(), Log.silent())) {
            assertEquals(0, d.run("true").exitCode());
        }
    }

    @Test
    void wrongKeyIsRefusedWithWhatWasTried() throws Exception {
        Path wrong = sshd.newKey("wrong_key");
        DeviceSettings s = sshd.settings(knownHosts("kh-wrongkey")).identityFile(wrong).build();
        DeviceException e = show("wrong key", assertThrows(DeviceException.class, () -> Devices.open(s, Log.silent())));
        assertEquals(DeviceException.Kind.AUTH_REFUSED, e.kind(), e.getMessage());
        String m = e.getMessage();
        assertTrue(m.contains("refused to log in " + sshd.user()), m);
        assertTrue(m.contains("publickey with " + wrong), m);
        assertTrue(m.contains("prune.identityFile"), m);
        assertTrue(m.contains("prune.serverId"), m);
    }

    @Test
    void defaultKeysFromTheUsersSshFolderAreUsed() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home-default"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.copy(sshd.userKey(), home.resolve(".ssh/id_ed25519"));
        DeviceSettings s = sshd.settings(knownHosts("kh-default")).identityFile(null).userHome(home).build();
        try (Device d = Devices.open(s, Log.silent())) {
            assertEquals(0, d.run("true").exitCode());
        }
        // and a key given as text (settings.xml) works too
        DeviceSettings t = sshd.settings(knownHosts("kh-text")).identityFile(null)
                .userHome(Files.createDirectories(tmp.resolve("home-empty")))
                .privateKey(Files.readString(sshd.userKey())).serverId("pi").build();
        try (Device d = Devices.open(t, Log.silent())) {
            assertEquals(0, d.run("true").exitCode());
        }
    }

    @Test
    void passphraseProtectedKeysNeedTheirPassphrase() throws Exception {
        Path key = tmp.resolve("sshd/locked_ed25519");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret phrase", "-f", key.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        Files.writeString(sshd.dir().resolve("authorized_keys"),
                Files.readString(sshd.dir().resolve("user_ed25519.pub")) + Files.readString(Path.of(key + ".pub")));
        DeviceSettings.Builder b = sshd.settings(knownHosts("kh-locked")).identityFile(null).serverId("pi4")
                .privateKey(key.toString());
        DeviceException e = show("locked key", assertThrows(DeviceException.class, () -> Devices.open(b.build(), Log.silent())));
        assertEquals(DeviceException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("<passphrase>"), e.getMessage());
        assertTrue(e.getMessage().contains("settings.xml server 'pi4'"), e.getMessage());
        assertTrue(e.getMessage().contains("protected by a passphrase and none was given"), e.getMessage());
        DeviceException wrong = show("wrong passphrase", assertThrows(DeviceException.class,
                () -> Devices.open(b.passphrase("nope").build(), Log.silent())));
        assertEquals(DeviceException.Kind.CONFIGURATION, wrong.kind());
        assertFalse(wrong.getMessage().contains("nope"), "the passphrase is never echoed");
        assertTrue(wrong.getMessage().contains("the passphrase does not open it"), wrong.getMessage());
        try (Device d = Devices.open(b.passphrase("s3cret phrase").build(), Log.silent())) {
            assertEquals(0, d.run("true").exitCode());
        }
    }

    @Test
    void aRecordedKeyOfAnotherTypeCountsAsChanged() throws Exception {
        // known_hosts knows an ECDSA key for this host, the server offers only ed25519: refused, not silently added
        Path ecdsa = tmp.resolve("sshd/other_ecdsa");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", ecdsa.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        String[] pub = Files.readString(Path.of(ecdsa + ".pub")).strip().split("\\s+");
        Path kh = Files.writeString(tmp.resolve("kh-othertype"), "[127.0.0.1]:" + sshd.port() + " " + pub[0] + " " + pub[1] + "\n");
        DeviceException e = assertThrows(DeviceException.class,
                () -> Devices.open(sshd.settings(kh).hostKeyPolicy(HostKeyPolicy.ACCEPT_NEW).build(), Log.silent()));
        assertEquals(DeviceException.Kind.HOST_KEY_CHANGED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("records ecdsa-sha2-nistp256"), e.getMessage());
    }

    @Test
    void noCredentialsAtAllSaysWhereItLooked() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home-nothing"));
        DeviceSettings s = sshd.settings(knownHosts("kh-nocred")).identityFile(null).userHome(home).build();
        DeviceException e = assertThrows(DeviceException.class, () -> Devices.open(s, Log.silent()));
        assertEquals(DeviceException.Kind.AUTH_REFUSED, e.kind());
        assertTrue(e.getMessage().contains("id_ed25519"), e.getMessage());
    }

    @Test
    void missingJavaSaysHowToInstallIt() throws Exception {
        try (Device d = Devices.open(sshd.settings(knownHosts("kh-java")).build(), Log.silent())) {
            DeviceException e = show("missing java", assertThrows(DeviceException.class, () -> d.requireJava("edgeprune-no-such-java")));
            assertEquals(DeviceException.Kind.MISSING_PROGRAM, e.kind());
            assertTrue(e.getMessage().contains("sudo apt install openjdk-17-jre-headless"), e.getMessage());
            assertTrue(e.getMessage().contains("`edgeprune-no-such-java` was not found on ssh://"), e.getMessage());
            assertTrue(e.getMessage().contains("PATH"), e.getMessage());
            // the real one is there on this machine
            assertTrue(d.requireJava("java").contains("version"));
        }
    }

    /** Shows the message a user would see (in the surefire output). */
    static DeviceException show(String what, DeviceException e) {
        System.out.println("[" + what + "] " + e.kind() + ": " + e.getMessage());
        return e;
    }

    static Log recording(List<String> warnings) {
        return new Log() {
            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
                warnings.add(message);
            }
        };
    }

    private static String localUnameM() throws Exception {
        Process p = new ProcessBuilder("uname", "-m").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        return out;
    }
}
