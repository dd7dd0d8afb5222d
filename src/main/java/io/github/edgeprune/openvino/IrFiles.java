package io.github.edgeprune.openvino;

import java.nio.file.Path;

/**
 * The files export-openvino writes beside an IR's {@code <name>.xml}: the weights
 * {@code <name>.bin} and the ONNX twin {@code <name>.onnx}. A name without {@code .xml} gets the
 * extension appended.
 */
public final class IrFiles {

    private IrFiles() {
    }

    /** {@code <name>.bin} beside {@code <name>.xml}. */
    public static Path bin(Path xml) {
        return sibling(xml, ".bin");
    }

    /** {@code <name>.onnx} beside {@code <name>.xml}. */
    public static Path onnx(Path xml) {
        return sibling(xml, ".onnx");
    }

    private static Path sibling(Path xml, String extension) {
        String file = xml.getFileName().toString();
        String base = file.endsWith(".xml") ? file.substring(0, file.length() - 4) : file;
        return xml.resolveSibling(base + extension);
    }
}
