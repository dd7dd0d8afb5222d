package io.github.edgeprune.device;

import io.github.edgeprune.util.Log;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the device's host key against an OpenSSH known_hosts file, as OpenSSH does with
 * {@code StrictHostKeyChecking=yes} or {@code accept-new}: plain and hashed ({@code |1|...}) host
 * names, {@code [host]:port} for ports other than 22, {@code @revoked} lines. A key that differs
 * from a recorded one of the same type is refused under every policy.
 */
final class KnownHostsVerifier implements ServerKeyVerifier {

    enum Verdict { NOT_CHECKED, KNOWN, ADDED, UNKNOWN, CHANGED, REVOKED, UNREADABLE }

    /** A known_hosts line that names our host. */
    record Entry(int lineNumber, String marker, PublicKey key, String keyType) {
    }

    private final Path file;
    private final HostKeyPolicy policy;
    private final String host;
    private final int port;
    private final String deviceName;
    private final Log log;

    private volatile Verdict verdict = Verdict.NOT_CHECKED;
    private volatile String message;

    KnownHostsVerifier(Path file, HostKeyPolicy policy, String host, int port, String deviceName, Log log) {
        this.file = file;
        this.policy = policy;
        this.host = host;
        this.port = port;
        this.deviceName = deviceName;
        this.log = log;
    }

    Verdict verdict() {
        return verdict;
    }

    /** Why the key was refused (one paragraph), or null. */
    String message() {
        return message;
    }

    /** How known_hosts names this host: {@code host} for port 22, else {@code [host]:port}. */
    String hostPattern() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /** Key types recorded for this host (e.g. ssh-ed25519), to offer those host-key algorithms first. */
    Set<String> knownKeyTypes() {
        Set<String> types = new LinkedHashSet<>();
        try {
            for (Entry e : entries()) {
                if (e.marker() == null && e.keyType() != null) {
                    types.add(e.keyType());
                }
            }
        } catch (IOException ignored) {
            // verifyServerKey reports it
        }
        return types;
    }

    /** The lines of the file that name this host (unreadable keys are skipped). */
    List<Entry> entries() throws IOException {
        if (!Files.isRegularFile(file)) {
            return Collections.emptyList();
        }
        List<Entry> result = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            KnownHostEntry entry;
            try {
                entry = KnownHostEntry.parseKnownHostEntry(line);
            } catch (RuntimeException e) {
                continue; // OpenSSH skips malformed lines too
            }
            if (entry == null || !entry.isHostMatch(host, port) || entry.getKeyEntry() == null) {
                continue;
            }
            PublicKey key = null;
            String type = entry.getKeyEntry().getKeyType();
            try {
                key = entry.getKeyEntry().resolvePublicKey(null, Collections.emptyMap(), PublicKeyEntryResolver.IGNORING);
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                // a key type we cannot read: it can neither match nor count as changed
            }
            String marker = entry.getMarker();
            result.add(new Entry(i + 1, marker == null || marker.isEmpty() ? null : marker, key,
                    type == null ? null : KeyUtils.getCanonicalKeyType(type)));
        }
        return result;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        String type = KeyUtils.getKeyType(serverKey);
        String fingerprint = KeyUtils.getFingerPrint(serverKey);
        List<Entry> entries;
        try {
            entries = entries();
        } catch (IOException e) {
            verdict = Verdict.UNREADABLE;
            message = "cannot read known_hosts " + file + " to check the host key of " + deviceName + ": " + e
                    + ". Fix its permissions, or point prune.knownHosts at a readable file.";
            return false;
        }
        for (Entry e : entries) {
            if ("revoked".equals(e.marker()) && e.key() != null && KeyUtils.compareKeys(e.key(), serverKey)) {
                verdict = Verdict.REVOKED;
                message = "the host key of " + deviceName + " (" + type + " " + fingerprint + ") is marked @revoked in "
                        + file + " line " + e.lineNumber() + ". Refusing to connect. If the device got a new key,"
                        + " remove that line and record the new key.";
                return false;
            }
        }
        List<Entry> sameType = new ArrayList<>();
        List<Entry> plain = new ArrayList<>();
        for (Entry e : entries) {
            if (e.marker() != null) {
                continue; // @cert-authority lines vouch for certificates, which we do not use
            }
            plain.add(e);
            if (e.key() != null && KeyUtils.compareKeys(e.key(), serverKey)) {
                verdict = Verdict.KNOWN;
                return true;
            }
            if (type.equals(e.keyType())) {
                sameType.add(e);
            }
        }
        if (!plain.isEmpty()) {
            Entry old = sameType.isEmpty() ? plain.get(0) : sameType.get(0);
            String oldKey = old.key() == null ? old.keyType() : old.keyType() + " " + KeyUtils.getFingerPrint(old.key());
            verdict = Verdict.CHANGED;
            message = "WARNING: THE HOST KEY OF " + deviceName + " HAS CHANGED. Refusing to connect (under every"
                    + " prune.hostKeyPolicy). " + file + " line " + old.lineNumber() + " records " + oldKey + " for "
                    + hostPattern() + ", but the device now presents " + type + " " + fingerprint + ". Someone may be"
                    + " intercepting the connection (man-in-the-middle), or the device was reinstalled (e.g. its SD"
                    + " card re-flashed). Only if you know it was reinstalled: check the new fingerprint on the device"
                    + " (`ssh-keygen -lf /etc/ssh/ssh_host_" + shortType(type) + "_key.pub`), remove the old entry with"
                    + " `ssh-keygen -R '" + hostPattern() + "' -f " + file + "`, and record the new key with"
                    + " `ssh-keyscan -p " + port + " " + host + " >> " + file + "`.";
            log.warn(message);
            return false;
        }
        if (policy == HostKeyPolicy.ACCEPT_NEW) {
            try {
                append(serverKey);
            } catch (IOException e) {
                verdict = Verdict.UNREADABLE;
                message = "cannot add the host key of " + deviceName + " to " + file + ": " + e
                        + ". Make it writable, or record the key yourself: `ssh-keyscan -p " + port + " " + host
                        + " >> " + file + "`.";
                return false;
            }
            verdict = Verdict.ADDED;
            log.warn("Permanently added the " + type + " host key of " + hostPattern() + " (" + fingerprint + ") to "
                    + file + " (prune.hostKeyPolicy=accept-new).");
            return true;
        }
        verdict = Verdict.UNKNOWN;
        message = "the host key of " + deviceName + " is unknown: " + hostPattern() + " is not in " + file
                + ", and prune.hostKeyPolicy is strict. The device presents " + type + " " + fingerprint + ". Check that"
                + " fingerprint on the device (`ssh-keygen -lf /etc/ssh/ssh_host_" + shortType(type) + "_key.pub`)"
                + " and record the key: `ssh-keyscan -p " + port + " " + host + " >> " + file + "` -- or let the"
                + " first connection record it with -Dprune.hostKeyPolicy=accept-new.";
        return false;
    }

    private void append(PublicKey key) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            try {
                Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        StringBuilder line = new StringBuilder();
        if (Files.isRegularFile(file) && Files.size(file) > 0) {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes[bytes.length - 1] != '\n') {
                line.append('\n');
            }
        }
        line.append(hostPattern()).append(' ');
        PublicKeyEntry.appendPublicKeyEntry(line, key);
        line.append('\n');
        Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String shortType(String type) {
        if (type.contains("ed25519")) {
            return "ed25519";
        }
        if (type.startsWith("ecdsa")) {
            return "ecdsa";
        }
        return "rsa";
    }
}
