package io.github.edgeprune.openvino;

/** A graph that cannot be written as OpenVINO IR; the message names the node or parameter. */
public class IrExportException extends RuntimeException {
    public IrExportException(String message) {
        super(message);
    }

    public IrExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
