package io.github.edgeprune.util;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * SnakeYAML's error in one line a user can act on: where (line and column, 1-based, as an editor
 * counts) and what, without the parser's multi-line excerpt with its caret.
 */
public final class YamlProblem {

    private YamlProblem() {
    }

    public static String describe(YAMLException e) {
        if (e instanceof MarkedYAMLException m) {
            Mark at = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
            String problem = m.getProblem() != null ? m.getProblem() : m.getContext();
            String where = at == null ? "" : "line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ": ";
            String context = m.getContext() != null && m.getProblem() != null ? " (" + m.getContext() + ")" : "";
            return where + (problem == null ? "not valid yaml" : problem) + context;
        }
        return e.getMessage() == null ? "not valid yaml" : e.getMessage().replace('\n', ' ');
    }
}
