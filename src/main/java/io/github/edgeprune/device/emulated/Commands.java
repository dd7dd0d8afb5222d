package io.github.edgeprune.device.emulated;

import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the host commands the emulated device is built from (debootstrap, chroot, tar, mount …):
 * output goes to a log file, a heartbeat line reaches the user every half minute, a failure
 * throws with the end of that log, and an interrupted build stops the whole process tree.
 */
final class Commands {

    static final Duration HEARTBEAT = Duration.ofSeconds(30);

    private final Log log;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    Commands(Log log) {
        this.log = log;
    }

    /** Runs a command to completion; throws {@link EmulatedDeviceException} on a non-zero exit. */
    void run(String phase, List<String> command, Map<String, String> environment, Path logFile, Duration timeout) {
        int rc = exec(phase, command, environment, logFile, timeout);
        if (rc != 0) {
            throw new EmulatedDeviceException(phase + " failed (exit " + rc + "): " + String.join(" ", command)
                    + "\n--- last lines of " + logFile + " ---\n" + tail(logFile, 25));
        }
    }

    /** Runs a command to completion and returns its exit status. */
    int exec(String phase, List<String> command, Map<String, String> environment, Path logFile, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (environment != null) {
            pb.environment().clear();
            pb.environment().putAll(environment);
        }
        Process p;
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(logFile, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            p = pb.start();
        } catch (IOException e) {
            throw new EmulatedDeviceException(phase + ": could not start " + command.get(0) + ": " + e.getMessage(), e);
        }
        running.add(p);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            while (!p.waitFor(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if (now > deadline) {
                    destroyTree(p);
                    throw new EmulatedDeviceException(phase + " took longer than " + Durations.format(timeout)
                            + " and was stopped: " + String.join(" ", command)
                            + "\n--- last lines of " + logFile + " ---\n" + tail(logFile, 25));
                }
                log.info("  … " + phase + " still running (" + Durations.since(start) + "): " + lastLine(logFile));
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            destroyTree(p);
            Thread.currentThread().interrupt();
            throw new EmulatedDeviceException(phase + " was interrupted");
        } finally {
            running.remove(p);
        }
    }

    /** Runs a short command and returns its output (stdout and stderr together), whatever its exit status. */
    static Result capture(List<String> command, Map<String, String> environment, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (environment != null) {
            pb.environment().clear();
            pb.environment().putAll(environment);
        }
        try {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            // drain on a separate thread so a chatty process cannot block on a full pipe
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "edgeprune-capture");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(p);
                reader.join(1000);
                return new Result(-1, out + "\n(timed out after " + Durations.format(timeout) + ")");
            }
            reader.join(5000);
            return new Result(p.exitValue(), out.toString());
        } catch (IOException e) {
            return new Result(-1, command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, command.get(0) + ": interrupted");
        }
    }

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Stops every command still running (shutdown hook, close). */
    void stopAll() {
        for (Process p : new ArrayList<>(running)) {
            destroyTree(p);
        }
    }

    static void destroyTree(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        try {
            p.waitFor(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String lastLine(Path file) {
        String t = tail(file, 1).trim();
        return t.length() > 120 ? t.substring(0, 117) + "..." : t;
    }
}
