package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Processes whose root folder ({@code /proc/PID/root}) lies inside a userland: everything that
 * runs in the emulated device, including what sshd's sessions started and sshd's privilege
 * separation children (chrooted further down, to /run/sshd).
 */
final class RootProcesses {

    private RootProcesses() {
    }

    /** Process ids whose root is {@code root} or a folder below it. */
    static List<Long> under(Path root) {
        Path base = root.toAbsolutePath().normalize();
        long self = ProcessHandle.current().pid();
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                rootOf(proc).filter(r -> r.startsWith(base)).ifPresent(r -> out.add(pid));
            }
        } catch (IOException e) {
            // no /proc: nothing can be running in a userland either
        }
        return out;
    }

    private static Optional<Path> rootOf(Path proc) {
        try {
            String target = Files.readSymbolicLink(proc.resolve("root")).toString();
            if (target.endsWith(" (deleted)")) {
                target = target.substring(0, target.length() - " (deleted)".length());
            }
            return Optional.of(Path.of(target));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty(); // gone meanwhile, or not ours to read
        }
    }

    /**
     * Stops every process under {@code root}: SIGTERM, up to 3 s grace, then SIGKILL; repeats
     * until none is left (a dying sshd may still fork) or 15 s have passed. Returns the ids that
     * survived (normally none).
     */
    static List<Long> killAll(Path root) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        List<Long> pids = under(root);
        while (!pids.isEmpty() && System.nanoTime() < deadline) {
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
            long grace = System.nanoTime() + 3_000_000_000L;
            while (!(pids = under(root)).isEmpty() && System.nanoTime() < grace) {
                sleep(100);
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            sleep(200);
            pids = under(root);
        }
        return pids;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
