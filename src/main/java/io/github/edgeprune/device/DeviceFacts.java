package io.github.edgeprune.device;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a device is, for reports: gathered by one shell command that only reads
 * {@code /proc}, {@code /etc/os-release} and {@code uname}.
 *
 * @param name        {@code local} or {@code ssh://user@host:port}
 * @param hostname    {@code uname -n}
 * @param arch        {@code uname -m}
 * @param kernel      {@code uname -r}
 * @param os          PRETTY_NAME from /etc/os-release
 * @param model       /proc/device-tree/model (e.g. "Raspberry Pi 4 Model B Rev 1.4"), else ""
 * @param cpu         model name from lscpu or /proc/cpuinfo
 * @param cores       online CPUs
 * @param memTotalKb  MemTotal from /proc/meminfo, in kB (KiB)
 * @param java        first line of {@code java -version}, or "" when java is not on PATH
 */
public record DeviceFacts(String name, String hostname, String arch, String kernel, String os, String model,
                          String cpu, int cores, long memTotalKb, String java) {

    /** Total RAM in MB (MiB, 1024 x 1024 bytes), as memory is reported everywhere here. */
    public double memTotalMb() {
        return memTotalKb / 1024.0;
    }

    /** The facts as an ordered map (for JSON and HTML). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("hostname", hostname);
        m.put("model", model);
        m.put("arch", arch);
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("memTotalMb", Math.round(memTotalMb() * 10) / 10.0);
        m.put("os", os);
        m.put("kernel", kernel);
        m.put("java", java);
        return m;
    }

    /** The command that prints key=value lines for {@link #parse}. */
    static String command() {
        return String.join("\n",
                "echo \"hostname=$(uname -n)\"",
                "echo \"arch=$(uname -m)\"",
                "echo \"kernel=$(uname -r)\"",
                "( . /etc/os-release 2>/dev/null && echo \"os=$PRETTY_NAME\" )",
                "echo \"model=$(tr -d '\\000' < /proc/device-tree/model 2>/dev/null)\"",
                "cpu=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)",
                "[ -n \"$cpu\" ] || cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)",
                "echo \"cpu=$cpu\"",
                "echo \"cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo)\"",
                "echo \"memkb=$(sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo)\"",
                "if command -v java >/dev/null 2>&1; then echo \"java=$(java -version 2>&1 | head -n 1)\"; fi",
                "true");
    }

    static DeviceFacts parse(String name, String output) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return new DeviceFacts(name, kv.getOrDefault("hostname", ""), kv.getOrDefault("arch", ""),
                kv.getOrDefault("kernel", ""), kv.getOrDefault("os", ""), kv.getOrDefault("model", ""),
                kv.getOrDefault("cpu", ""), parseInt(kv.get("cores")), parseLong(kv.get("memkb")),
                kv.getOrDefault("java", ""));
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
