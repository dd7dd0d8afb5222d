package io.github.edgeprune.device;

import io.github.edgeprune.util.Log;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** This machine as the device: commands run as child processes under {@code sh -c}. */
final class LocalDevice extends AbstractDevice {

    LocalDevice(DeviceSettings settings, Log log) {
        super(settings, log);
    }

    @Override
    ExecResult runWithInput(String command, Path input, Duration timeout) {
        LocalCommand c = launch(command, input, null, null);
        try {
            ExecResult r = c.waitFor(timeout);
            if (r == null) {
                c.kill();
                throw new DeviceException(DeviceException.Kind.TIMEOUT,
                        "`" + abbreviate(command) + "` did not finish within " + seconds(timeout) + " on local; it was"
                                + " stopped. Raise prune.commandTimeout if it needs longer.");
            }
            return r;
        } catch (InterruptedException e) {
            c.kill();
            Thread.currentThread().interrupt();
            throw new DeviceException(DeviceException.Kind.TIMEOUT, "interrupted while running `" + abbreviate(command) + "`", e);
        }
    }

    @Override
    public RunningCommand start(String command, Consumer<String> stdoutLines, Consumer<String> stderrLines) {
        return launch(command, null, stdoutLines, stderrLines);
    }

    private LocalCommand launch(String command, Path input, Consumer<String> out, Consumer<String> err) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command);
        pb.redirectInput(input != null ? ProcessBuilder.Redirect.from(input.toFile())
                : ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new LocalCommand(command, pb.start(), out, err);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Kind.MISSING_PROGRAM,
                    "could not start `sh` on this machine: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // nothing to close
    }

    /** A child process with pump threads for its output. */
    private static final class LocalCommand implements RunningCommand {
        private final String command;
        private final Process process;
        private final LineSplitter out;
        private final LineSplitter err;
        private final Thread outPump;
        private final Thread errPump;
        private final long startNanos = System.nanoTime();

        LocalCommand(String command, Process process, Consumer<String> outLines, Consumer<String> errLines) {
            this.command = command;
            this.process = process;
            this.out = new LineSplitter(outLines);
            this.err = new LineSplitter(errLines);
            this.outPump = pump(process.getInputStream(), out, "stdout");
            this.errPump = pump(process.getErrorStream(), err, "stderr");
        }

        private Thread pump(InputStream in, OutputStream sink, String what) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        sink.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // the process went away; what we have is what there is
                } finally {
                    try {
                        sink.close();
                    } catch (IOException ignored) {
                        // LineSplitter does not throw
                    }
                }
            }, "local-" + what + "-" + process.pid());
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public ExecResult waitFor(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            // the pumps end when the pipes close: at once, unless a grandchild keeps them open
            outPump.join(2000);
            errPump.join(2000);
            return ExecResult.fromShellStatus(command, process.exitValue(), out.text(), err.text(), elapsed);
        }

        @Override
        public String stderrSoFar() {
            return err.text();
        }

        @Override
        public void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
