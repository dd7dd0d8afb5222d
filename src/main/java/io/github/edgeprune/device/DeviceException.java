package io.github.edgeprune.device;

/**
 * Something went wrong talking to the device. The message is one paragraph for a person: what
 * happened and what to do about it. {@link #kind()} lets callers (and tests) tell cases apart
 * without parsing the text.
 */
public class DeviceException extends RuntimeException {

    /** What kind of failure this is. */
    public enum Kind {
        /** The host or port could not be reached, or did not speak SSH in time. */
        UNREACHABLE,
        /** The device refused every credential we offered, or we had none to offer. */
        AUTH_REFUSED,
        /** The host key is not in known_hosts and the policy is strict. */
        HOST_KEY_UNKNOWN,
        /** The host key differs from the one recorded in known_hosts (or is revoked). */
        HOST_KEY_CHANGED,
        /** A program we need (e.g. java) is not installed on the device. */
        MISSING_PROGRAM,
        /** A command did not finish within its timeout. */
        TIMEOUT,
        /** A command ran but failed (non-zero exit, signal). */
        COMMAND_FAILED,
        /** A file could not be sent, or arrived different from what was sent. */
        TRANSFER_FAILED,
        /** The settings themselves are wrong (bad URI, missing key file, ...). */
        CONFIGURATION,
        /** The connection broke while in use. */
        CONNECTION_LOST
    }

    private final Kind kind;

    public DeviceException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public DeviceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
