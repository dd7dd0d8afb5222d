package io.github.edgeprune.device.emulated;

/**
 * The emulated device could not be built, started or reached. The message says what is missing
 * or went wrong and how to fix it; it is meant to be shown to the user as it is.
 */
public class EmulatedDeviceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EmulatedDeviceException(String message) {
        super(message);
    }

    public EmulatedDeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
