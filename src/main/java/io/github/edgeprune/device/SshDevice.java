package io.github.edgeprune.device;

import io.github.edgeprune.util.Log;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A device reached over SSH with Apache MINA SSHD; one session, one exec channel per command. */
final class SshDevice extends AbstractDevice {

    private final SshClient client;
    private final ClientSession session;

    private SshDevice(DeviceSettings settings, Log log, SshClient client, ClientSession session) {
        super(settings, log);
        this.client = client;
        this.session = session;
    }

    static SshDevice connect(DeviceSettings s, Log log) {
        SshIdentities ids = SshIdentities.load(s, log);
        KnownHostsVerifier verifier = new KnownHostsVerifier(s.knownHosts(), s.hostKeyPolicy(), s.host(), s.port(),
                s.display(), log);
        SshClient client = SshClient.setUpDefaultClient();
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY); // ~/.ssh/config is not read
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setServerKeyVerifier(verifier);
        client.setSignatureFactories(preferKnownTypes(client.getSignatureFactories(), verifier.knownKeyTypes()));
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, s.connectTimeout());
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(30));
        // long quiet runs are bounded by our own timeouts, not by the session's idle timer
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ofHours(24));
        client.start();
        long deadline = System.nanoTime() + s.connectTimeout().toNanos();
        ClientSession session = null;
        try {
            ConnectFuture cf = client.connect(s.user(), s.host(), s.port());
            if (!cf.await(s.connectTimeout().toMillis())) {
                cf.cancel();
                throw unreachable(s, "no answer (timed out)", null);
            }
            if (cf.getException() != null) {
                throw classifyConnectFailure(s, cf.getException());
            }
            session = cf.getSession();
            ids.addTo(session);
            AuthFuture af = session.auth();
            long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            boolean done = af.await(leftMs);
            if (done && af.isSuccess()) {
                log.debug("connected to " + s.display() + " (host key " + verifier.verdict() + ")");
                return new SshDevice(s, log, client, session);
            }
            throw authFailure(s, verifier, ids, done ? af.getException() : null, done);
        } catch (IOException e) {
            DeviceException de = verifier.message() != null
                    ? hostKeyFailure(s, verifier, e)
                    : classifyConnectFailure(s, e);
            closeQuietly(session, client);
            throw de;
        } catch (DeviceException e) {
            closeQuietly(session, client);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(session, client);
            throw new DeviceException(DeviceException.Kind.UNREACHABLE,
                    "could not open an SSH session to " + s.display() + ": " + e, e);
        }
    }

    /**
     * Host-key algorithms in OpenSSH's spirit: those whose key types known_hosts already records for
     * this host first, then ed25519 (OpenSSH's first choice, so a new host shows the fingerprint
     * `ssh` would show), then the rest in MINA's order.
     */
    static List<NamedFactory<Signature>> preferKnownTypes(List<NamedFactory<Signature>> all, Set<String> known) {
        List<NamedFactory<Signature>> first = new ArrayList<>();
        List<NamedFactory<Signature>> ed25519 = new ArrayList<>();
        List<NamedFactory<Signature>> rest = new ArrayList<>();
        for (NamedFactory<Signature> f : all) {
            String type = KeyUtils.getCanonicalKeyType(f.getName());
            if (known.contains(type)) {
                first.add(f);
            } else if (f.getName().contains("ed25519")) {
                ed25519.add(f);
            } else {
                rest.add(f);
            }
        }
        first.addAll(ed25519);
        first.addAll(rest);
        return first;
    }

    private static DeviceException unreachable(DeviceSettings s, String why, Throwable cause) {
        String timeout = seconds(s.connectTimeout());
        return new DeviceException(DeviceException.Kind.UNREACHABLE,
                "could not connect to " + s.host() + ":" + s.port() + " within " + timeout + ": " + why + ". Is the"
                        + " device on and sshd running (on the device: `sudo systemctl enable --now ssh`)? Check the"
                        + " address and port in prune.device (" + s.display() + "): `ssh -p " + s.port() + " " + s.user()
                        + "@" + s.host() + "` from this machine must work. A slow network may need a longer"
                        + " prune.connectTimeout.", cause);
    }

    private static DeviceException classifyConnectFailure(DeviceSettings s, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return unreachable(s, "connection refused", t);
            }
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return unreachable(s, "the name '" + s.host() + "' does not resolve (try the device's IP address,"
                        + " shown by `hostname -I` on it)", t);
            }
            if (c instanceof NoRouteToHostException || c instanceof PortUnreachableException) {
                return unreachable(s, "no route to host (is this machine on the device's network?)", t);
            }
            if (c instanceof SocketTimeoutException) {
                return unreachable(s, "no answer (timed out)", t);
            }
        }
        String msg = t.getMessage() == null ? t.toString() : t.getMessage();
        if (msg.toLowerCase(java.util.Locale.ROOT).contains("timeout") || msg.toLowerCase(java.util.Locale.ROOT).contains("timed out")) {
            return unreachable(s, "no answer (timed out)", t);
        }
        return unreachable(s, msg, t);
    }

    private static DeviceException hostKeyFailure(DeviceSettings s, KnownHostsVerifier v, Throwable cause) {
        DeviceException.Kind kind = switch (v.verdict()) {
            case CHANGED, REVOKED -> DeviceException.Kind.HOST_KEY_CHANGED;
            case UNKNOWN -> DeviceException.Kind.HOST_KEY_UNKNOWN;
            default -> DeviceException.Kind.CONFIGURATION;
        };
        return new DeviceException(kind, v.message(), cause);
    }

    private static DeviceException authFailure(DeviceSettings s, KnownHostsVerifier v, SshIdentities ids,
                                               Throwable cause, boolean done) {
        if (v.message() != null) {
            return hostKeyFailure(s, v, cause);
        }
        if (!done && v.verdict() == KnownHostsVerifier.Verdict.NOT_CHECKED) {
            return unreachable(s, "the port accepted the connection but no SSH server answered (is "
                    + s.port() + " the SSH port?)", cause);
        }
        if (!done) {
            return new DeviceException(DeviceException.Kind.AUTH_REFUSED,
                    s.display() + " did not finish logging in " + s.user() + " within "
                            + seconds(s.connectTimeout()) + " (a password prompt or an overloaded device?)."
                            + " Tried: " + String.join("; ", ids.offered()) + ". " + SshIdentities.howToConfigure(s), cause);
        }
        String keyHint = ids.firstKeyFile();
        return new DeviceException(DeviceException.Kind.AUTH_REFUSED,
                s.display() + " refused to log in " + s.user() + ". Tried: " + String.join("; ", ids.offered())
                        + (ids.skipped().isEmpty() ? "" : "; skipped " + String.join("; ", ids.skipped()))
                        + " (ssh-agent is not used; methods tried: " + (ids.offered().stream().anyMatch(o -> o.startsWith("publickey")) ? "publickey" : "")
                        + (ids.offered().stream().anyMatch(o -> o.startsWith("password")) ? " password" : "") + "). "
                        + (keyHint != null ? "If that key should work, install its public half on the device:"
                        + " `ssh-copy-id -i " + keyHint + ".pub -p " + s.port() + " " + s.user() + "@" + s.host() + "`. " : "")
                        + SshIdentities.howToConfigure(s), cause);
    }

    private static void closeQuietly(ClientSession session, SshClient client) {
        try {
            if (session != null) {
                session.close(true);
            }
        } finally {
            client.stop();
        }
    }

    @Override
    ExecResult runWithInput(String command, Path input, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SshCommand c = open(command, null, null, timeout);
        try {
            if (input != null) {
                try (OutputStream os = c.channel.getInvertedIn()) {
                    Files.copy(input, os);
                } catch (IOException e) {
                    c.kill();
                    throw lost("sending " + input + " to `" + abbreviate(command) + "`", e);
                }
            }
            long left = Math.max(1, deadline - System.nanoTime());
            ExecResult r = c.waitFor(Duration.ofNanos(left));
            if (r == null) {
                c.kill();
                throw new DeviceException(DeviceException.Kind.TIMEOUT,
                        "`" + abbreviate(command) + "` did not finish within " + seconds(timeout)
                                + " on " + name() + "; its channel was closed. Raise prune.commandTimeout if it needs"
                                + " longer, or check that the device is not overloaded (`uptime`, `free -m`).");
            }
            return r;
        } catch (RuntimeException e) {
            c.kill();
            throw e;
        }
    }

    @Override
    public RunningCommand start(String command, Consumer<String> stdoutLines, Consumer<String> stderrLines) {
        return open(command, stdoutLines, stderrLines, settings().commandTimeout());
    }

    private SshCommand open(String command, Consumer<String> out, Consumer<String> err, Duration openTimeout) {
        if (!session.isOpen()) {
            throw new DeviceException(DeviceException.Kind.CONNECTION_LOST,
                    "the SSH connection to " + name() + " is closed (the device rebooted, or the network dropped).");
        }
        try {
            // the login shell may be anything (bash, zsh, fish): it only has to start sh
            ChannelExec ch = session.createExecChannel("sh -c " + Shell.quote(command));
            SshCommand c = new SshCommand(command, ch, out, err);
            ch.open().verify(openTimeout.toMillis());
            return c;
        } catch (IOException e) {
            throw lost("starting `" + abbreviate(command) + "`", e);
        }
    }

    private DeviceException lost(String what, IOException e) {
        return new DeviceException(session.isOpen() ? DeviceException.Kind.COMMAND_FAILED : DeviceException.Kind.CONNECTION_LOST,
                what + " on " + name() + " failed: " + e.getMessage()
                        + (session.isOpen() ? "" : ". The SSH connection is gone (device rebooted or network dropped)."), e);
    }

    @Override
    public void close() {
        closeQuietly(session, client);
    }

    /** One exec channel. */
    private final class SshCommand implements RunningCommand {
        private final String command;
        private final ChannelExec channel;
        private final LineSplitter out;
        private final LineSplitter err;
        private final long startNanos = System.nanoTime();

        SshCommand(String command, ChannelExec channel, Consumer<String> outLines, Consumer<String> errLines) {
            this.command = command;
            this.channel = channel;
            this.out = new LineSplitter(outLines);
            this.err = new LineSplitter(errLines);
            channel.setOut(out);
            channel.setErr(err);
        }

        @Override
        public boolean isAlive() {
            return !channel.isClosed();
        }

        @Override
        public ExecResult waitFor(Duration timeout) {
            Set<ClientChannelEvent> ev = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout.toMillis());
            if (!ev.contains(ClientChannelEvent.CLOSED)) {
                return null;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            out.close();
            err.close();
            Integer status = channel.getExitStatus();
            String signal = channel.getExitSignal();
            if (signal != null) {
                String name = signal.startsWith("SIG") ? signal.substring(3) : signal;
                int n = Signals.number(name);
                return new ExecResult(command, n > 0 ? 128 + n : 128, name, out.text(), err.text(), elapsed);
            }
            if (status == null) {
                throw new DeviceException(DeviceException.Kind.CONNECTION_LOST,
                        "`" + abbreviate(command) + "` on " + name() + " ended without an exit status"
                                + (session.isOpen() ? "" : ": the SSH connection was lost (device rebooted, out of"
                                + " power, or network dropped)") + ".");
            }
            return ExecResult.fromShellStatus(command, status, out.text(), err.text(), elapsed);
        }

        @Override
        public String stderrSoFar() {
            return err.text();
        }

        @Override
        public void kill() {
            channel.close(true);
        }
    }
}
