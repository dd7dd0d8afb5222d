package io.github.edgeprune.device;

import java.util.Locale;

/** What to do with the device's SSH host key, as OpenSSH's {@code StrictHostKeyChecking}. */
public enum HostKeyPolicy {
    /** Only keys already in known_hosts are accepted; unknown or changed keys are refused. */
    STRICT("strict"),
    /** An unknown host's key is added to known_hosts; a changed key is still refused. */
    ACCEPT_NEW("accept-new");

    private final String id;

    HostKeyPolicy(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses "strict" / "accept-new" (also "yes" / "accept_new", case-insensitive). */
    public static HostKeyPolicy parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (t) {
            case "strict":
            case "yes":
                return STRICT;
            case "accept-new":
                return ACCEPT_NEW;
            default:
                throw new DeviceException(DeviceException.Kind.CONFIGURATION,
                        "prune.hostKeyPolicy must be `strict` or `accept-new`, got '" + text + "'. "
                                + "There is deliberately no policy that accepts any key: a changed host key"
                                + " is always refused.");
        }
    }
}
