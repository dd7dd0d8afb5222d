package io.github.edgeprune.device;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the device is and how to log in: {@code local} (this machine) or
 * {@code ssh://user@host[:port]}. Credentials come in as values (the Mojo reads them from a
 * {@code <server>} in Maven's settings.xml, never from the POM); without any, the user's usual
 * {@code ~/.ssh/id_ed25519}, {@code id_ecdsa}, {@code id_rsa} are tried.
 */
public final class DeviceSettings {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final boolean local;
    private final String user;
    private final String host;
    private final int port;
    private final String password;
    private final String privateKey;
    private final String passphrase;
    private final Path identityFile;
    private final Path knownHosts;
    private final HostKeyPolicy hostKeyPolicy;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final Path userHome;
    private final String serverId;

    private DeviceSettings(Builder b) {
        this.local = b.local;
        this.user = b.user;
        this.host = b.host;
        this.port = b.port;
        this.password = b.password;
        this.privateKey = b.privateKey;
        this.passphrase = b.passphrase;
        this.identityFile = b.identityFile;
        this.userHome = b.userHome != null ? b.userHome : Path.of(System.getProperty("user.home"));
        this.knownHosts = b.knownHosts != null ? b.knownHosts : userHome.resolve(".ssh").resolve("known_hosts");
        this.hostKeyPolicy = b.hostKeyPolicy;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.serverId = b.serverId;
    }

    /** Settings for {@code local} or {@code ssh://user@host[:port]}; the rest from the builder. */
    public static Builder builder(String device) {
        return new Builder(device);
    }

    public static DeviceSettings local() {
        return builder("local").build();
    }

    public boolean isLocal() {
        return local;
    }

    public String user() {
        return user;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** A password from settings.xml, or null. */
    public String password() {
        return password;
    }

    /** A private key from settings.xml: a path to a key file, or the key text itself; or null. */
    public String privateKey() {
        return privateKey;
    }

    public String passphrase() {
        return passphrase;
    }

    /** {@code prune.identityFile}, or null. */
    public Path identityFile() {
        return identityFile;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public HostKeyPolicy hostKeyPolicy() {
        return hostKeyPolicy;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** The home whose {@code .ssh/} holds the default keys (normally {@code user.home}). */
    public Path userHome() {
        return userHome;
    }

    /** The settings.xml server id the credentials came from, or null (used in messages only). */
    public String serverId() {
        return serverId;
    }

    /** {@code ssh://user@host:port} (never any secret), or {@code local}. */
    public String display() {
        if (local) {
            return "local";
        }
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "ssh://" + user + "@" + h + ":" + port;
    }

    @Override
    public String toString() {
        return display();
    }

    /** Collects settings; {@link #build()} checks them. */
    public static final class Builder {
        private boolean local;
        private String user;
        private String host;
        private int port = 22;
        private String password;
        private String privateKey;
        private String passphrase;
        private Path identityFile;
        private Path knownHosts;
        private HostKeyPolicy hostKeyPolicy = HostKeyPolicy.STRICT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Path userHome;
        private String serverId;

        private Builder(String device) {
            parse(device == null ? "" : device.strip());
        }

        private void parse(String text) {
            if (text.equals("local")) {
                local = true;
                return;
            }
            String usage = "prune.device must be `local` or `ssh://user@host[:port]` (for example"
                    + " ssh://pi@raspberrypi.local or ssh://pi@192.168.1.20:2222), got '" + text + "'.";
            if (!text.startsWith("ssh://")) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                        usage + (text.contains("@") ? " Did you mean ssh://" + text + " ?" : ""));
            }
            URI u;
            try {
                u = new URI(text);
            } catch (URISyntaxException e) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION, usage + " " + e.getMessage(), e);
            }
            if (u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
                    || u.getQuery() != null) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION, usage);
            }
            host = u.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            port = u.getPort() == -1 ? 22 : u.getPort();
            String info = u.getUserInfo();
            if (info != null && info.contains(":")) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                        "prune.device must not contain a password (" + u.getScheme() + "://" + info.substring(0, info.indexOf(':'))
                                + ":***@...): the POM is public. Put it in a <server> of ~/.m2/settings.xml and"
                                + " name it with prune.serverId.");
            }
            user = info != null && !info.isEmpty() ? info : System.getProperty("user.name");
        }

        /** The login name, overriding the one in the URI (e.g. settings.xml {@code <username>}). */
        public Builder user(String user) {
            if (user != null && !user.isBlank()) {
                this.user = user;
            }
            return this;
        }

        public Builder password(String password) {
            this.password = emptyToNull(password);
            return this;
        }

        /** A path to a private key file, or the key text itself (settings.xml {@code <privateKey>}). */
        public Builder privateKey(String privateKey) {
            this.privateKey = emptyToNull(privateKey);
            return this;
        }

        public Builder passphrase(String passphrase) {
            this.passphrase = emptyToNull(passphrase);
            return this;
        }

        public Builder identityFile(Path identityFile) {
            this.identityFile = identityFile;
            return this;
        }

        public Builder knownHosts(Path knownHosts) {
            this.knownHosts = knownHosts;
            return this;
        }

        public Builder hostKeyPolicy(HostKeyPolicy policy) {
            this.hostKeyPolicy = Objects.requireNonNull(policy);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "prune.connectTimeout");
            return this;
        }

        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = positive(timeout, "prune.commandTimeout");
            return this;
        }

        public Builder userHome(Path home) {
            this.userHome = home;
            return this;
        }

        public Builder serverId(String serverId) {
            this.serverId = emptyToNull(serverId);
            return this;
        }

        public DeviceSettings build() {
            return new DeviceSettings(this);
        }

        private static Duration positive(Duration d, String property) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                        property + " must be a positive duration, got " + d);
            }
            return d;
        }

        private static String emptyToNull(String s) {
            return s == null || s.isEmpty() ? null : s;
        }
    }
}
