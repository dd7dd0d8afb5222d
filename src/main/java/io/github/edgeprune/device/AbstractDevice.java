package io.github.edgeprune.device;

import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What every device does the same way, on top of "run a command" and "run a command fed from a file". */
abstract class AbstractDevice implements Device {

    /** Uploads get the command timeout plus one second per MB (slow Wi-Fi to a Pi is ~2 MB/s). */
    private static final long UPLOAD_BYTES_PER_SECOND = 1_000_000;
    private static final Pattern JAVA_VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?[^\"]*\"");

    private final DeviceSettings settings;
    private final Log log;
    private final SecureRandom random = new SecureRandom();
    private volatile String home;

    AbstractDevice(DeviceSettings settings, Log log) {
        this.settings = settings;
        this.log = log;
    }

    @Override
    public DeviceSettings settings() {
        return settings;
    }

    Log log() {
        return log;
    }

    @Override
    public boolean isLocal() {
        return settings.isLocal();
    }

    /** Runs {@code command} with the bytes of {@code input} on its standard input. */
    abstract ExecResult runWithInput(String command, Path input, Duration timeout);

    @Override
    public ExecResult run(String command, Duration timeout) {
        return runWithInput(command, null, timeout);
    }

    @Override
    public long upload(Path local, String remotePath) {
        return upload(local, remotePath, null);
    }

    @Override
    public long upload(Path local, String remotePath, String sha256) {
        if (!remotePath.startsWith("/")) {
            throw new IllegalArgumentException("remote path must be absolute: " + remotePath);
        }
        long size;
        String sha;
        try {
            size = Files.size(local);
            sha = sha256 != null ? sha256 : Fingerprint.sha256(local);
        } catch (IOException e) {
            throw cannotRead(local, e);
        } catch (UncheckedIOException e) {
            throw cannotRead(local, e.getCause());
        }
        int slash = remotePath.lastIndexOf('/');
        String dir = slash == 0 ? "/" : remotePath.substring(0, slash);
        String part = remotePath + ".part-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
        String qp = Shell.quote(part);
        String command = "mkdir -p " + Shell.quote(dir) + " && cat > " + qp + " && "
                + "if command -v sha256sum >/dev/null 2>&1; then sha256sum < " + qp
                + "; else echo \"size $(wc -c < " + qp + ")\"; fi";
        Duration timeout = settings.commandTimeout().plusSeconds(size / UPLOAD_BYTES_PER_SECOND);
        ExecResult r;
        try {
            r = runWithInput(command, local, timeout);
        } catch (DeviceException e) {
            removeQuietly(part);
            throw e;
        }
        if (!r.succeeded()) {
            removeQuietly(part);
            throw new DeviceException(DeviceException.Kind.TRANSFER_FAILED,
                    "could not write " + remotePath + " on " + name() + " (" + r.describeExit() + "): "
                            + r.outputTail(5) + ". Is there space left (`df -h " + dir + "`) and may "
                            + settings.user() + " write there?");
        }
        String[] answer = r.stdout().strip().split("\\s+");
        boolean ok;
        String got;
        if (answer.length >= 2 && answer[0].equals("size")) {
            got = answer[1] + " bytes";
            ok = answer[1].equals(Long.toString(size));
        } else {
            got = answer.length > 0 ? "sha256 " + answer[0] : "nothing";
            ok = answer.length > 0 && answer[0].equalsIgnoreCase(sha);
        }
        if (!ok) {
            removeQuietly(part);
            throw new DeviceException(DeviceException.Kind.TRANSFER_FAILED,
                    "upload of " + local + " to " + name() + ":" + remotePath + " arrived damaged: sent " + size
                            + " bytes with sha256 " + sha + ", the device has " + got + ". The network or the"
                            + " device's storage (SD card?) may be failing; run the build again.");
        }
        run("mv -f " + qp + " " + Shell.quote(remotePath)).requireSuccess("moving the uploaded " + part + " into place");
        return size;
    }

    private static DeviceException cannotRead(Path local, IOException e) {
        return new DeviceException(DeviceException.Kind.TRANSFER_FAILED, "cannot read " + local + ": " + e, e);
    }

