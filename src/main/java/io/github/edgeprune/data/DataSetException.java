package io.github.edgeprune.data;

import java.util.List;

/**
 * A data set that cannot be used. The message names the data yaml and lists every problem found,
 * one a line, as {@code file:line: reason} (or {@code file: reason} for a whole file).
 */
public class DataSetException extends RuntimeException {

    private final List<String> problems;

    public DataSetException(String message) {
        this(message, List.of(), null);
    }

    public DataSetException(String message, Throwable cause) {
        this(message, List.of(), cause);
    }

    public DataSetException(String message, List<String> problems) {
        this(message, problems, null);
    }

    private DataSetException(String message, List<String> problems, Throwable cause) {
        super(message, cause);
        this.problems = List.copyOf(problems);
    }

    /** The problems one by one ({@code file:line: reason}); empty when the message says it all. */
    public List<String> problems() {
        return problems;
    }
}
