package io.github.edgeprune.device.verify;

/** verify-on-device could not measure (the agent failed, no backend ran); not a missed budget. */
public class VerifyException extends RuntimeException {
    public VerifyException(String message) {
        super(message);
    }
}
