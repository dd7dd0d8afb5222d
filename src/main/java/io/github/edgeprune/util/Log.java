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
        return console(false);
    }

    /** Standard output; with {@code debug}, debug lines too (e.g. the trainer's per-phase times). */
    static Log console(boolean debug) {
        return new Log() {
            @Override
            public void info(String message) {
                System.out.println(message);
            }

            @Override
            public void warn(String message) {
                System.out.println("WARNING: " + message);
            }

            @Override
            public void debug(String message) {
                if (debug) {
                    System.out.println(message);
                }
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

    /** Every line of {@code log} with {@code prefix} in front, e.g. "[ssh://pi@pi4] " when several devices log at once. */
    static Log prefixed(Log log, String prefix) {
        return new Log() {
            @Override
            public void info(String message) {
                log.info(prefix + message);
            }

            @Override
            public void warn(String message) {
                log.warn(prefix + message);
            }

            @Override
            public void debug(String message) {
                log.debug(prefix + message);
            }
        };
    }
}
