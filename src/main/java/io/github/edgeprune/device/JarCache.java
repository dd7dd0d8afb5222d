package io.github.edgeprune.device;

import io.github.edgeprune.util.Fingerprint;
import io.github.edgeprune.util.Log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A content-addressed cache of the agent's jars and native libraries on the device:
 * {@code ~/.cache/edgeprune/jars/<sha256>/<name>}. One command asks which are already there;
 * only the missing ones are uploaded, so a second run with the same jars sends nothing.
 */
public final class JarCache {

    private final Device device;
    private final String root;
    private final Log log;

    /** The cache in {@code $HOME/.cache/edgeprune/jars} of the device's login user. */
    public JarCache(Device device, Log log) {
        this(device, device.home() + "/.cache/edgeprune/jars", log);
    }

    /** A cache in {@code root} (an absolute path on the device). */
    public JarCache(Device device, String root, Log log) {
        if (!root.startsWith("/")) {
            throw new IllegalArgumentException("cache root must be absolute: " + root);
        }
        this.device = device;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.log = log;
    }

    public String root() {
        return root;
    }

    /**
     * What {@link #sync} did.
     *
     * @param remotePaths   where each given file is on the device, in the order given
     * @param uploaded      the local files that were sent this time
     * @param bytesUploaded how many bytes were sent
     * @param alreadyThere  how many (distinct) files were already in the cache
     */
    public record Result(List<String> remotePaths, List<Path> uploaded, long bytesUploaded, int alreadyThere) {

        /** The remote paths joined with ':' for {@code java -cp}. */
        public String classPath() {
            return String.join(":", remotePaths);
        }

        /** "uploaded 2 files (3.4 MB), 7 already on the device". */
        public String summary() {
            return "uploaded " + uploaded.size() + (uploaded.size() == 1 ? " file" : " files") + " ("
                    + String.format(Locale.ROOT, "%.1f MB", bytesUploaded / 1e6) + "), " + alreadyThere
                    + " already on the device";
        }
    }

    /** Makes sure every file is in the cache; returns where they are. */
    public Result sync(List<Path> files) {
        Map<String, Path> entries = new LinkedHashMap<>(); // "<sha>/<name>" -> local file
        Map<String, String> shas = new HashMap<>(); // entry -> sha256, so upload need not hash again
        List<String> remote = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new DeviceException(DeviceException.Kind.CONFIGURATION, "cannot upload " + f + ": not a file");
            }
            String sha = Fingerprint.sha256(f);
            String entry = sha + "/" + safeName(f.getFileName().toString());
            entries.putIfAbsent(entry, f);
            shas.putIfAbsent(entry, sha);
            remote.add(root + "/" + entry);
        }
        Set<String> present = present(entries.keySet());
        List<Path> uploaded = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, Path> e : entries.entrySet()) {
            if (present.contains(e.getKey())) {
                continue;
            }
            bytes += device.upload(e.getValue(), root + "/" + e.getKey(), shas.get(e.getKey()));
            uploaded.add(e.getValue());
            log.debug("uploaded " + e.getValue() + " to " + device.name() + ":" + root + "/" + e.getKey());
        }
        Result r = new Result(List.copyOf(remote), List.copyOf(uploaded), bytes, entries.size() - uploaded.size());
        log.info("Agent files on " + device.name() + ": " + r.summary() + " (cache " + root + ")");
        return r;
    }

    /** Which entries exist, asked with one command. */
    private Set<String> present(Iterable<String> entries) {
        StringBuilder cmd = new StringBuilder("cd ").append(Shell.quote(root)).append(" 2>/dev/null || exit 0; for f in");
        int n = 0;
        for (String e : entries) {
            cmd.append(' ').append(Shell.quote(e));
            n++;
        }
        if (n == 0) {
            return Set.of();
        }
        cmd.append("; do [ -f \"$f\" ] && echo \"$f\"; done; exit 0");
        ExecResult r = device.run(cmd.toString()).requireSuccess("checking the jar cache");
        return new HashSet<>(r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    /** File names as they go on the device: no slashes, no shell-hostile characters. */
    static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._+-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
