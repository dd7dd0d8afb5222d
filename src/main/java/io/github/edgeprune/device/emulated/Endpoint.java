package io.github.edgeprune.device.emulated;

import java.nio.file.Path;

/**
 * How to reach a started emulated device over SSH: everything an SSH client needs, and nothing
 * that is specific to one. The keys and the known_hosts file are throw-away: they live in the
 * device's per-run folder and are deleted by {@link EmulatedPi4#close()}.
 *
 * @param host       always {@code 127.0.0.1}: the device listens on loopback only
 * @param port       the port its sshd listens on
 * @param user       {@code root}
 * @param privateKey the user's private key (OpenSSH format, ECDSA P-256, no passphrase)
 * @param knownHosts a known_hosts file holding the device's host keys as {@code [127.0.0.1]:port}
 * @param root       the device's root folder on this machine (to look at files, not to write them
 *                   behind the device's back)
 */
public record Endpoint(String host, int port, String user, Path privateKey, Path knownHosts, Path root) {

    /** {@code root@127.0.0.1:2222}, for logs. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port;
    }
}
