package io.github.edgeprune.device.verify;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.HostKeyPolicy;
import io.github.edgeprune.device.emulated.EmulatedPi4;
import io.github.edgeprune.device.emulated.Endpoint;
import io.github.edgeprune.util.Log;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What {@code prune.device} names, ready to connect to: {@code local}, {@code ssh://user@host[:port]},
 * or {@code emulated-pi4}, which is provisioned (or taken from its cache), started for this run
 * and torn down by {@link #close()}.
 */
public final class DeviceTarget implements AutoCloseable {

    public static final String EMULATED_PI4 = "emulated-pi4";

    private final DeviceSettings settings;
    private final EmulatedPi4 emulation;
    private final Map<String, Object> facts;

    private DeviceTarget(DeviceSettings settings, EmulatedPi4 emulation, Map<String, Object> facts) {
        this.settings = settings;
        this.emulation = emulation;
        this.facts = facts;
    }

    /**
     * @param spec the value of prune.device
     * @param configure applies credentials, known_hosts and timeouts to a real device's settings
     */
    public static DeviceTarget open(String spec, UnaryOperator<DeviceSettings.Builder> configure, Log log) {
        if (!EMULATED_PI4.equals(spec)) {
            return new DeviceTarget(configure.apply(DeviceSettings.builder(spec)).build(), null, Map.of());
        }
        EmulatedPi4 pi = EmulatedPi4.builder().log(log).build();
        try {
            Endpoint e = pi.start();
            DeviceSettings s = configure.apply(DeviceSettings.builder("ssh://" + e.user() + "@" + e.host() + ":" + e.port()))
                    .identityFile(e.privateKey())
                    .knownHosts(e.knownHosts())
                    .hostKeyPolicy(HostKeyPolicy.STRICT)
                    .build();
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("emulation", pi.description());
            return new DeviceTarget(s, pi, facts);
        } catch (RuntimeException e) {
            pi.close();
            throw e;
        }
    }

    public DeviceSettings settings() {
        return settings;
    }

    public boolean emulated() {
        return emulation != null;
    }

    /** Facts the device itself cannot tell (that it is an emulation, and of what). */
    public Map<String, Object> facts() {
        return facts;
    }

    @Override
    public void close() {
        if (emulation != null) {
            emulation.close();
        }
    }
}
