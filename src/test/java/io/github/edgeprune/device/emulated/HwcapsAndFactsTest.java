package io.github.edgeprune.device.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class HwcapsAndFactsTest {

    /** {@code od -An -v -tx8 /proc/self/auxv} of an arm64 process under qemu-aarch64 7.2 with QEMU_CPU=cortex-a72. */
    static final String AUXV_CORTEX_A72 = """
             0000000000000003 0000005500000040
             0000000000000004 0000000000000038
             0000000000000005 0000000000000009
             0000000000000006 0000000000001000
             0000000000000007 0000005502832000
             0000000000000008 0000000000000000
             0000000000000009 0000005500003000
             000000000000000b 0000000000000000
             000000000000000c 0000000000000000
             000000000000000d 0000000000000000
             000000000000000e 0000000000000000
             0000000000000010 00000000000008fb
             0000000000000011 0000000000000064
             0000000000000019 0000005502831f80
             0000000000000017 0000000000000000
             000000000000001f 0000005502831fec
             000000000000001a 0000000000000000
             000000000000000f 0000005502831f94
             0000000000000000 0000000000000000
            """;

    @Test
    void cortexA72HasNoLseAtomics() {
        long hwcap = Hwcaps.parseOdAuxv(AUXV_CORTEX_A72);
        assertEquals(0x8fbL, hwcap);
        assertEquals(Set.of("fp", "asimd", "aes", "pmull", "sha1", "sha2", "crc32", "cpuid"), Hwcaps.names(hwcap));
    }

    @Test
    void qemusDefaultCpuHasThem() {
        // qemu's default for aarch64 ("max") as seen without QEMU_CPU: ARMv8.1+ atomics and much more
        Set<String> names = Hwcaps.names(0xecfffffbL);
        assertTrue(names.contains("atomics"));
        assertTrue(names.contains("sve"));
    }

    @Test
    void auxvWithoutHwcapIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Hwcaps.parseOdAuxv("0000000000000006 0000000000001000\n0 0"));
    }

    @Test
    void factsAreParsedFromOneSession() {
        String out = "@@machine\naarch64\n@@kernel\n6.1.0-28-amd64\n@@os\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
                + "@@mem\nMemTotal:       24668984 kB\n@@nproc\n2\n@@auxv\n" + AUXV_CORTEX_A72
                + "@@qemu\ncortex-a72\n@@java\nopenjdk version \"17.0.19\" 2026-04-21\n@@cpuinfo\nprocessor\t: 0\n@@end\n";
        DeviceFacts f = DeviceFacts.parse(out, EmulatedPi4.DESCRIPTION, true);
        assertEquals("aarch64", f.machine());
        assertEquals("Debian GNU/Linux 12 (bookworm)", f.osRelease());
        assertEquals(24668984L, f.memTotalKb());
        assertEquals(2, f.cpus());
        assertEquals("cortex-a72", f.qemuCpu());
        assertTrue(f.javaVersion().startsWith("openjdk version \"17"));
        assertTrue(f.armv80());
        assertTrue(f.emulated());
        assertTrue(f.summary().startsWith("emulated Raspberry Pi 4 (qemu-user, cortex-a72): aarch64"), f.summary());
    }

    @Test
    void missingPiecesGiveEmptyFactsNotErrors() {
        DeviceFacts f = DeviceFacts.parse("@@machine\naarch64\n@@end\n", "aarch64 device", false);
        assertEquals("", f.javaVersion());
        assertEquals(0, f.memTotalKb());
        assertFalse(f.armv80(), "unknown features: do not claim ARMv8.0");
    }
}
