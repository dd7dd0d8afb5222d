package io.github.edgeprune.device.emulated;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The arm64 CPU features a process was started with, read from its ELF auxiliary vector
 * ({@code AT_HWCAP}). On a real Pi 4 the kernel fills it in; under qemu-user, qemu fills it in
 * from the emulated CPU model and serves it for {@code /proc/self/auxv}, so it tells which CPU a
 * process really runs as (qemu-user's {@code /proc/cpuinfo} shows the host's CPU instead). The
 * end-to-end test checks with it that the emulated CPU lacks ARMv8.1 atomics.
 */
public final class Hwcaps {

    /** AT_HWCAP bit names as the arm64 Linux kernel prints them in /proc/cpuinfo, bit 0 first. */
    static final List<String> AT_HWCAP_NAMES = List.of(
            "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32",
            "atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc",
            "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512", "sve", "asimdfhm",
            "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg");

    static final long AT_NULL = 0;
    static final long AT_HWCAP = 16;

    /** The shell command whose output {@link #parseOdAuxv} reads (coreutils {@code od}, 64-bit words). */
    public static final String READ_AUXV = "od -An -v -tx8 /proc/self/auxv";

    private Hwcaps() {
    }

    /** AT_HWCAP of the auxv words that {@link #READ_AUXV} printed. */
    public static long parseOdAuxv(String odOutput) {
        List<Long> words = new ArrayList<>();
        for (String token : odOutput.trim().split("\\s+")) {
            if (!token.isEmpty()) {
                words.add(Long.parseUnsignedLong(token, 16));
            }
        }
        for (int i = 0; i + 1 < words.size(); i += 2) {
            long type = words.get(i);
            if (type == AT_NULL) {
                break;
            }
            if (type == AT_HWCAP) {
                return words.get(i + 1);
            }
        }
        throw new IllegalArgumentException("no AT_HWCAP in auxv: " + odOutput.strip());
    }

    /** Feature names of an AT_HWCAP value, in bit order. */
    public static Set<String> names(long hwcap) {
        Set<String> out = new LinkedHashSet<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((hwcap & (1L << bit)) != 0) {
                out.add(bit < AT_HWCAP_NAMES.size() ? AT_HWCAP_NAMES.get(bit) : "bit" + bit);
            }
        }
        return out;
    }
}
