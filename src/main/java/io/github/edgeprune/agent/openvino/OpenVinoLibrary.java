package io.github.edgeprune.agent.openvino;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds {@code libopenvino_c} and says whether it can be used, and if not, why. Search order:
 * <ol>
 * <li>{@code prune.openvinoLib}: the library file, or a folder holding it (when given, nothing else is searched);</li>
 * <li>the folders in {@code LD_LIBRARY_PATH} (what OpenVINO's {@code setupvars.sh} sets);</li>
 * <li>{@code $INTEL_OPENVINO_DIR/runtime/lib/*}/;</li>
 * <li>{@code /opt/intel/openvino*}{@code /runtime/lib/*}/ (the archive install; newest version first);</li>
 * <li>{@code /usr/local/lib}, {@code /usr/local/lib/<multiarch>}, {@code /usr/lib/<multiarch>}, {@code /usr/lib}
 * (a source build, Debian/Ubuntu packages).</li>
 * </ol>
 * In each folder {@code libopenvino_c.so} is preferred, else the highest {@code libopenvino_c.so.<version>}.
 */
public final class OpenVinoLibrary {

    /** The property (and Mojo parameter) that names the library or its folder. */
    public static final String PROPERTY = "prune.openvinoLib";
    static final String BASE_NAME = "libopenvino_c.so";
    private static final Pattern VERSIONED = Pattern.compile(Pattern.quote(BASE_NAME) + "\\.[0-9][0-9.]*");

    private OpenVinoLibrary() {
    }

    /**
     * Whether the runtime can be used here.
     *
     * @param available true when the library was found, loaded and answered its version
     * @param library   the library file found (null when none)
     * @param version   {@code ov_get_openvino_version()} build number, "" when not loaded
     * @param searched  every folder or file looked at, in order
     * @param reason    why it is not available ("" when it is)
     */
    public record Availability(boolean available, Path library, String version, List<String> searched, String reason) {
    }

    /** The folders (or the one explicit file) to look in, in order. */
    static List<Path> searchPath(String explicit, Map<String, String> env, Path root, String osArch) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (explicit != null && !explicit.isBlank()) {
            dirs.add(Path.of(explicit.strip()));
            return new ArrayList<>(dirs);
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String part : ld.split(":")) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
        }
        String intel = env.get("INTEL_OPENVINO_DIR");
        if (intel != null && !intel.isBlank()) {
            dirs.addAll(subdirs(Path.of(intel).resolve("runtime/lib")));
        }
        Path opt = root.resolve("opt/intel");
        for (Path install : children(opt, "openvino")) {
            dirs.addAll(subdirs(install.resolve("runtime/lib")));
        }
        String multiarch = multiarch(osArch);
        dirs.add(root.resolve("usr/local/lib"));
        if (multiarch != null) {
            dirs.add(root.resolve("usr/local/lib").resolve(multiarch));
            dirs.add(root.resolve("usr/lib").resolve(multiarch));
        }
        dirs.add(root.resolve("usr/lib"));
        return new ArrayList<>(dirs);
    }

    /** The Debian multiarch triplet for a Java os.arch, or null. */
    static String multiarch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "arm", "armv7l", "armhf" -> "arm-linux-gnueabihf";
            default -> null;
        };
    }

    /** The library in a folder (or the file itself), if there is one. */
    static Optional<Path> findIn(Path dirOrFile) {
        if (Files.isRegularFile(dirOrFile)) {
            return Optional.of(dirOrFile);
        }
        if (!Files.isDirectory(dirOrFile)) {
            return Optional.empty();
        }
        Path plain = dirOrFile.resolve(BASE_NAME);
        if (Files.isRegularFile(plain)) {
            return Optional.of(plain);
        }
        List<Path> versioned = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dirOrFile, BASE_NAME + ".*")) {
            for (Path p : ds) {
                if (VERSIONED.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    versioned.add(p);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return versioned.stream().max(Comparator.comparing(p -> p.getFileName().toString(), OpenVinoLibrary::compareVersions));
    }

    /** Compares names by their numeric parts, so .so.2024.10 sorts after .so.2024.9. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[^0-9]+");
        String[] y = b.split("[^0-9]+");
        int n = Math.max(x.length, y.length);
        for (int i = 0; i < n; i++) {
            long u = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i]) : -1;
            long v = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i]) : -1;
            if (u != v) {
                return Long.compare(u, v);
            }
        }
        return a.compareTo(b);
    }

    /** Searches; the first hit wins. */
    static Search search(String explicit, Map<String, String> env, Path root, String osArch) {
        List<String> looked = new ArrayList<>();
        for (Path p : searchPath(explicit, env, root, osArch)) {
            looked.add(p.toString());
            Optional<Path> hit = findIn(p);
            if (hit.isPresent()) {
                return new Search(hit.get(), looked);
            }
        }
        return new Search(null, looked);
    }

    record Search(Path library, List<String> searched) {
    }

    /**
     * Finds and loads the library and asks its version; never throws.
     *
     * @param explicit {@code prune.openvinoLib}, or null
     */
    public static Availability probe(String explicit) {
        Search s = search(explicit, System.getenv(), Path.of("/"), System.getProperty("os.arch"));
        if (s.library() == null) {
            return new Availability(false, null, "", s.searched(), notFound(explicit, s));
        }
        try (OpenVinoRuntime rt = OpenVinoRuntime.load(s.library())) {
            return new Availability(true, s.library(), rt.version(), s.searched(), "");
        } catch (OpenVinoException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            return new Availability(false, s.library(), "", s.searched(), cannotUse(s.library(), e));
        }
    }

    /**
     * Finds and loads the library.
     *
     * @throws OpenVinoException saying where it looked and what went wrong, in the words of
     *     {@link #probe}'s reason
     */
    public static OpenVinoRuntime load(String explicit) {
        Search s = search(explicit, System.getenv(), Path.of("/"), System.getProperty("os.arch"));
        if (s.library() == null) {
            throw new OpenVinoException(notFound(explicit, s));
        }
        try {
            return OpenVinoRuntime.load(s.library());
        } catch (OpenVinoException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new OpenVinoException(cannotUse(s.library(), e), e);
        }
    }

    private static String notFound(String explicit, Search s) {
        return explicit != null && !explicit.isBlank()
                ? PROPERTY + "=" + explicit + " is neither the library nor a folder holding " + BASE_NAME
                : "no " + BASE_NAME + " in " + String.join(", ", s.searched()) + ". Install the OpenVINO runtime"
                + " (e.g. the archive for your OS and CPU unpacked under /opt/intel, or `pip install openvino`"
                + " and point " + PROPERTY + " at site-packages/openvino/libs), or set " + PROPERTY + ".";
    }

    private static String cannotUse(Path library, Throwable e) {
        return "found " + library + " but could not use it: " + e.getMessage() + loadHint(e.getMessage());
    }

    static String loadHint(String message) {
        if (message == null) {
            return "";
        }
        if (message.contains("wrong ELF class") || message.contains("cannot open shared object file: No such file")
                && message.contains("ELF")) {
            return ". The library is for another CPU architecture than this JVM (" + System.getProperty("os.arch") + ").";
        }
        if (message.contains("cannot open shared object file")) {
            return ". A library it depends on is missing: run OpenVINO's setupvars.sh first, or add its runtime/lib"
                    + " folder (and the folder with libtbb) to LD_LIBRARY_PATH.";
        }
        return "";
    }

    private static List<Path> children(Path dir, String prefix) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing((Path p) -> p.getFileName().toString(), OpenVinoLibrary::compareVersions).reversed());
        return out;
    }

    private static List<Path> subdirs(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }
}
