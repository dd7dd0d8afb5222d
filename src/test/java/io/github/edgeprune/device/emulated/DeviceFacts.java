package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the emulated device says about itself, read over SSH in one round trip: the end-to-end
 * test's view, with the CPU features (hwcaps) a session really runs with. The plugin's reports
 * use {@link io.github.edgeprune.device.DeviceFacts}.
 *
 * @param description  e.g. "emulated Raspberry Pi 4 (qemu-user, cortex-a72)" or "aarch64 device"
 * @param emulated     true when the numbers come from an emulator (speed and memory are not the Pi's)
 * @param machine      {@code uname -m}, {@code aarch64} on a Pi 4 with a 64-bit OS
 * @param kernel       {@code uname -r} (under qemu-user: the host's kernel)
 * @param osRelease    PRETTY_NAME from /etc/os-release
 * @param memTotalKb   MemTotal from /proc/meminfo (under qemu-user: the host's memory)
 * @param cpus         {@code nproc}
 * @param hwcaps       CPU features of a process started in a session (from its auxv), e.g. no
 *                     {@code atomics} on the Pi 4's Cortex-A72 (ARMv8.0)
 * @param qemuCpu      the QEMU_CPU a session sees ("" on a real device)
 * @param javaVersion  first line of {@code java -version} ("" when there is no java)
 * @param cpuinfo      /proc/cpuinfo as the device shows it (under qemu-user 7: the host's)
 */
public record DeviceFacts(String description, boolean emulated, String machine, String kernel, String osRelease,
                          long memTotalKb, int cpus, Set<String> hwcaps, String qemuCpu, String javaVersion,
                          String cpuinfo) {

    /** The script that prints every fact after a marker line; one SSH session is seconds under qemu. */
    static final String SCRIPT = String.join("; ",
            "echo @@machine", "uname -m",
            "echo @@kernel", "uname -r",
            "echo @@os", "cat /etc/os-release 2>/dev/null",
            "echo @@mem", "grep MemTotal /proc/meminfo 2>/dev/null",
            "echo @@nproc", "nproc 2>/dev/null",
            "echo @@auxv", Hwcaps.READ_AUXV + " 2>/dev/null",
            "echo @@qemu", "printf '%s\\n' \"$QEMU_CPU\"",
            "echo @@java", "java -version 2>&1 | head -n 1",
            "echo @@cpuinfo", "cat /proc/cpuinfo 2>/dev/null",
            "echo @@end");

    public DeviceFacts {
        hwcaps = Set.copyOf(hwcaps);
    }

    /** True when processes on the device run without ARMv8.1 atomics (LSE), as on a Pi 4. */
    public boolean armv80() {
        return machine.equals("aarch64") && hwcaps.contains("asimd") && !hwcaps.contains("atomics");
    }

    /** Memory as the device reports it, in MiB. */
    public long memTotalMb() {
        return memTotalKb / 1024;
    }

    /** One line for reports. */
    public String summary() {
        return description + ": " + machine + ", " + osRelease + ", " + cpus + " CPU(s) ["
                + String.join(" ", new java.util.TreeSet<>(hwcaps)) + "], " + memTotalMb() + " MiB"
                + (emulated ? " (host memory, not the Pi's)" : "")
                + (javaVersion.isEmpty() ? "" : ", " + javaVersion);
    }

    /** Reads the facts through any {@link RemoteShell}. */
    public static DeviceFacts read(RemoteShell shell, String description, boolean emulated) throws IOException {
        RemoteShell.Result r = shell.run(SCRIPT);
        if (!r.stdout().contains("@@end")) {
            throw new IOException("could not read device facts (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return parse(r.stdout(), description, emulated);
    }

    static DeviceFacts parse(String output, String description, boolean emulated) {
        Map<String, StringBuilder> sections = new LinkedHashMap<>();
        StringBuilder current = null;
        for (String line : output.split("\n", -1)) {
            if (line.startsWith("@@")) {
                current = new StringBuilder();
                sections.put(line.substring(2).trim(), current);
            } else if (current != null) {
                current.append(line).append('\n');
            }
        }
        String auxv = section(sections, "auxv");
        Set<String> hwcaps;
        try {
            hwcaps = auxv.isEmpty() ? Set.of() : Hwcaps.names(Hwcaps.parseOdAuxv(auxv));
        } catch (IllegalArgumentException e) {
            hwcaps = Set.of();
        }
        Matcher mem = Pattern.compile("MemTotal:\\s*(\\d+)").matcher(section(sections, "mem"));
        Matcher pretty = Pattern.compile("(?m)^PRETTY_NAME=\"?([^\"\\n]*)\"?").matcher(section(sections, "os"));
        int cpus;
        try {
            cpus = Integer.parseInt(section(sections, "nproc"));
        } catch (NumberFormatException e) {
            cpus = 0;
        }
        return new DeviceFacts(description, emulated,
                section(sections, "machine"),
                section(sections, "kernel"),
                pretty.find() ? pretty.group(1) : "",
                mem.find() ? Long.parseLong(mem.group(1)) : 0,
                cpus, hwcaps,
                section(sections, "qemu"),
                section(sections, "java"),
                section(sections, "cpuinfo"));
    }

    private static String section(Map<String, StringBuilder> sections, String name) {
        StringBuilder b = sections.get(name);
        return b == null ? "" : b.toString().strip();
    }
}
