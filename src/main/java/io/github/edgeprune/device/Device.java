package io.github.edgeprune.device;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A machine that runs the on-device agent: this machine ({@code local}, child processes) or one
 * reached over SSH. Every command runs under POSIX {@code sh -c}, so the same command text works
 * for both. Open one with {@link Devices#open}.
 */
public interface Device extends AutoCloseable {

    /** Java 17 on Debian / Raspberry Pi OS; said whenever java is missing or too old. */
    String JAVA_INSTALL_HINT = "sudo apt install openjdk-17-jre-headless";

    DeviceSettings settings();

    /** {@code local} or {@code ssh://user@host:port}. */
    default String name() {
        return settings().display();
    }

    boolean isLocal();

    /** Runs a command and waits for it, up to the settings' command timeout. */
    default ExecResult run(String command) {
        return run(command, settings().commandTimeout());
    }

    /**
     * Runs a command and waits for it.
     *
     * @throws DeviceException {@code TIMEOUT} when it has not ended within {@code timeout} (it is then
     *                         stopped), or a transport error
     */
    ExecResult run(String command, Duration timeout);

    /**
     * Starts a long-running command; its output arrives line by line on the listeners (either may
     * be null) while it runs, and is also kept for {@link RunningCommand#waitFor}.
     */
    RunningCommand start(String command, Consumer<String> stdoutLines, Consumer<String> stderrLines);

    /**
     * Sends a local file to {@code remotePath} (absolute; parent folders are made). It is written
     * under a temporary name, its SHA-256 (or size, where the device lacks sha256sum) checked, and
     * only then moved into place, so a broken transfer never leaves a wrong file behind.
     *
     * @return the number of bytes sent
     */
    long upload(Path local, String remotePath);

    /**
     * {@link #upload(Path, String)} for a file whose SHA-256 (lower-case hex) the caller has already
     * computed; null computes it here.
     */
    long upload(Path local, String remotePath, String sha256);

    /** A fresh folder from {@code mktemp -d}, removed (with its content) when closed. */
    RemoteTempDir createTempDir();

    /** {@code uname -m}: x86_64, aarch64, armv7l, ... */
    String arch();

    /** The text of a file on the device (UTF-8). */
    String readFile(String remotePath);

    /** {@code $HOME} of the login user on the device. */
    String home();

    /** What the device is: CPU, cores, RAM, OS, model; gathered with one command. */
    DeviceFacts facts();

    /**
     * Checks that {@code program} is on the device's PATH (for a non-interactive login).
     *
     * @throws DeviceException {@code MISSING_PROGRAM} saying how to install it ({@code installHint})
     */
    void requireProgram(String program, String installHint);

    /**
     * Checks that {@code javaCommand} (normally {@code java}) exists on the device and is Java 17 or
     * newer.
     *
     * @return the first line of {@code java -version}
     */
    String requireJava(String javaCommand);

    /** Closes the connection; a local device has nothing to close. */
    @Override
    void close();
}
