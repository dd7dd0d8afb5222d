package io.github.edgeprune.device;

import io.github.edgeprune.util.Log;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * The credentials offered to the device, in this order: a key from settings.xml (a path or the key
 * text), {@code prune.identityFile}, else the user's default {@code ~/.ssh/id_ed25519},
 * {@code id_ecdsa}, {@code id_rsa}; and a password from settings.xml. ssh-agent is not used.
 */
final class SshIdentities {

    static final List<String> DEFAULT_KEY_FILES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private final List<KeyPair> keys = new ArrayList<>();
    private final List<String> offered = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private String password;

    private SshIdentities() {
    }

    static SshIdentities load(DeviceSettings s, Log log) {
        SshIdentities ids = new SshIdentities();
        String from = s.serverId() != null ? " (settings.xml server '" + s.serverId() + "')" : "";
        boolean explicitKey = false;
        if (s.privateKey() != null) {
            explicitKey = true;
            String pk = s.privateKey();
            if (pk.contains("-----BEGIN")) {
                ids.loadRequired("the private key text" + from, new ByteArrayInputStream(pk.getBytes(StandardCharsets.UTF_8)),
                        "privateKey" + from, s);
            } else {
                Path p = expandHome(pk, s.userHome());
                if (!Files.isRegularFile(p)) {
                    throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                            "the private key " + p + from + " does not exist. Fix <privateKey> in ~/.m2/settings.xml"
                                    + " (it takes the path of a key file), or remove it to use ~/.ssh/id_ed25519 etc.");
                }
                ids.loadRequiredFile(p, from, s);
            }
        }
        if (s.identityFile() != null) {
            explicitKey = true;
            Path p = s.identityFile();
            if (!Files.isRegularFile(p)) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                        "prune.identityFile=" + p + " does not exist. Point it at a private key file (the one whose"
                                + " .pub is in ~/.ssh/authorized_keys on the device).");
            }
            ids.loadRequiredFile(p, " (prune.identityFile)", s);
        }
        if (!explicitKey) {
            Path sshDir = s.userHome().resolve(".ssh");
            for (String name : DEFAULT_KEY_FILES) {
                Path p = sshDir.resolve(name);
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(p)) {
                    ids.add(p.toString(), in, s);
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    String why = s.passphrase() == null ? "unreadable or protected by a passphrase (none given)" : "could not be read: " + e.getMessage();
                    ids.skipped.add(p + " (" + why + ")");
                    log.debug("skipping " + p + ": " + e);
                }
            }
        }
        if (s.password() != null) {
            ids.password = s.password();
            ids.offered.add("password" + from);
        }
        if (ids.keys.isEmpty() && ids.password == null) {
            throw new DeviceException(DeviceException.Kind.AUTH_REFUSED,
                    "no credentials to log in to " + s.display() + ": no password or key from settings.xml, no"
                            + " prune.identityFile, and none of " + sshDir(s) + "/{id_ed25519,id_ecdsa,id_rsa} could be used"
                            + (ids.skipped.isEmpty() ? "" : " (" + String.join("; ", ids.skipped) + ")") + ". "
                            + howToConfigure(s));
        }
        return ids;
    }

    private static String sshDir(DeviceSettings s) {
        return s.userHome().resolve(".ssh").toString();
    }

    private void loadRequiredFile(Path p, String from, DeviceSettings s) {
        try (InputStream in = Files.newInputStream(p)) {
            loadRequired(p.toString(), in, p + from, s);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Kind.CONFIGURATION, "cannot read the private key " + p + ": " + e, e);
        }
    }

    private void loadRequired(String name, InputStream in, String what, DeviceSettings s) {
        try {
            add(name, in, s);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            String lower = m.toLowerCase(java.util.Locale.ROOT);
            boolean locked = lower.contains("password") || lower.contains("passphrase") || lower.contains("encrypt")
                    || lower.contains("decrypt") || lower.contains("bad padding") || lower.contains("check value");
            String why = !locked
                    ? m + ". It must be an OpenSSH or PEM private key (ed25519, ecdsa or rsa)."
                    : s.passphrase() == null
                    ? "it is protected by a passphrase and none was given (" + m + ")."
                    : "the passphrase does not open it (" + m + ").";
            throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                    "cannot use the private key " + what + ": " + why + " Give the passphrase as <passphrase> in the"
                            + " settings.xml <server> named by prune.serverId (never in the POM).", e);
        }
    }

    private void add(String name, InputStream in, DeviceSettings s) throws IOException, GeneralSecurityException {
        FilePasswordProvider pp = s.passphrase() == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(s.passphrase());
        Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(name), in, pp);
        int n = 0;
        if (pairs != null) {
            for (KeyPair kp : pairs) {
                keys.add(kp);
                offered.add("publickey with " + name + " (" + KeyUtils.getKeyType(kp) + " "
                        + KeyUtils.getFingerPrint(kp.getPublic()) + ")");
                n++;
            }
        }
        if (n == 0) {
            throw new IOException("no private key found in it (is it a .pub file?)");
        }
    }

    void addTo(ClientSession session) {
        for (KeyPair kp : keys) {
            session.addPublicKeyIdentity(kp);
        }
        if (password != null) {
            session.addPasswordIdentity(password);
        }
    }

    /** What was offered, for the auth-refused message. */
    List<String> offered() {
        return offered;
    }

    List<String> skipped() {
        return skipped;
    }

    /** The first key file offered, for an ssh-copy-id hint; or null. */
    String firstKeyFile() {
        for (String o : offered) {
            if (o.startsWith("publickey with /")) {
                return o.substring("publickey with ".length(), o.indexOf(" (", "publickey with ".length()));
            }
        }
        return null;
    }

    static String howToConfigure(DeviceSettings s) {
        return "To log in, either put your public key into ~/.ssh/authorized_keys of " + s.user() + " on the device"
                + " (`ssh-copy-id -p " + s.port() + " " + s.user() + "@" + s.host() + "`), or point"
                + " -Dprune.identityFile at the private key the device accepts, or put credentials in a <server> of"
                + " ~/.m2/settings.xml (<username> and <password>, or <privateKey> and <passphrase>) and name it with"
                + " -Dprune.serverId=<id>. Credentials never go in the POM.";
    }

    static Path expandHome(String path, Path home) {
        if (path.equals("~")) {
            return home;
        }
        if (path.startsWith("~/")) {
            return home.resolve(path.substring(2));
        }
        return Path.of(path);
    }
}
