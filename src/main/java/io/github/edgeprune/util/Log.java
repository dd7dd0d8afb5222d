package io.github.edgeprune.util;

/**
 * Where the library reports what it does. Mojos adapt Maven's log to it; library users and
 * tests get {@link #console()}.
 */
public interface Log {

    void info(String message);

    void warn(String message);

    default void debug(String message) {
    }

    static Log console() {
        return new Log() {
            @Override
            public void info(String message) {
                System.out.println(message);
            }

            @Override
            public void warn(String message) {
                System.out.println("WARNING: " + message);
            }
        };
    }

    static Log silent() {
        return new Log() {
            @Override
            public void info(String message) {
            }

            @Override
            public void warn(String message) {
            }
        };
    }
}
