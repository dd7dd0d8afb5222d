package io.github.edgeprune.device;

import io.github.edgeprune.util.Log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a program on a device and samples its memory while it runs, the same way for
 * {@code local} and SSH devices:
 * <ol>
 * <li>the program starts under {@code sh -c 'echo PID $$ ...; exec program args'}, so the shell's
 * PID becomes the program's, and the first stdout line tells it (that line is not passed on);</li>
 * <li>a second command on the device reads {@code VmRSS} and {@code VmHWM} from
 * {@code /proc/<pid>/status} every second (like {@code pidstat -r 1}),
 * stamped with {@code /proc/uptime}, until the process is gone;</li>
 * <li>the peak is the larger of the highest VmRSS and the last VmHWM.</li>
 * </ol>
 * A program that dies of a signal is reported with the signal's name ({@link ExecResult#describeExit()}).
 */
public final class MonitoredRun {

    static final String MARKER = "@@edgeprune pid=";
    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);

    /**
     * How the run went.
     *
     * @param exec   exit status, stdout (without the PID line), stderr, wall time
     * @param pid    the program's PID on the device, or -1 if it never started
     * @param memory resident memory over the run
     */
    public record Result(ExecResult exec, long pid, MemoryProfile memory) {
    }

    private final Device device;
    private final List<String> argv;
    private String workingDirectory;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Duration timeout = Duration.ofMinutes(30);
    private double knownTotalMb;
    private Consumer<String> stdoutLines;
    private Consumer<String> stderrLines;
    private Log log = Log.silent();

    private MonitoredRun(Device device, List<String> argv) {
        this.device = Objects.requireNonNull(device);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no program to run");
        }
        this.argv = List.copyOf(argv);
    }

    /** Prepares to run {@code argv} (program and arguments, quoted for the shell here) on {@code device}. */
    public static MonitoredRun of(Device device, List<String> argv) {
        return new MonitoredRun(device, argv);
    }

    public MonitoredRun workingDirectory(String dir) {
        this.workingDirectory = dir;
        return this;
    }

    public MonitoredRun environment(String name, String value) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not an environment variable name: " + name);
        }
        environment.put(name, value);
        return this;
    }

    /** The whole run's limit (default 30 min); past it the program is stopped (TERM, then KILL). */
    public MonitoredRun timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * The device's memory in MB, when the caller already knows it (e.g. from {@link Device#facts()});
     * otherwise, or when it is not positive, {@code /proc/meminfo} is read before the run.
     */
    public MonitoredRun deviceTotalMb(double totalMb) {
        this.knownTotalMb = totalMb;
        return this;
    }

    /** Receives the program's stdout line by line while it runs. */
    public MonitoredRun onStdout(Consumer<String> lines) {
        this.stdoutLines = lines;
        return this;
    }

    /** Receives the program's stderr line by line while it runs (e.g. to echo agent progress). */
    public MonitoredRun onStderr(Consumer<String> lines) {
        this.stderrLines = lines;
        return this;
    }

    public MonitoredRun log(Log log) {
        this.log = log;
        return this;
    }

    /** The command line that starts the program and reports its PID first. */
    String wrapperCommand() {
        StringBuilder sb = new StringBuilder();
        if (workingDirectory != null) {
            sb.append("cd ").append(Shell.quote(workingDirectory)).append(" || exit 126\n");
        }
        sb.append("up=0; read -r up rest < /proc/uptime\n");
        sb.append("echo \"").append(MARKER).append("$$ uptime=$up\"\n");
        sb.append("exec ");
        if (!environment.isEmpty()) {
            sb.append("env ");
            environment.forEach((k, v) -> sb.append(Shell.quote(k + "=" + v)).append(' '));
        }
        sb.append(Shell.join(argv));
        return sb.toString();
    }

    /** The sampler loop: one "S uptime rsskB hwmkB" line per interval while the process lives. */
    static String samplerCommand(long pid, Duration interval) {
        String sleep = String.format(Locale.ROOT, "%.3f", interval.toMillis() / 1000.0);
        return String.join("\n",
                "p=" + pid,
                "while :; do",
                "  r=; h=",
                "  while read -r k v u; do case $k in VmRSS:) r=$v;; VmHWM:) h=$v;; esac; done 2>/dev/null < /proc/$p/status || break",
                "  [ -n \"$r\" ] || break",
                "  up=0; read -r up rest < /proc/uptime",
                "  echo \"S $up $r $h\"",
                "  sleep " + sleep,
                "done",
                "exit 0");
    }

    public Result run() {
        double totalMb = knownTotalMb > 0 ? knownTotalMb : deviceTotalMb();
        CompletableFuture<long[]> started = new CompletableFuture<>(); // {pid, uptime in ms}
        Consumer<String> out = line -> {
            if (!started.isDone() && line.startsWith(MARKER)) {
                started.complete(parseMarker(line));
                return;
            }
            if (stdoutLines != null) {
                stdoutLines.accept(line);
            }
        };
        long t0 = System.nanoTime();
        RunningCommand main = device.start(wrapperCommand(), out, stderrLines);
        Sampler sampler = null;
        try {
            long pid = -1;
            long startUptimeMs = 0;
            try {
                long[] marker = started.get(Math.min(timeout.toMillis(), device.settings().commandTimeout().toMillis()),
                        TimeUnit.MILLISECONDS);
                pid = marker[0];
                startUptimeMs = marker[1];
            } catch (TimeoutException e) {
                // it may have ended before saying its PID (cd failed, ...): the exit status tells
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            if (pid > 0) {
                sampler = new Sampler(pid, startUptimeMs);
            }
            Duration left = timeout.minusNanos(System.nanoTime() - t0);
            ExecResult r = left.isNegative() ? null : main.waitFor(left);
            if (r == null) {
                stop(pid);
                main.kill();
                throw new DeviceException(DeviceException.Kind.TIMEOUT,
                        "`" + AbstractDevice.abbreviate(Shell.join(argv)) + "` did not finish within "
                                + AbstractDevice.seconds(timeout) + " on " + device.name() + " and was stopped."
                                + tail(main.stderrSoFar()) + " Raise the run's timeout if the device is just slow.");
            }
            MemoryProfile memory = sampler == null ? MemoryProfile.empty(totalMb) : sampler.finish(totalMb);
            ExecResult clean = new ExecResult(Shell.join(argv), r.exitCode(), r.signal(), stripMarker(r.stdout()),
                    r.stderr(), r.elapsed());
            if (clean.signal() != null) {
                log.warn(device.name() + ": `" + argv.get(0) + "` " + clean.describeExit());
            }
            return new Result(clean, pid, memory);
        } catch (InterruptedException e) {
            main.kill();
            Thread.currentThread().interrupt();
            throw new DeviceException(DeviceException.Kind.TIMEOUT, "interrupted while running " + argv.get(0), e);
        } finally {
            if (sampler != null) {
                sampler.command.close();
            }
        }
    }

    private static String tail(String stderr) {
        String s = stderr.strip();
        if (s.isEmpty()) {
            return "";
        }
        String[] lines = s.split("\n");
        int from = Math.max(0, lines.length - 5);
        return " Its last words on stderr: " + String.join(" | ", List.of(lines).subList(from, lines.length)) + ".";
    }

    private void stop(long pid) {
        if (pid <= 0) {
            return;
        }
        try {
            device.run("kill -TERM " + pid + " 2>/dev/null; i=0; while kill -0 " + pid
                    + " 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; kill -KILL " + pid
                    + " 2>/dev/null; exit 0", Duration.ofSeconds(15));
        } catch (DeviceException e) {
            log.warn("could not stop process " + pid + " on " + device.name() + ": " + e.getMessage());
        }
    }

    private double deviceTotalMb() {
        try {
            ExecResult r = device.run("sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo");
            return r.succeeded() ? Long.parseLong(r.stdout().strip()) / 1024.0 : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long[] parseMarker(String line) {
        String rest = line.substring(MARKER.length()).strip();
        String[] parts = rest.split("\\s+");
        long pid = Long.parseLong(parts[0]);
        long upMs = 0;
        for (String p : parts) {
            if (p.startsWith("uptime=")) {
                upMs = uptimeMs(p.substring("uptime=".length()));
            }
        }
        return new long[] {pid, upMs};
    }

    private static long uptimeMs(String s) {
        try {
            return Math.round(Double.parseDouble(s) * 1000);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String stripMarker(String stdout) {
        if (stdout.startsWith(MARKER)) {
            int nl = stdout.indexOf('\n');
            return nl < 0 ? "" : stdout.substring(nl + 1);
        }
        return stdout;
    }

    /** The second command on the device that reads /proc/PID/status. */
    private final class Sampler {
        final RunningCommand command;
        final long startUptimeMs;
        final List<MemorySample> series = new ArrayList<>();
        double hwmMb;
        double maxRssMb;

        Sampler(long pid, long startUptimeMs) {
            this.startUptimeMs = startUptimeMs;
            this.command = device.start(samplerCommand(pid, SAMPLE_INTERVAL), this::accept, null);
        }

        private synchronized void accept(String line) {
            String[] p = line.strip().split("\\s+");
            if (p.length < 3 || !p[0].equals("S")) {
                return;
            }
            try {
                long upMs = uptimeMs(p[1]);
                double rss = Long.parseLong(p[2]) / 1024.0;
                double t = startUptimeMs > 0 && upMs > 0 ? Math.max(0, (upMs - startUptimeMs) / 1000.0) : series.size()
                        * SAMPLE_INTERVAL.toMillis() / 1000.0;
                series.add(new MemorySample(t, rss));
                maxRssMb = Math.max(maxRssMb, rss);
                if (p.length > 3) {
                    hwmMb = Math.max(hwmMb, Long.parseLong(p[3]) / 1024.0);
                }
            } catch (NumberFormatException ignored) {
                // a torn line; the next one will do
            }
        }

        MemoryProfile finish(double totalMb) throws InterruptedException {
            // the loop ends by itself once /proc/PID is gone (or a zombie without VmRSS)
            if (command.waitFor(SAMPLE_INTERVAL.plusSeconds(10)) == null) {
                command.kill();
            }
            synchronized (this) {
                return new MemoryProfile(series, Math.max(maxRssMb, hwmMb), hwmMb, totalMb);
            }
        }
    }
}
