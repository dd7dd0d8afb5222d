package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link RemoteShell} through the OpenSSH client ({@code ssh}) with the endpoint's key and
 * known_hosts file, strict host key checking, and no user or system ssh configuration.
 */
public final class OpenSshShell implements RemoteShell {

    private final Endpoint endpoint;
    private final String ssh;
    private final Duration timeout;

    public OpenSshShell(Endpoint endpoint) {
        this(endpoint, "ssh", Duration.ofMinutes(5));
    }

    public OpenSshShell(Endpoint endpoint, String sshExecutable, Duration timeout) {
        this.endpoint = endpoint;
        this.ssh = sshExecutable;
        this.timeout = timeout;
    }

    /** The full client command line for {@code remoteCommand}, e.g. to show it to a user. */
    public List<String> commandLine(String remoteCommand) {
        List<String> cmd = new ArrayList<>(List.of(ssh,
                "-F", "/dev/null",
                "-i", endpoint.privateKey().toString(),
                "-o", "IdentitiesOnly=yes",
                "-o", "UserKnownHostsFile=" + endpoint.knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=60",
                "-o", "LogLevel=ERROR",
                "-p", Integer.toString(endpoint.port()),
                endpoint.user() + "@" + endpoint.host(),
                "--", remoteCommand));
        return cmd;
    }

    @Override
    public Result run(String command) throws IOException {
        Process p = new ProcessBuilder(commandLine(command))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("ssh " + endpoint + " '" + command + "' took longer than " + Durations.format(timeout));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + command + "' on " + endpoint, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        // own threads: the common pool may have a single worker on a small machine, and stdout and
        // stderr must be read at the same time or a chatty command blocks on a full pipe
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.complete("");
            }
        }, "edgeprune-ssh-drain");
        t.setDaemon(true);
        t.start();
        return result;
    }
}
