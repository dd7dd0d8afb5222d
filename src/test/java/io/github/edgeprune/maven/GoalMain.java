package io.github.edgeprune.maven;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A goal in a JVM of its own, as {@code mvn prune:<goal>} runs it, so a test can interrupt it
 * with a real SIGINT: {@code GoalMain <goal> <projectDir> prune.x=v ...}. Log lines go to stdout
 * as they happen; the exit status is 0 when the goal passed, 1 when it failed.
 */
public final class GoalMain {

    private GoalMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("goalHarness.echo", "true");
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        GoalHarness.Outcome o = GoalHarness.run(args[0], Path.of(args[1]), props);
        if (o.failure() != null) {
            System.out.println("[ERROR] " + o.message());
        }
        System.out.flush();
        System.exit(o.failure() == null ? 0 : 1);
    }
}
