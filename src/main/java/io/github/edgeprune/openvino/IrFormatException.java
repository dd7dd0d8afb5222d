package io.github.edgeprune.openvino;

/** An IR that cannot be read: malformed, or using something the reader does not support. The message names the file and layer. */
public class IrFormatException extends RuntimeException {
    public IrFormatException(String message) {
        super(message);
    }

    public IrFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
