package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Debian mirror this machine's apt is configured with, so the emulated device downloads from
 * the same (possibly local or proxied) place. Reads {@code /etc/apt/sources.list} (one-line
 * format) and {@code /etc/apt/sources.list.d/*.list} / {@code *.sources} (deb822 format).
 */
public final class DebianMirror {

    /** Used when the machine has no Debian source configured (e.g. an Ubuntu runner). */
    public static final URI DEFAULT = URI.create("http://deb.debian.org/debian");
    public static final URI DEFAULT_SECURITY = URI.create("http://deb.debian.org/debian-security");

    private static final Set<String> DEBIAN_SUITES = Set.of("buster", "bullseye", "bookworm", "trixie", "forky",
            "sid", "oldoldstable", "oldstable", "stable", "testing", "unstable");

    /** A {@code deb} source line: where, which suites, which components. */
    record Source(URI uri, List<String> suites, List<String> components) {
    }

    private final List<Source> sources;

    DebianMirror(List<Source> sources) {
        this.sources = List.copyOf(sources);
    }

    /** The sources configured under {@code etcApt} (normally {@code /etc/apt}). */
    public static DebianMirror configured(Path etcApt) {
        List<Source> sources = new ArrayList<>();
        try {
            Path list = etcApt.resolve("sources.list");
            if (Files.isRegularFile(list)) {
                sources.addAll(parseOneLine(Files.readString(list)));
            }
            Path dir = etcApt.resolve("sources.list.d");
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        String name = f.getFileName().toString();
                        if (name.endsWith(".list")) {
                            sources.addAll(parseOneLine(Files.readString(f)));
                        } else if (name.endsWith(".sources")) {
                            sources.addAll(parseDeb822(Files.readString(f)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            // unreadable apt configuration: fall back to the defaults
        }
        return new DebianMirror(sources);
    }

    public static DebianMirror configured() {
        return configured(Path.of("/etc/apt"));
    }

    /** The main archive: the first source that serves a Debian release suite with component main. */
    public URI archive() {
        return sources.stream()
                .filter(s -> s.components().contains("main"))
                .filter(s -> s.suites().stream().anyMatch(DEBIAN_SUITES::contains))
                .map(Source::uri)
                .findFirst()
                .orElse(DEFAULT);
    }

    /** The security archive, if the machine has one configured. */
    public Optional<URI> security() {
        return sources.stream()
                .filter(s -> s.components().contains("main"))
                .filter(s -> s.suites().stream().anyMatch(x -> x.endsWith("-security") || x.endsWith("/updates")))
                .map(Source::uri)
                .findFirst();
    }

    static List<Source> parseOneLine(String text) {
        List<Source> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.replaceAll("#.*", "").trim();
            if (!line.startsWith("deb ") && !line.startsWith("deb\t")) {
                continue;
            }
            line = line.substring(3).trim();
            if (line.startsWith("[")) { // options such as [arch=amd64 signed-by=...]
                int end = line.indexOf(']');
                if (end < 0) {
                    continue;
                }
                line = line.substring(end + 1).trim();
            }
            String[] f = line.split("\\s+");
            if (f.length < 2) {
                continue;
            }
            uri(f[0]).ifPresent(u -> out.add(new Source(u, List.of(f[1]),
                    Arrays.asList(f).subList(2, f.length))));
        }
        return out;
    }

    static List<Source> parseDeb822(String text) {
        List<Source> out = new ArrayList<>();
        for (String stanza : text.split("\n\\s*\n")) {
            List<String> types = List.of();
            List<String> uris = List.of();
            List<String> suites = List.of();
            List<String> components = List.of();
            boolean enabled = true;
            for (String raw : stanza.split("\n")) {
                if (raw.startsWith("#") || raw.startsWith(" ") || raw.startsWith("\t") || !raw.contains(":")) {
                    continue; // comments and continuation lines (Signed-By blocks) carry nothing we need
                }
                String key = raw.substring(0, raw.indexOf(':')).trim().toLowerCase(Locale.ROOT);
                List<String> values = Arrays.stream(raw.substring(raw.indexOf(':') + 1).trim().split("\\s+"))
                        .filter(v -> !v.isEmpty()).toList();
                switch (key) {
                    case "types" -> types = values;
                    case "uris" -> uris = values;
                    case "suites" -> suites = values;
                    case "components" -> components = values;
                    case "enabled" -> enabled = !values.contains("no");
                    default -> {
                    }
                }
            }
            if (!enabled || !types.contains("deb")) {
                continue;
            }
            for (String u : uris) {
                List<String> s = suites;
                List<String> c = components;
                uri(u).ifPresent(x -> out.add(new Source(x, s, c)));
            }
        }
        return out;
    }

    private static Optional<URI> uri(String text) {
        if (!text.startsWith("http://") && !text.startsWith("https://")) {
            return Optional.empty(); // file:, cdrom:, mirror+file: … are not something a chroot can reach
        }
        try {
            String t = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
            return Optional.of(URI.create(t));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
