package io.github.edgeprune.device;

import java.time.Duration;

/**
 * How a command on the device ended.
 *
 * @param command  the command line as sent
 * @param exitCode the exit status; for a process killed by a signal, 128 + the signal number (as a shell reports it)
 * @param signal   the signal's name without "SIG" (e.g. "ILL") when the process died of one, else null. Over SSH
 *                 the server says so; for a local child an exit code above 128 is read as a signal.
 * @param stdout   everything it wrote to standard output (UTF-8)
 * @param stderr   everything it wrote to standard error (UTF-8)
 * @param elapsed  wall time from start to end
 */
public record ExecResult(String command, int exitCode, String signal, String stdout, String stderr, Duration elapsed) {

    public boolean succeeded() {
        return exitCode == 0 && signal == null;
    }

    /** "exit 0", "exit 2", or "killed by SIGILL (exit 132): illegal instruction: ...". */
    public String describeExit() {
        if (signal == null) {
            return "exit " + exitCode;
        }
        String meaning = Signals.meaning(signal);
        return "killed by SIG" + signal + " (exit " + exitCode + ")" + (meaning.isEmpty() ? "" : ": " + meaning);
    }

    /** The last lines of stderr (or stdout when stderr is empty), for error messages. */
    public String outputTail(int maxLines) {
        String text = stderr.isBlank() ? stdout : stderr;
        String[] lines = text.strip().split("\n");
        int from = Math.max(0, lines.length - maxLines);
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < lines.length; i++) {
            sb.append(i > from ? "\n" : "").append(lines[i]);
        }
        return sb.toString();
    }

    /** This result, or a {@link DeviceException} saying what failed and how. */
    public ExecResult requireSuccess(String what) {
        if (!succeeded()) {
            String tail = outputTail(15);
            throw new DeviceException(DeviceException.Kind.COMMAND_FAILED,
                    what + " failed (" + describeExit() + "). Command: " + command
                            + (tail.isEmpty() ? "" : "\nIts output ends with:\n" + tail));
        }
        return this;
    }

    /** Fills in the signal from a shell-style exit status above 128 (for local children). */
    static ExecResult fromShellStatus(String command, int status, String stdout, String stderr, Duration elapsed) {
        String signal = null;
        if (status > 128 && status < 128 + 65) {
            signal = Signals.name(status - 128);
        }
        return new ExecResult(command, status, signal, stdout, stderr, elapsed);
    }
}