    private void removeQuietly(String path) {
        try {
            run("rm -f -- " + Shell.quote(path));
        } catch (DeviceException ignored) {
            // the original error matters more
        }
    }

    @Override
    public RemoteTempDir createTempDir() {
        ExecResult r = run("mktemp -d \"${TMPDIR:-/tmp}/edgeprune.XXXXXXXX\"").requireSuccess("making a temporary folder");
        String path = r.stdout().strip();
        if (!path.startsWith("/")) {
            throw new DeviceException(DeviceException.Kind.COMMAND_FAILED,
                    "mktemp -d on " + name() + " answered '" + path + "' instead of a folder path");
        }
        return new RemoteTempDir(this, path);
    }

    @Override
    public String arch() {
        return run("uname -m").requireSuccess("uname -m").stdout().strip();
    }

    @Override
    public String readFile(String remotePath) {
        return run("cat -- " + Shell.quote(remotePath)).requireSuccess("reading " + remotePath).stdout();
    }

    @Override
    public String home() {
        String h = home;
        if (h == null) {
            h = run("printf '%s' \"$HOME\"").requireSuccess("finding $HOME").stdout().strip();
            if (h.isEmpty()) {
                throw new DeviceException(DeviceException.Kind.COMMAND_FAILED,
                        "$HOME is not set for " + settings.user() + " on " + name());
            }
            home = h;
        }
        return h;
    }

    @Override
    public DeviceFacts facts() {
        ExecResult r = run(DeviceFacts.command()).requireSuccess("reading the device's facts");
        return DeviceFacts.parse(name(), r.stdout());
    }

    @Override
    public void requireProgram(String program, String installHint) {
        ExecResult r = run("if command -v " + Shell.quote(program) + " >/dev/null 2>&1; then echo found; else echo missing; fi;"
                + " echo \"PATH=$PATH\"");
        String path = "";
        boolean found = false;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("PATH=")) {
                path = line.substring(5);
            } else if (line.equals("found")) {
                found = true;
            }
        }
        if (found) {
            return;
        }
        throw new DeviceException(DeviceException.Kind.MISSING_PROGRAM,
                "`" + program + "` was not found on " + name() + " (searched the PATH of a non-interactive"
                        + " login: " + path + "). Install it on the device: `" + installHint + "`"
                        + (program.contains("java") ? ", or point prune.remoteJava at a java binary that is"
                        + " there (e.g. /opt/jdk-17/bin/java)" : "") + ".");
    }

    @Override
    public String requireJava(String javaCommand) {
        requireProgram(javaCommand, JAVA_INSTALL_HINT);
        ExecResult r = run(Shell.quote(javaCommand) + " -version 2>&1");
        String first = r.stdout().strip().split("\n")[0];
        if (!r.succeeded()) {
            throw new DeviceException(DeviceException.Kind.MISSING_PROGRAM,
                    "`" + javaCommand + " -version` failed on " + name() + " (" + r.describeExit() + "): "
                            + r.outputTail(5) + ". Reinstall Java on the device: `" + JAVA_INSTALL_HINT + "`.");
        }
        Matcher m = JAVA_VERSION.matcher(r.stdout());
        if (m.find()) {
            int major = Integer.parseInt(m.group(1));
            if (major == 1 && m.group(2) != null) {
                major = Integer.parseInt(m.group(2)); // "1.8.0_392"
            }
            if (major < 17) {
                throw new DeviceException(DeviceException.Kind.MISSING_PROGRAM,
                        "the agent needs Java 17 or newer, but " + name() + " has " + first + ". Install a newer"
                                + " one: `" + JAVA_INSTALL_HINT + "` (then `sudo update-alternatives --config java`),"
                                + " or point prune.remoteJava at it.");
            }
        }
        return first;
    }

    /** "5 s", or "2.5 s" for a fraction, for messages. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** A command on one line and at most 160 characters, for messages. */
    static String abbreviate(String command) {
        String c = command.replace('\n', ' ');
        return c.length() <= 160 ? c : c.substring(0, 157) + "...";
    }
}
