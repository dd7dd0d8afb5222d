package io.github.edgeprune.agent;

/** A backend that cannot run here, and why (shown in the report's backend selection). */
public class BackendUnavailableException extends RuntimeException {

    private final String backend;

    public BackendUnavailableException(String backend, String reason) {
        super(reason);
        this.backend = backend;
    }

    public String backend() {
        return backend;
    }
}
