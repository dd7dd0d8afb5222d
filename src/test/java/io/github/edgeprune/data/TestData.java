package io.github.edgeprune.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared test data (system property edgeprune.data); tests skip when it is absent. */
public final class TestData {

    private TestData() {
    }

    public static Path root() {
        String p = System.getProperty("edgeprune.data");
        assumeTrue(p != null && Files.isDirectory(Path.of(p)),
                "shared test data not found (system property edgeprune.data = " + p + "); skipping");
        return Path.of(p);
    }

    public static Path coco128Yaml() {
        Path y = root().resolve("coco128/coco128.yaml");
        assumeTrue(Files.exists(y), "coco128 not found at " + y + "; skipping");
        return y;
    }

    public static Path reference() {
        Path r = root().resolve("reference/yolov5n-320");
        assumeTrue(Files.isDirectory(r), "reference tensors not found at " + r + "; skipping");
        return r;
    }

    /** Reads a little-endian float32 file. */
    public static float[] floats(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
