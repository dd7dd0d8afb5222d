package io.github.edgeprune.agent.openvino;

/** The {@code ov_status_e} codes of the OpenVINO C API (0 is OK, failures are negative). */
public final class OvStatus {

    public static final int OK = 0;

    private static final String[] NAMES = {
        "OK", "GENERAL_ERROR", "NOT_IMPLEMENTED", "NETWORK_NOT_LOADED", "PARAMETER_MISMATCH", "NOT_FOUND",
        "OUT_OF_BOUNDS", "UNEXPECTED", "REQUEST_BUSY", "RESULT_NOT_READY", "NOT_ALLOCATED", "INFER_NOT_STARTED",
        "NETWORK_NOT_READ", "INFER_CANCELLED", "INVALID_C_PARAM", "UNKNOWN_C_ERROR", "NOT_IMPLEMENT_C_METHOD",
        "UNKNOW_EXCEPTION"
    };

    private static final String[] MEANINGS = {
        "success",
        "the runtime threw an exception (see the message)",
        "not implemented by this plugin or version",
        "the model is not loaded",
        "a parameter does not match what the model expects (shape or element type?)",
        "not found (file, device, input or output)",
        "an index is out of bounds",
        "an unexpected non-standard exception",
        "the infer request is busy",
        "the result is not ready yet",
        "memory could not be allocated",
        "inference was not started",
        "the model could not be read",
        "inference was cancelled",
        "invalid parameter passed to the C API (null pointer, unknown enum value)",
        "unknown error in the C wrapper",
        "the C API does not implement this method",
        "an unknown exception"
    };

    private OvStatus() {
    }

    /** "GENERAL_ERROR" for -1, "STATUS_-42" for codes this version does not know. */
    public static String name(int status) {
        int i = -status;
        return i >= 0 && i < NAMES.length ? NAMES[i] : "STATUS_" + status;
    }

    /** A few words on what the code means. */
    public static String meaning(int status) {
        int i = -status;
        return i >= 0 && i < MEANINGS.length ? MEANINGS[i] : "unknown status code";
    }
}
