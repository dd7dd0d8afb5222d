package io.github.edgeprune.device.verify;

import io.github.edgeprune.device.DeviceException;
import io.github.edgeprune.device.DeviceSettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The devices of {@code prune.devices}, checked before anything connects: each one {@code local},
 * {@code ssh://user@host[:port]} or {@code emulated-pi4}, none twice, and a report folder name for
 * each that is a plain file name (unique even when two specs differ only in characters a file
 * name cannot hold).
 */
public final class DeviceList {

    /** One device: what the user wrote and the folder its report goes to. */
    public record Entry(String spec, String folder) {
    }

    private DeviceList() {
    }

    /**
     * @param values the devices as Maven gives them: a POM list, or one comma-separated property
     *     (either may be null or hold comma lists itself)
     * @return the devices in the order given; empty when none is named
     */
    public static List<Entry> parse(List<String> values) {
        List<String> specs = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                if (v == null) {
                    continue;
                }
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        specs.add(part.strip());
                    }
                }
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        Set<String> folders = new LinkedHashSet<>();
        List<Entry> out = new ArrayList<>();
        for (String spec : specs) {
            if (!seen.add(spec)) {
                throw new IllegalArgumentException("prune.devices names " + spec + " twice; name each device once");
            }
            if (!DeviceTarget.EMULATED_PI4.equals(spec)) {
                try {
                    DeviceSettings.builder(spec);
                } catch (DeviceException e) {
                    // the same words as for prune.device, about one entry of the list
                    throw new IllegalArgumentException("prune.devices: " + e.getMessage()
                            .replace("prune.device must be `local` or", "each device must be `local`, `emulated-pi4` or")
                            .replace("prune.device must", "each device must"), e);
                }
            }
            String folder = folderName(spec);
            String unique = folder;
            for (int i = 2; !folders.add(unique); i++) {
                unique = folder + "-" + i;
            }
            out.add(new Entry(spec, unique));
        }
        return out;
    }

    /** {@code ssh://pi@192.168.1.20:2222} becomes {@code pi@192.168.1.20_2222}. */
    static String folderName(String spec) {
        String s = spec.startsWith("ssh://") ? spec.substring("ssh://".length()) : spec;
        s = s.replaceAll("[^A-Za-z0-9@._-]", "_").toLowerCase(Locale.ROOT);
        return s.isEmpty() || s.startsWith(".") ? "device" + s : s;
    }
}
