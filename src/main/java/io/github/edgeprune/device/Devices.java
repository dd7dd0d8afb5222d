package io.github.edgeprune.device;

import io.github.edgeprune.util.Log;

/** Opens a {@link Device} from its settings. */
public final class Devices {

    private Devices() {
    }

    /**
     * {@code local} gives this machine; {@code ssh://...} connects, checks the host key and logs in,
     * all within the connect timeout.
     *
     * @throws DeviceException with a message that says what to do (unreachable, host key, login)
     */
    public static Device open(DeviceSettings settings, Log log) {
        if (settings.isLocal()) {
            return new LocalDevice(settings, log);
        }
        return SshDevice.connect(settings, log);
    }
}
