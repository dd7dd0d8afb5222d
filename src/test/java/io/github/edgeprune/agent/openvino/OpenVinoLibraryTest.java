package io.github.edgeprune.agent.openvino;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where libopenvino_c is looked for, on a fake file system. */
class OpenVinoLibraryTest {

    @TempDir
    Path root;

    private Path touch(String relative) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[] {0x7f, 'E', 'L', 'F'});
    }

    @Test
    void searchOrderIsExplicitThenLdLibraryPathThenIntelThenSystem() throws Exception {
        Files.createDirectories(root.resolve("opt/intel/openvino_2023.3.0/runtime/lib/intel64"));
        Files.createDirectories(root.resolve("opt/intel/openvino_2024.4.0/runtime/lib/intel64"));
        Files.createDirectories(root.resolve("opt/intel/openvino_2024.10.0/runtime/lib/intel64"));
        Files.createDirectories(root.resolve("sdk/runtime/lib/aarch64"));
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/a:/b::", "INTEL_OPENVINO_DIR", root.resolve("sdk").toString());
        List<String> order = OpenVinoLibrary.searchPath(null, env, root, "amd64").stream().map(Path::toString).toList();
        assertEquals(List.of(
                "/a", "/b",
                root.resolve("sdk/runtime/lib/aarch64").toString(),
                root.resolve("opt/intel/openvino_2024.10.0/runtime/lib/intel64").toString(),
                root.resolve("opt/intel/openvino_2024.4.0/runtime/lib/intel64").toString(),
                root.resolve("opt/intel/openvino_2023.3.0/runtime/lib/intel64").toString(),
                root.resolve("usr/local/lib").toString(),
                root.resolve("usr/local/lib/x86_64-linux-gnu").toString(),
                root.resolve("usr/lib/x86_64-linux-gnu").toString(),
                root.resolve("usr/lib").toString()), order);
        // explicit: only that
        assertEquals(List.of(Path.of("/x/libopenvino_c.so")),
                OpenVinoLibrary.searchPath("/x/libopenvino_c.so", env, root, "amd64"));
    }

    @Test
    void firstFolderWithTheLibraryWinsAndVersionedNamesAreFound() throws Exception {
        touch("opt/intel/openvino_2023.3.0/runtime/lib/aarch64/libopenvino_c.so.2330");
        Path newest = touch("opt/intel/openvino_2024.4.0/runtime/lib/aarch64/libopenvino_c.so.2024.4.0");
        touch("opt/intel/openvino_2024.4.0/runtime/lib/aarch64/libopenvino_c.so.2024.3.0");
        touch("usr/lib/aarch64-linux-gnu/libopenvino_c.so.2024.0.0");
        OpenVinoLibrary.Search s = OpenVinoLibrary.search(null, Map.of(), root, "aarch64");
        assertEquals(newest, s.library());
        assertEquals(1, s.searched().size());
        // LD_LIBRARY_PATH goes first
        Path ld = touch("ld/libopenvino_c.so");
        assertEquals(ld, OpenVinoLibrary.search(null, Map.of("LD_LIBRARY_PATH", root.resolve("ld").toString()), root,
                "aarch64").library());
        // a plain .so beats versioned ones in the same folder
        Path plain = touch("opt/intel/openvino_2024.4.0/runtime/lib/aarch64/libopenvino_c.so");
        assertEquals(plain, OpenVinoLibrary.search(null, Map.of(), root, "aarch64").library());
    }

    @Test
    void distributionPackagesAreFoundInTheMultiarchFolder() throws Exception {
        Path deb = touch("usr/lib/arm-linux-gnueabihf/libopenvino_c.so.2024.0.0");
        OpenVinoLibrary.Search s = OpenVinoLibrary.search(null, Map.of(), root, "arm");
        assertEquals(deb, s.library());
        assertEquals("arm-linux-gnueabihf", OpenVinoLibrary.multiarch("arm"));
        assertNull(OpenVinoLibrary.multiarch("riscv64"));
    }

    @Test
    void explicitFolderOrFileIsUsedAndNothingElse() throws Exception {
        touch("usr/lib/libopenvino_c.so");
        Path mine = touch("mine/libopenvino_c.so.2025.1.0");
        assertEquals(mine, OpenVinoLibrary.search(root.resolve("mine").toString(), Map.of(), root, "amd64").library());
        assertEquals(mine, OpenVinoLibrary.search(mine.toString(), Map.of(), root, "amd64").library());
        OpenVinoLibrary.Search none = OpenVinoLibrary.search(root.resolve("nothing").toString(), Map.of(), root, "amd64");
        assertNull(none.library());
        assertEquals(List.of(root.resolve("nothing").toString()), none.searched());
    }

    @Test
    void versionComparisonIsNumeric() {
        assertTrue(OpenVinoLibrary.compareVersions("libopenvino_c.so.2024.10.0", "libopenvino_c.so.2024.9.1") > 0);
        assertTrue(OpenVinoLibrary.compareVersions("openvino_2023.3", "openvino_2024.0") < 0);
        assertTrue(OpenVinoLibrary.compareVersions("libopenvino_c.so.2440", "libopenvino_c.so.2330") > 0);
    }

    @Test
    void probeSaysWhyItIsNotAvailable() {
        OpenVinoLibrary.Availability a = OpenVinoLibrary.probe(root.resolve("no-such-dir").toString());
        assertFalse(a.available());
        assertTrue(a.reason().contains("prune.openvinoLib=" + root.resolve("no-such-dir")), a.reason());
        assertEquals(List.of(root.resolve("no-such-dir").toString()), a.searched());
    }

    @Test
    void aFileThatIsNotALibraryIsReportedAsUnusable() throws Exception {
        Path fake = touch("fake/libopenvino_c.so");
        OpenVinoLibrary.Availability a = OpenVinoLibrary.probe(fake.toString());
        assertFalse(a.available());
        assertEquals(fake, a.library());
        assertTrue(a.reason().startsWith("found " + fake + " but could not use it"), a.reason());
    }

    @Test
    void loadFailsWithTheReasonProbeGives() throws Exception {
        String missing = root.resolve("no-such-dir").toString();
        OpenVinoException notFound = assertThrows(OpenVinoException.class, () -> OpenVinoLibrary.load(missing));
        assertEquals(OpenVinoLibrary.probe(missing).reason(), notFound.getMessage());
        Path fake = touch("fake/libopenvino_c.so");
        OpenVinoException unusable = assertThrows(OpenVinoException.class, () -> OpenVinoLibrary.load(fake.toString()));
        assertEquals(OpenVinoLibrary.probe(fake.toString()).reason(), unusable.getMessage());
    }
}
