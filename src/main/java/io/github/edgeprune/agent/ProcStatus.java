package io.github.edgeprune.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's own memory figures from /proc/self/status (Linux). */
final class ProcStatus {

    private ProcStatus() {
    }

    /** VmHWM (peak resident set) in MiB, or NaN where /proc is not there. */
    static double vmHwmMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the plugin's own sampling still measures the process
        }
        return Double.NaN;
    }
}
