package io.github.edgeprune.checkpoint;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared, read-only test data folder (system property {@code edgeprune.data}). */
final class TestData {

    private TestData() {
    }

    static Path dir() {
        String prop = System.getProperty("edgeprune.data");
        Path dir = Path.of(prop != null ? prop : "../shared/data");
        assumeTrue(Files.isDirectory(dir), "test data folder " + dir.toAbsolutePath()
                + " is absent (set -Dedgeprune.data); skipping tests on real checkpoints");
        return dir;
    }

    /** A file of the data folder, which must exist once the folder does. */
    static Path file(String relative) {
        Path f = dir().resolve(relative);
        if (!Files.isRegularFile(f)) {
            throw new AssertionError("test data file " + f.toAbsolutePath() + " is missing");
        }
        return f;
    }
}
