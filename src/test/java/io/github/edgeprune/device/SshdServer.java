package io.github.edgeprune.device;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenSSH server for tests: started as {@code /usr/sbin/sshd -D -e -f <config>} on
 * 127.0.0.1 at a free port, with a throw-away host key and user key made by {@code ssh-keygen} in a
 * temporary folder; it only accepts that user key. {@link #unavailableReason()} says why it cannot
 * run here (tests then skip with that reason). Close it to stop it.
 */
public final class SshdServer implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");
    public static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

    private final Path dir;
    private final int port;
    private final Process process;
    private final ByteArrayOutputStream log;
    private final String user;

    private SshdServer(Path dir, int port, Process process, ByteArrayOutputStream log, String user) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.log = log;
        this.user = user;
    }

    /** Why no test sshd can run here, or null when it can. */
    public static String unavailableReason() {
        if (!Files.isExecutable(SSHD)) {
            return SSHD + " is not installed (apt-get install -y openssh-server); skipping the SSH tests";
        }
        if (!Files.isExecutable(SSH_KEYGEN)) {
            return SSH_KEYGEN + " is not installed (apt-get install -y openssh-client); skipping the SSH tests";
        }
        return null;
    }

    /** Starts a server whose files live in {@code dir} (a fresh temporary folder). */
    public static SshdServer start(Path dir) throws IOException, InterruptedException {
        String user = System.getProperty("user.name");
        keygen(dir.resolve("host_ed25519"), "edgeprune-test-host");
        keygen(dir.resolve("host_ecdsa"), "edgeprune-test-host", "ecdsa");
        keygen(dir.resolve("user_ed25519"), "edgeprune-test-user");
        Files.copy(dir.resolve("user_ed25519.pub"), dir.resolve("authorized_keys"));
        Path run = Path.of("/run/sshd");
        if (!Files.isDirectory(run) && "root".equals(user)) {
            Files.createDirectories(run); // the privilege separation directory sshd insists on
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "Port " + port,
                    "ListenAddress 127.0.0.1",
                    "HostKey " + dir.resolve("host_ed25519"),
                    "HostKey " + dir.resolve("host_ecdsa"),
                    "PidFile " + dir.resolve("sshd.pid"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                    "StrictModes no",
                    "UsePAM no",
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "AllowUsers " + user,
                    "PrintMotd no",
                    "MaxStartups 100",
                    "MaxSessions 100",
                    "LogLevel VERBOSE",
                    ""));
            ProcessBuilder pb = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Thread pump = new Thread(() -> copy(p.getInputStream(), log), "sshd-log-" + port);
            pump.setDaemon(true);
            pump.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    break;
                }
                if (accepts(port)) {
                    return new SshdServer(dir, port, p, log, user);
                }
                Thread.sleep(50);
            }
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            String text;
            synchronized (log) {
                text = log.toString(StandardCharsets.UTF_8);
            }
            last = new IOException("sshd did not come up on port " + port + ": " + text);
            if (!text.contains("Bind to port") && !text.contains("Address already in use")) {
                break;
            }
        }
        throw last;
    }

    private static void keygen(Path file, String comment) throws IOException, InterruptedException {
        keygen(file, comment, "ed25519");
    }

    private static void keygen(Path file, String comment, String type) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(SSH_KEYGEN.toString(), "-q", "-t", type, "-N", "", "-C", comment,
                "-f", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + out);
        }
    }

    /** Makes another throw-away ed25519 key pair (not authorized on the server). */
    public Path newKey(String name) throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        keygen(f, name);
        return f;
    }

    private static void copy(InputStream in, ByteArrayOutputStream sink) {
        byte[] buf = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (sink) {
                    sink.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the server stopped
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public Path dir() {
        return dir;
    }

    /** The private key the server accepts. */
    public Path userKey() {
        return dir.resolve("user_ed25519");
    }

    /** "ssh-ed25519 AAAA... comment" of the server's host key. */
    public String hostPublicKey() throws IOException {
        return Files.readString(dir.resolve("host_ed25519.pub")).strip();
    }

    /** The known_hosts line for the server's ECDSA host key (it has an ed25519 one too). */
    public String knownHostsLineEcdsa() throws IOException {
        String[] parts = Files.readString(dir.resolve("host_ecdsa.pub")).strip().split("\\s+");
        return "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1];
    }

    /** The known_hosts line for this server's ed25519 host key, as ssh-keyscan would write it. */
    public String knownHostsLine() throws IOException {
        String[] parts = hostPublicKey().split("\\s+");
        return "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1];
    }

    /** Writes a known_hosts file that trusts this server. */
    public Path writeKnownHosts(Path file) throws IOException {
        Files.writeString(file, knownHostsLine() + "\n");
        return file;
    }

    /** {@code ssh://user@127.0.0.1:port} with the accepted key and the given known_hosts, strict. */
    public DeviceSettings.Builder settings(Path knownHosts) {
        return DeviceSettings.builder("ssh://" + user + "@127.0.0.1:" + port)
                .identityFile(userKey())
                .knownHosts(knownHosts)
                .userHome(dir) // never the real ~/.ssh
                .hostKeyPolicy(HostKeyPolicy.STRICT)
                .connectTimeout(Duration.ofSeconds(10))
                .commandTimeout(Duration.ofSeconds(60));
    }

    /** What sshd logged (for assertion messages). */
    public String log() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "sshd on 127.0.0.1:" + port + " (" + dir + ")";
    }

    static List<String> lines(String s) {
        return s.lines().toList();
    }
}
