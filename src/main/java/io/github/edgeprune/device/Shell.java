package io.github.edgeprune.device;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for POSIX {@code sh} (dash, busybox ash, bash), which every command here runs under. */
public final class Shell {

    private Shell() {
    }

    /** One word, safe for any content: wrapped in single quotes, embedded quotes escaped. */
    public static String quote(String word) {
        if (!word.isEmpty() && word.chars().allMatch(Shell::isPlain)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** A command line from arguments, each quoted. */
    public static String join(List<String> argv) {
        return argv.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }

    private static boolean isPlain(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '/' || c == '.' || c == '_' || c == '-' || c == ',' || c == ':' || c == '=' || c == '+'
                || c == '@' || c == '%';
    }
}
