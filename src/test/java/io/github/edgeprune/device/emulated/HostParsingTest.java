package io.github.edgeprune.device.emulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostParsingTest {

    @Test
    void mirrorFromDeb822SourcesSkippingThirdPartyRepositories(@TempDir Path etcApt) throws Exception {
        Files.createDirectories(etcApt.resolve("sources.list.d"));
        Files.writeString(etcApt.resolve("sources.list"), "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n");
        Files.writeString(etcApt.resolve("sources.list.d/debian.sources"), """
                Types: deb
                # http://snapshot.debian.org/archive/debian/20250520T000000Z
                URIs: http://deb.debian.org/debian
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://deb.debian.org/debian-security
                Suites: bookworm-security
                Components: main
                """);
        Files.writeString(etcApt.resolve("sources.list.d/nodesource.sources"), """
                Types: deb
                URIs: https://deb.nodesource.com/node_20.x
                Suites: nodistro
                Components: main
                """);
        DebianMirror m = DebianMirror.configured(etcApt);
        assertEquals(URI.create("http://deb.debian.org/debian"), m.archive());
        assertEquals(Optional.of(URI.create("http://deb.debian.org/debian-security")), m.security());
    }

    @Test
    void mirrorFromOneLineSourcesWithOptions(@TempDir Path etcApt) throws Exception {
        Files.writeString(etcApt.resolve("sources.list"), """
                # local mirror
                deb [arch=amd64 signed-by=/usr/share/keyrings/debian.gpg] http://mirror.example.org/debian/ bookworm main contrib
                deb http://security.debian.org/debian-security bookworm-security main
                """);
        DebianMirror m = DebianMirror.configured(etcApt);
        assertEquals(URI.create("http://mirror.example.org/debian"), m.archive());
        assertEquals(Optional.of(URI.create("http://security.debian.org/debian-security")), m.security());
    }

    @Test
    void noDebianSourceFallsBackToDebDebianOrg(@TempDir Path etcApt) throws Exception {
        Files.writeString(etcApt.resolve("sources.list"), "deb http://archive.ubuntu.com/ubuntu jammy main\n");
        assertEquals(DebianMirror.DEFAULT, DebianMirror.configured(etcApt).archive());
    }

    @Test
    void mountPointsUnderAFolderFromMountinfo() {
        List<String> mountinfo = List.of(
                "22 27 0:21 / /proc rw,relatime - proc proc rw",
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "50 27 0:21 / /work/runs/pi4-run-1/root/proc rw - proc proc rw",
                "51 27 0:6 / /work/runs/pi4-run-1/root/dev rw master:3 - devtmpfs devtmpfs rw",
                "52 51 0:24 / /work/runs/pi4-run-1/root/dev/pts rw - devpts devpts rw",
                "53 27 0:21 / /work/runs/pi4-run-10/root/proc rw - proc proc rw",
                "54 27 0:21 / /work/with\\040space/proc rw - proc proc rw");
        assertEquals(List.of(Path.of("/work/runs/pi4-run-1/root/proc"), Path.of("/work/runs/pi4-run-1/root/dev"),
                Path.of("/work/runs/pi4-run-1/root/dev/pts")), Mounts.under(Path.of("/work/runs/pi4-run-1"), mountinfo));
        assertEquals(List.of(Path.of("/work/with space/proc")), Mounts.under(Path.of("/work/with space"), mountinfo));
    }

    @Test
    void commandsAreFoundOnlyOnTheGivenPath(@TempDir Path bin) throws Exception {
        Path tool = bin.resolve("debootstrap");
        Files.writeString(tool, "#!/bin/sh\n");
        tool.toFile().setExecutable(true);
        assertEquals(Optional.of(tool), HostSystem.local(bin.toString()).findCommand("debootstrap"));
        assertTrue(HostSystem.local(bin.toString()).findCommand("qemu-aarch64-static").isEmpty());
    }
}
