package io.github.edgeprune.device;

import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jar cache and monitored runs behave the same on {@code local} and over SSH. */
class DeviceRunTest {

    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path tmp;

    static SshdServer sshd;

    @BeforeAll
    static void startServer() throws Exception {
        if (SshdServer.unavailableReason() == null) {
            sshd = SshdServer.start(Files.createDirectories(tmp.resolve("sshd")));
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    static Device open(String kind) throws Exception {
        if (kind.equals("local")) {
            return Devices.open(DeviceSettings.local(), Log.silent());
        }
        Assumptions.assumeTrue(sshd != null, SshdServer.unavailableReason());
        Path kh = tmp.resolve("known_hosts");
        if (!Files.exists(kh)) {
            sshd.writeKnownHosts(kh);
        }
        return Devices.open(sshd.settings(kh).build(), Log.silent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "ssh"})
    void jarCacheUploadsOnlyWhatIsMissing(String kind) throws Exception {
        Path jars = Files.createDirectories(tmp.resolve("jars-" + kind));
        Path a = Files.write(jars.resolve("agent.jar"), new byte[200_000]);
        Path b = Files.writeString(jars.resolve("gson 2.13.jar"), "pretend jar " + kind);
        Path c = Files.write(jars.resolve("libopenvino_c.so"), new byte[] {1, 2, 3});
        try (Device d = open(kind); RemoteTempDir cacheRoot = d.createTempDir()) {
            JarCache cache = new JarCache(d, cacheRoot.resolve("jars"), Log.silent());
            JarCache.Result first = cache.sync(List.of(a, b, c));
            assertEquals(3, first.uploaded().size());
            assertEquals(200_000 + Files.size(b) + 3, first.bytesUploaded());
            assertEquals(0, first.alreadyThere());
            String cp = first.classPath();
            assertEquals(3, cp.split(":").length);
            assertTrue(first.remotePaths().get(1).endsWith("/" + Fingerprint.sha256(b) + "/gson_2.13.jar"),
                    first.remotePaths().get(1));
            for (String p : first.remotePaths()) {
                assertEquals(0, d.run("test -f " + Shell.quote(p)).exitCode(), p);
            }
            JarCache.Result second = cache.sync(List.of(a, b, c));
            System.out.println("[jar cache " + kind + "] first: " + first.summary() + "; second: " + second.summary());
            assertEquals(0, second.uploaded().size());
            assertEquals(0, second.bytesUploaded());
            assertEquals(3, second.alreadyThere());
            assertEquals(first.remotePaths(), second.remotePaths());
            // a changed file is a new entry; the unchanged ones stay
            Files.writeString(b, "pretend jar, rebuilt");
            JarCache.Result third = cache.sync(List.of(a, b, c));
            assertEquals(List.of(b), third.uploaded());
            assertEquals(2, third.alreadyThere());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "ssh"})
    void memoryOfARunningProgramIsSampled(String kind) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is not installed");
        // allocate and touch 100 MB, hold it 3 s, print a JSON line, exit 0
        String script = "import time,sys\nb = b'x' * (100 << 20)\ntime.sleep(3)\nprint('{\"ok\": true}')\n";
        List<String> lines = new CopyOnWriteArrayList<>();
        try (Device d = open(kind)) {
            MonitoredRun.Result r = MonitoredRun.of(d, List.of(PYTHON, "-c", script))
                    .onStdout(lines::add).timeout(Duration.ofSeconds(60)).run();
            MemoryProfile m = r.memory();
            System.out.printf(Locale.ROOT, "[memory %s] pid %d, %d samples, series %s, peak %.1f MB (VmHWM %.1f), %.2f%% of %.0f MB, %s%n",
                    kind, r.pid(), m.series().size(), m.series(), m.peakMb(), m.hwmMb(), m.peakPercent(),
                    m.deviceTotalMb(), r.exec().describeExit());
            assertEquals(0, r.exec().exitCode(), r.exec().stderr());
            assertEquals("{\"ok\": true}\n", r.exec().stdout(), "the PID line is not part of stdout");
            assertEquals(List.of("{\"ok\": true}"), lines);
            assertTrue(r.pid() > 1);
            assertTrue(m.series().size() >= 2, m.series().toString());
            assertTrue(m.peakMb() >= 100, "peak " + m.peakMb());
            assertTrue(m.peakMb() < 400, "peak " + m.peakMb());
            assertTrue(m.maxSampledMb() >= 100, "sampled " + m.maxSampledMb());
            for (int i = 1; i < m.series().size(); i++) {
                assertTrue(m.series().get(i).seconds() > m.series().get(i - 1).seconds(), m.series().toString());
            }
            // the series ends when the program does: it sleeps 3 s; 60 s is the run's own timeout
            assertTrue(m.series().get(m.series().size() - 1).seconds() < 60, m.series().toString());
            assertTrue(m.deviceTotalMb() > 100);
            assertTrue(m.peakPercent() > 0 && m.peakPercent() < 100);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "ssh"})
    void aProgramKilledBySignalIsNamed(String kind) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is not installed");
        try (Device d = open(kind)) {
            MonitoredRun.Result r = MonitoredRun.of(d, List.of(PYTHON, "-c",
                    "import os,signal,time\ntime.sleep(0.3)\nos.kill(os.getpid(), signal.SIGILL)")).run();
            System.out.println("[signal " + kind + "] " + r.exec().describeExit());
            assertEquals(132, r.exec().exitCode());
            assertEquals("ILL", r.exec().signal());
            assertTrue(r.exec().describeExit().startsWith("killed by SIGILL (exit 132): illegal instruction"),
                    r.exec().describeExit());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "ssh"})
    void aRunPastItsTimeoutIsStopped(String kind) throws Exception {
        try (Device d = open(kind)) {
            long t0 = System.nanoTime();
            DeviceException e = assertThrows(DeviceException.class, () -> MonitoredRun.of(d, List.of("sleep", "87.25"))
                    .timeout(Duration.ofSeconds(5)).run());
            double took = (System.nanoTime() - t0) / 1e9;
            assertEquals(DeviceException.Kind.TIMEOUT, e.kind());
            // stopped near its 5 s limit, far before the 87 s the program sleeps (generous for a busy machine)
            assertTrue(took >= 5 && took < 5 + 45, "took " + took);
            // the program is really gone, not just our channel
            assertEquals("", d.run("pgrep -x -f 'sleep 87.25' || true").stdout().strip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "ssh"})
    void workingDirectoryAndEnvironmentReachTheProgram(String kind) throws Exception {
        try (Device d = open(kind); RemoteTempDir dir = d.createTempDir()) {
            MonitoredRun.Result r = MonitoredRun.of(d, List.of("sh", "-c", "pwd; echo \"$EDGEPRUNE_X\""))
                    .workingDirectory(dir.path()).environment("EDGEPRUNE_X", "it's x").run();
            assertEquals(dir.path() + "\nit's x\n", r.exec().stdout());
            MonitoredRun.Result missing = MonitoredRun.of(d, List.of("edgeprune-no-such-program")).run();
            assertEquals(127, missing.exec().exitCode(), missing.exec().toString());
        }
    }
}
