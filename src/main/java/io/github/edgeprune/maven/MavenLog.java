package io.github.edgeprune.maven;

import io.github.edgeprune.util.Log;

/** The library's {@link Log} on top of Maven's. */
final class MavenLog implements Log {

    private final org.apache.maven.plugin.logging.Log log;

    MavenLog(org.apache.maven.plugin.logging.Log log) {
        this.log = log;
    }

    @Override
    public void info(String message) {
        for (String line : message.split("\n", -1)) {
            log.info(line);
        }
    }

    @Override
    public void warn(String message) {
        for (String line : message.split("\n", -1)) {
            log.warn(line);
        }
    }

    @Override
    public void debug(String message) {
        log.debug(message);
    }
}
