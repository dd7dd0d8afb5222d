package io.github.edgeprune.device;

import java.util.Map;

/**
 * Names of the Linux signals a measured program may die of (numbers as on x86-64 and ARM), with
 * what each usually means for a model runtime on an edge device.
 */
public final class Signals {

    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
        "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"
    };

    private static final Map<String, String> MEANING = Map.of(
            "ILL", "illegal instruction: a native library was built for a newer CPU than this device has"
                    + " (e.g. ARMv8.1 atomics on a Raspberry Pi 4's ARMv8.0 Cortex-A72)",
            "KILL", "killed outright, most often by the kernel's out-of-memory killer (see `dmesg` on the device)",
            "SEGV", "segmentation fault in native code",
            "BUS", "bus error in native code (misaligned access or a truncated memory-mapped file)",
            "ABRT", "aborted, usually by a failed assertion or an uncaught C++ exception in native code",
            "TERM", "terminated (by a timeout, or someone stopped it)",
            "HUP", "hang-up: the SSH session went away",
            "FPE", "arithmetic error in native code",
            "PIPE", "wrote to a pipe nobody reads any more",
            "INT", "interrupted");

    private Signals() {
    }

    /** "ILL" for 4; "SIG35" for numbers without a name (real-time signals). */
    public static String name(int number) {
        if (number > 0 && number < NAMES.length) {
            return NAMES[number];
        }
        return "SIG" + number;
    }

    /** The number for a name with or without the SIG prefix, or -1. */
    public static int number(String name) {
        String n = name.startsWith("SIG") ? name.substring(3) : name;
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equalsIgnoreCase(n)) {
                return i;
            }
        }
        return -1;
    }

    /** A short explanation, or "" when we have none. */
    public static String meaning(String name) {
        String n = name.startsWith("SIG") ? name.substring(3) : name;
        return MEANING.getOrDefault(n.toUpperCase(java.util.Locale.ROOT), "");
    }
}
