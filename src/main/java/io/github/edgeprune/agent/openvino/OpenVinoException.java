package io.github.edgeprune.agent.openvino;

/**
 * An OpenVINO C API call that returned a non-zero status, or a library that cannot be used. The
 * message names the function, the status and OpenVINO's own error text
 * ({@code ov_get_last_err_msg()}).
 */
public class OpenVinoException extends RuntimeException {

    private final String function;
    private final int status;
    private final String runtimeMessage;

    public OpenVinoException(String function, int status, String runtimeMessage) {
        super(function + " failed with " + OvStatus.name(status) + " (" + status + ": " + OvStatus.meaning(status) + ")"
                + (runtimeMessage == null || runtimeMessage.isBlank() ? "" : ": " + runtimeMessage.strip()));
        this.function = function;
        this.status = status;
        this.runtimeMessage = runtimeMessage;
    }

    public OpenVinoException(String message) {
        super(message);
        this.function = null;
        this.status = 0;
        this.runtimeMessage = null;
    }

    public OpenVinoException(String message, Throwable cause) {
        super(message, cause);
        this.function = null;
        this.status = 0;
        this.runtimeMessage = null;
    }

    /** The C function that failed, or null. */
    public String function() {
        return function;
    }

    /** The {@code ov_status_e} it returned (0 when this is not a call failure). */
    public int status() {
        return status;
    }

    /** OpenVINO's own text for the failure, or null. */
    public String runtimeMessage() {
        return runtimeMessage;
    }
}
