package io.github.edgeprune.checkpoint;

/**
 * A pickle names a global (a class or function) that is not on the allow-list. Raised by the
 * GLOBAL / STACK_GLOBAL opcode itself, before any of its arguments are used.
 */
public final class RefusedGlobalException extends PickleException {
    private final String module;
    private final String name;

    public RefusedGlobalException(String message, String module, String name) {
        super(message);
        this.module = module;
        this.name = name;
    }

    public String module() {
        return module;
    }

    public String name() {
        return name;
    }

    /** {@code module.name} as Python would spell it. */
    public String qualifiedName() {
        return module + "." + name;
    }
}
