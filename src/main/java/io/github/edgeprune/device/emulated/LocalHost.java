package io.github.edgeprune.device.emulated;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@link HostSystem} of the machine this JVM runs on. */
final class LocalHost implements HostSystem {

    static final Path BINFMT_MISC = Path.of("/proc/sys/fs/binfmt_misc");

    private final List<Path> searchPath;

    LocalHost(String path, boolean withSbin) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (path != null) {
            for (String p : path.split(":")) {
                if (!p.isEmpty()) {
                    dirs.add(Path.of(p));
                }
            }
        }
        if (withSbin) {
            // debootstrap, chroot and update-binfmts live in sbin, which a user's PATH may lack
            for (String p : List.of("/usr/local/sbin", "/usr/sbin", "/sbin")) {
                dirs.add(Path.of(p));
            }
        }
        this.searchPath = List.copyOf(dirs);
    }

    @Override
    public boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 && f[1].equals("0"); // real, effective, saved, fs
                }
            }
        } catch (IOException e) {
            // not Linux, or no /proc: the emulated device cannot run here anyway
        }
        return false;
    }

    @Override
    public Optional<Path> findCommand(String name) {
        for (Path dir : searchPath) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public long usableSpace(Path dir) throws IOException {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IOException("no existing folder above " + dir);
        }
        return Files.getFileStore(p).getUsableSpace();
    }

    @Override
    public Binfmt binfmt(String name) {
        boolean mounted = Files.exists(BINFMT_MISC.resolve("register"));
        Path entry = BINFMT_MISC.resolve(name);
        if (!mounted || !Files.isRegularFile(entry)) {
            return new Binfmt(mounted, false, false, false, "");
        }
        try {
            List<String> lines = Files.readAllLines(entry);
            boolean enabled = lines.contains("enabled");
            String interpreter = "";
            boolean fix = false;
            for (String line : lines) {
                if (line.startsWith("interpreter ")) {
                    interpreter = line.substring("interpreter ".length()).trim();
                } else if (line.startsWith("flags:")) {
                    fix = line.substring("flags:".length()).contains("F");
                }
            }
            return new Binfmt(true, true, enabled, fix, interpreter);
        } catch (IOException e) {
            return new Binfmt(true, false, false, false, "");
        }
    }

    @Override
    public String tryEnableBinfmt(String name) {
        List<String> done = new ArrayList<>();
        if (!Files.exists(BINFMT_MISC.resolve("register"))) {
            done.add(run(List.of("mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT_MISC.toString())));
        }
        Binfmt b = binfmt(name);
        if (!b.registered() || !b.enabled()) {
            Optional<Path> updateBinfmts = findCommand("update-binfmts");
            if (updateBinfmts.isPresent()) {
                done.add(run(List.of(updateBinfmts.get().toString(), "--enable", name)));
            } else {
                done.add("update-binfmts not found");
            }
        }
        return String.join("; ", done);
    }

    private static Optional<InetSocketAddress> proxyFromEnvironment(URI url) {
        String scheme = url.getScheme() == null ? "http" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        String value = System.getenv(scheme + "_proxy");
        if (value == null || value.isBlank()) {
            value = System.getenv(scheme.toUpperCase(java.util.Locale.ROOT) + "_PROXY");
        }
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            URI proxy = URI.create(value.contains("://") ? value.trim() : "http://" + value.trim());
            if (proxy.getHost() == null) {
                return Optional.empty();
            }
            return Optional.of(InetSocketAddress.createUnresolved(proxy.getHost(), proxy.getPort() > 0 ? proxy.getPort() : 80));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + ": timed out";
            }
            return String.join(" ", command) + ": exit " + p.exitValue() + (out.isEmpty() ? "" : " (" + out + ")");
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + ": interrupted";
        }
    }

    @Override
    public Optional<String> probe(URI url) {
        try {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(15))
                    .followRedirects(HttpClient.Redirect.NORMAL);
            // apt and debootstrap honour the proxy variables; so must the probe, or it lies
            proxyFromEnvironment(url).ifPresent(proxy -> builder.proxy(ProxySelector.of(proxy)));
            HttpClient client = builder.build();
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(30))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 400) {
                return Optional.of("HTTP " + response.statusCode() + " for " + url);
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + " for " + url);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while probing " + url);
        }
    }
}
