package io.github.edgeprune.device.emulated;

import com.google.gson.GsonBuilder;
import io.github.edgeprune.util.AtomicOutput;
import io.github.edgeprune.util.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An emulated Raspberry Pi 4 for machines without one: an arm64 Debian userland run through
 * qemu-user with the Pi 4's CPU model (Cortex-A72, ARMv8.0), reachable over SSH on loopback.
 *
 * <pre>{@code
 * try (EmulatedPi4 pi = EmulatedPi4.builder().log(log).build()) {
 *     Endpoint ssh = pi.start();       // provisions once (minutes), then reuses the cached tarball
 *     // ... connect to ssh.host():ssh.port() with ssh.privateKey() and ssh.knownHosts()
 * }                                    // sshd, every process in the userland, mounts, folder: gone
 * }</pre>
 *
 * <p>Needs root (chroot, mounts, binfmt), {@code qemu-user-static} with binfmt, and for the first
 * build {@code debootstrap} and a Debian mirror. Every problem is reported as an
 * {@link EmulatedDeviceException} whose message says what is missing and how to get it.
 *
 * <p>The emulated CPU is {@value #CPU_MODEL} for every process in the userland: sshd is started
 * with {@code QEMU_CPU} set, its sessions get it through {@code SetEnv}, and {@code /etc/environment}
 * carries it for anything started otherwise. Code built for ARMv8.1+ (LSE atomics) dies with SIGILL
 * here just as it would on a Pi 4.
 */
public final class EmulatedPi4 implements AutoCloseable {

    /** The Pi 4's CPU (BCM2711: 4 × Cortex-A72, ARMv8.0-A) as qemu names it. */
    public static final String CPU_MODEL = "cortex-a72";
    public static final String DESCRIPTION = "emulated Raspberry Pi 4 (qemu-user, " + CPU_MODEL + ")";
    public static final String USER = "root";
    public static final String HOST = "127.0.0.1";

    /** System property: the Debian mirror to build the userland from (default: this machine's apt source). */
    public static final String MIRROR_PROPERTY = "edgeprune.emulated.mirror";
    /** System property: where built userlands are cached (default {@code ~/.cache/edgeprune/emulated-pi4}). */
    public static final String CACHE_PROPERTY = "edgeprune.emulated.cacheDir";
    /** System property: where per-run copies are unpacked (default {@code <cacheDir>/runs}). */
    public static final String WORK_PROPERTY = "edgeprune.emulated.workDir";

    static final String RUN_PREFIX = "pi4-run-";
    static final String BUILD_PREFIX = ".build-";
    static final String SSHD_CONFIG = "/etc/ssh/sshd_config_edgeprune";
    static final String MARKER = "/etc/edgeprune-emulated-pi4";
    static final String CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Map<String, Object> PROVISION_MONITORS = new ConcurrentHashMap<>();

    private final Log log;
    private final HostSystem host;
    private final Recipe recipe;
    private final Path cacheDir;
    private final Path workDir;
    private final URI mirrorOverride;
    private final Duration startTimeout;
    private final Preflight preflight;
    private final Commands commands;

    private final Set<Path> owned = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object startLock = new Object();
    private volatile Thread shutdownHook;
    private volatile Process sshd;
    private volatile Endpoint endpoint;
    private volatile Path runDir;

    private EmulatedPi4(Builder b) {
        this.log = b.log;
        this.host = b.host;
        this.recipe = b.recipe;
        this.cacheDir = (b.cacheDir != null ? b.cacheDir : defaultCacheDir()).toAbsolutePath().normalize();
        Path work = b.workDir;
        if (work == null && System.getProperty(WORK_PROPERTY) != null) {
            work = Path.of(System.getProperty(WORK_PROPERTY));
        }
        this.workDir = (work != null ? work : cacheDir.resolve("runs")).toAbsolutePath().normalize();
        this.mirrorOverride = b.mirror != null ? b.mirror
                : System.getProperty(MIRROR_PROPERTY) != null ? URI.create(System.getProperty(MIRROR_PROPERTY)) : null;
        this.startTimeout = b.startTimeout;
        this.preflight = new Preflight(host, log);
        this.commands = new Commands(log);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code -Dedgeprune.emulated.cacheDir}, else {@code $XDG_CACHE_HOME/edgeprune/emulated-pi4}, else {@code ~/.cache/edgeprune/emulated-pi4}. */
    public static Path defaultCacheDir() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("edgeprune").resolve("emulated-pi4");
    }

    public Recipe recipe() {
        return recipe;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    public String description() {
        return DESCRIPTION;
    }

    /** The cached userland tarball of this recipe, if it has been built. */
    public Optional<Path> cachedTarball() {
        for (String ext : List.of(".tar.zst", ".tar.gz")) {
            Path p = cacheDir.resolve(recipe.cacheKey() + ext);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The endpoint of the running device, if {@link #start()} succeeded and it is not closed. */
    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** The Debian mirror the userland is built from. */
    public URI mirror() {
        return mirrorOverride != null ? stripSlash(mirrorOverride) : DebianMirror.configured().archive();
    }

    // ------------------------------------------------------------------------------------------
    // provisioning

    /**
     * Builds the userland of this recipe unless it is cached, and returns the cached tarball.
     * Takes minutes the first time (debootstrap, then apt under qemu); prints a line per phase
     * and a heartbeat every half minute. Safe against a second build of the same recipe at the
     * same time, in this JVM or another: the second one waits and reuses the first one's result.
     */
    public Path provision() {
        ensureOpen();
        Optional<Path> cached = cachedTarball();
        if (cached.isPresent()) {
            log.info("emulated Pi 4: reusing cached userland " + cached.get() + " (" + size(cached.get()) + ")");
            return cached.get();
        }
        preflight.requireRoot();
        Object monitor = PROVISION_MONITORS.computeIfAbsent(cacheDir + "/" + recipe.cacheKey(), k -> new Object());
        synchronized (monitor) {
            try {
                Files.createDirectories(cacheDir);
                try (FileChannel channel = FileChannel.open(cacheDir.resolve(recipe.cacheKey() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    FileLock lock = channel.tryLock();
                    if (lock == null) {
                        log.info("emulated Pi 4: another build of " + recipe.cacheKey() + " is running; waiting for it");
                        lock = channel.lock();
                    }
                    try {
                        cached = cachedTarball();
                        if (cached.isPresent()) {
                            log.info("emulated Pi 4: reusing userland built meanwhile: " + cached.get());
                            return cached.get();
                        }
                        return build();
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new EmulatedDeviceException("could not provision the emulated Pi 4 in " + cacheDir + ": " + e.getMessage(), e);
            }
        }
    }

    private Path build() throws IOException {
        HostSystem.Binfmt binfmt = preflight.requireQemu();
        Path debootstrap = preflight.requireCommand("debootstrap",
                "it builds the emulated Pi 4's arm64 Debian userland (once, then cached)", "apt-get install -y debootstrap");
        Path chroot = requireBasics();
        Path tar = host.findCommand("tar").orElseThrow();
        Optional<Path> zstd = host.findCommand("zstd");
        Path gzip = zstd.isPresent() ? null : preflight.requireCommand("gzip", "it compresses the cached userland "
                + "(zstd is preferred)", "apt-get install -y zstd");
        preflight.requireSpace(cacheDir, "userland build");
        URI mirror = mirror();
        preflight.requireMirror(mirror, recipe.suite());
        sweepLeftovers(cacheDir, BUILD_PREFIX);

        String key = recipe.cacheKey();
        String ext = zstd.isPresent() ? ".tar.zst" : ".tar.gz";
        Path target = cacheDir.resolve(key + ext);
        Path buildDir = Files.createTempDirectory(cacheDir, BUILD_PREFIX + key + "-");
        own(buildDir);
        writeOwner(buildDir);
        Path root = buildDir.resolve("root");
        Path logFile = buildDir.resolve("build.log");
        Path part = null;
        long t0 = System.nanoTime();
        log.info("emulated Pi 4: building the arm64 userland " + key + " (" + recipe.suite() + ", "
                + String.join(" ", recipe.packages()) + ") from " + mirror + "; this takes several minutes, once");
        try {
            phase(1, 5, "debootstrap: downloading and unpacking Debian " + recipe.suite() + " " + recipe.arch()
                    + " (" + recipe.variant() + ")", t0);
            commands.run("debootstrap", List.of(debootstrap.toString(), "--arch=" + recipe.arch(),
                    "--variant=" + recipe.variant(), "--foreign", "--components=main",
                    recipe.suite(), root.toString(), mirror.toString()), hostEnv(), logFile, Duration.ofMinutes(30));
            ensureInterpreter(root, binfmt);

            ensureOpen();
            phase(2, 5, "debootstrap second stage: configuring the base system (arm64 under qemu, " + CPU_MODEL + ")", t0);
            commands.run("debootstrap second stage", List.of(chroot.toString(), root.toString(),
                    "/debootstrap/debootstrap", "--second-stage"), chrootEnv(), logFile, Duration.ofMinutes(40));
            Mounts.unmountAll(root, new ArrayList<>()); // the second stage mounts proc and sys itself

            ensureOpen();
            phase(3, 5, "apt-get install " + String.join(" ", recipe.packages()) + " (under qemu)", t0);
            configureApt(root, mirror);
            // dpkg's fsync after every file costs minutes under qemu and buys nothing in a
            // throw-away build folder (the tarball is written and moved atomically at the end)
            Path unsafeIo = root.resolve("etc/dpkg/dpkg.cfg.d/edgeprune-unsafe-io");
            Files.createDirectories(unsafeIo.getParent());
            Files.writeString(unsafeIo, "force-unsafe-io\n");
            commands.run("mount proc", List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()),
                    null, logFile, Duration.ofMinutes(1));
            commands.run("apt-get update", List.of(chroot.toString(), root.toString(), "apt-get", "update"),
                    chrootEnv(), logFile, Duration.ofMinutes(20));
            List<String> install = new ArrayList<>(List.of(chroot.toString(), root.toString(), "apt-get", "install",
                    "-y", "--no-install-recommends"));
            install.addAll(recipe.packages());
            commands.run("apt-get install", install, chrootEnv(), logFile, Duration.ofMinutes(60));

            ensureOpen();
            phase(4, 5, "trimming apt caches and host keys, marking the userland as emulated", t0);
            Commands.Result versions = Commands.capture(List.of(chroot.toString(), root.toString(), "dpkg-query", "-W",
                    "-f", "${Package} ${Version}\\n"), chrootEnv(), Duration.ofMinutes(5));
            commands.run("apt-get clean", List.of(chroot.toString(), root.toString(), "apt-get", "clean"),
                    chrootEnv(), logFile, Duration.ofMinutes(5));
            List<String> problems = new ArrayList<>();
            if (!Mounts.unmountAll(root, problems).isEmpty()) {
                throw new EmulatedDeviceException("could not unmount the build's mounts: " + problems);
            }
            Files.deleteIfExists(unsafeIo); // the device itself keeps dpkg's defaults
            trim(root);

            ensureOpen();
            phase(5, 5, "packing " + target.getFileName(), t0);
            part = Files.createTempFile(cacheDir, "." + key, ext + ".part");
            List<String> pack = new ArrayList<>(List.of(tar.toString(), "--numeric-owner", "--one-file-system",
                    "-C", root.toString(), "--exclude=./proc/*", "--exclude=./sys/*", "--exclude=./dev/*",
                    "--exclude=./run/*", "--exclude=./tmp/*"));
            pack.add(zstd.isPresent() ? "--use-compress-program=" + zstd.get() + " -T0 -q" : "--use-compress-program=" + gzip);
            pack.addAll(List.of("-cf", part.toString(), "."));
            commands.run("packing", pack, hostEnv(), logFile, Duration.ofMinutes(20));

            long userlandBytes = folderSize(root);
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("recipe", recipe);
            manifest.put("cacheKey", key);
            manifest.put("mirror", mirror.toString());
            manifest.put("built", Instant.now().toString());
            manifest.put("buildSeconds", (System.nanoTime() - t0) / 1_000_000_000L);
            manifest.put("userlandBytes", userlandBytes);
            manifest.put("tarballBytes", Files.size(part));
            manifest.put("installed", versions.ok() ? versions.output().strip().split("\n") : new String[0]);
            Path manifestFile = cacheDir.resolve(key + ".json");
            AtomicOutput.writeString(manifestFile, new GsonBuilder().setPrettyPrinting().create().toJson(manifest) + "\n");
            Files.setPosixFilePermissions(manifestFile, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
            move(part, target);
            part = null;
            log.info("emulated Pi 4: userland ready in " + Durations.since(t0) + ": " + target + " (" + size(target)
                    + ", " + userlandBytes / Preflight.MB + " MB unpacked)");
            return target;
        } catch (RuntimeException | IOException e) {
            Path kept = cacheDir.resolve(key + ".failed.log");
            try {
                Files.copy(logFile, kept, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                kept = logFile;
            }
            if (closed.get()) {
                throw new EmulatedDeviceException("emulated Pi 4 was closed while building its userland", e);
            }
            throw new EmulatedDeviceException(e.getMessage() + "\n(full build log: " + kept + ")", e);
        } finally {
            if (part != null) {
                Files.deleteIfExists(part);
            }
            cleanUp(buildDir, new ArrayList<>());
        }
    }

    private void phase(int n, int of, String what, long t0) {
        log.info("emulated Pi 4: [" + n + "/" + of + "] " + what + " (" + Durations.since(t0) + " so far)");
    }

    /** apt sources from the same mirror, services never started by package scripts, DNS for apt. */
    private void configureApt(Path root, URI mirror) throws IOException {
        StringBuilder sources = new StringBuilder();
        sources.append("deb ").append(mirror).append(' ').append(recipe.suite()).append(" main\n");
        if (isStableRelease(recipe.suite())) {
            sources.append("deb ").append(mirror).append(' ').append(recipe.suite()).append("-updates main\n");
            URI security = mirrorOverride != null ? null : DebianMirror.configured().security().orElse(null);
            if (security != null) {
                sources.append("deb ").append(security).append(' ').append(recipe.suite()).append("-security main\n");
            }
        }
        Files.writeString(root.resolve("etc/apt/sources.list"), sources.toString());
        // package scripts must not start sshd (or anything) inside the build: there is no init here
        Path policy = root.resolve("usr/sbin/policy-rc.d");
        Files.writeString(policy, "#!/bin/sh\n# edgeprune: no services start inside the emulated Pi 4's userland\nexit 101\n");
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rwxr-xr-x"));
        copyResolvConf(root);
    }

    private static boolean isStableRelease(String suite) {
        return Set.of("bullseye", "bookworm", "trixie", "forky").contains(suite);
    }

    private void trim(Path root) throws IOException {
        deleteChildren(root.resolve("var/lib/apt/lists"), "lock", "partial");
        deleteChildren(root.resolve("var/cache/apt"));
        // host keys are generated per run; none may be shared through the cache
        try (DirectoryStream<Path> keys = Files.newDirectoryStream(root.resolve("etc/ssh"), "ssh_host_*")) {
            for (Path k : keys) {
                Files.delete(k);
            }
        }
        Files.writeString(root.resolve("etc/resolv.conf"), "");
        Files.writeString(root.resolve("etc/environment"), "QEMU_CPU=" + CPU_MODEL + "\n");
        Files.writeString(root.resolve(MARKER.substring(1)), "# " + DESCRIPTION + ", built by prune-maven-plugin\n"
                + "cpu=" + CPU_MODEL + "\n" + recipe.canonical());
    }

    private static void deleteChildren(Path dir, String... keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        Set<String> kept = Set.of(keep);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path c : children) {
                if (!kept.contains(c.getFileName().toString())) {
                    if (Files.isDirectory(c, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        AtomicOutput.deleteRecursively(c);
                    } else {
                        Files.delete(c);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // starting

    /**
     * Starts the device (provisioning first if the recipe is not cached) and returns how to reach
     * it. Unpacks a private copy of the userland, mounts {@code proc}, {@code sys} and {@code dev},
     * makes throw-away host and user keys, and starts the userland's own sshd through qemu on a
     * free loopback port. Returns the same endpoint when called again.
     */
    public Endpoint start() {
        synchronized (startLock) {
            ensureOpen();
            if (endpoint != null) {
                return endpoint;
            }
            preflight.requireRoot();
            HostSystem.Binfmt binfmt = preflight.requireQemu();
            Path chroot = requireBasics();
            Path tarball = provision();
            if (tarball.toString().endsWith(".zst")) {
                preflight.requireCommand("zstd", "the cached userland " + tarball.getFileName() + " is zstd-compressed",
                        "apt-get install -y zstd");
            }
            try {
                Files.createDirectories(workDir);
                preflight.requireSpace(workDir, "per-run copy");
                sweepLeftovers(workDir, RUN_PREFIX);
                long t0 = System.nanoTime();
                Path dir = Files.createTempDirectory(workDir, RUN_PREFIX);
                own(dir);
                writeOwner(dir);
                runDir = dir;
                Path root = dir.resolve("root");
                Files.createDirectories(root);
                Path logFile = dir.resolve("start.log");

                log.info("emulated Pi 4: [1/4] unpacking " + tarball.getFileName() + " into " + dir);
                commands.run("unpacking the userland", List.of(host.findCommand("tar").orElseThrow().toString(),
                        "--numeric-owner", "-xpf", tarball.toString(),
                        tarball.toString().endsWith(".zst") ? "--zstd" : "--gzip", "-C", root.toString()),
                        hostEnv(), logFile, Duration.ofMinutes(10));
                ensureInterpreter(root, binfmt);
                ensureOpen();

                log.info("emulated Pi 4: [2/4] mounting proc, sys and dev (" + Durations.since(t0) + ")");
                mountSystem(root, logFile);
                copyResolvConf(root);
                Files.createDirectories(root.resolve("run/sshd"));

                log.info("emulated Pi 4: [3/4] making throw-away host and user keys (" + Durations.since(t0) + ")");
                Path keys = Files.createDirectories(dir.resolve("keys"));
                Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwx------"));
                List<Path> hostKeys = List.of(root.resolve("etc/ssh/ssh_host_ed25519_key"),
                        root.resolve("etc/ssh/ssh_host_ecdsa_key"));
                keygen(chroot, root, "ed25519", hostKeys.get(0), "emulated-pi4 host", logFile);
                keygen(chroot, root, "ecdsa", hostKeys.get(1), "emulated-pi4 host", logFile);
                Path userKey = keys.resolve("id_ecdsa");
                keygen(chroot, root, "ecdsa", userKey, "edgeprune@emulated-pi4", logFile);
                authorize(root, Files.readString(Path.of(userKey + ".pub")));

                log.info("emulated Pi 4: [4/4] starting its sshd under qemu (" + CPU_MODEL + ") (" + Durations.since(t0) + ")");
                int port = startSshd(chroot, root, dir);
                Path knownHosts = dir.resolve("known_hosts");
                StringBuilder kh = new StringBuilder();
                for (Path k : hostKeys) {
                    String[] pub = Files.readString(Path.of(k + ".pub")).trim().split("\\s+");
                    kh.append('[').append(HOST).append("]:").append(port).append(' ')
                            .append(pub[0]).append(' ').append(pub[1]).append('\n');
                }
                Files.writeString(knownHosts, kh.toString());
                endpoint = new Endpoint(HOST, port, USER, userKey, knownHosts, root);
                log.info("emulated Pi 4 ready in " + Durations.since(t0) + ": ssh -i " + userKey
                        + " -o UserKnownHostsFile=" + knownHosts + " -p " + port + " " + USER + "@" + HOST);
                return endpoint;
            } catch (IOException | RuntimeException e) {
                // a start that fails half way leaves nothing running, mounted or unpacked
                abandonRun();
                if (e instanceof EmulatedDeviceException ede) {
                    throw ede;
                }
                throw new EmulatedDeviceException("could not start the emulated Pi 4: " + e.getMessage(), e);
            }
        }
    }

    private void abandonRun() {
        Process p = sshd;
        if (p != null) {
            Commands.destroyTree(p);
            sshd = null;
        }
        Path dir = runDir;
        if (dir != null) {
            List<String> problems = new ArrayList<>();
            cleanUp(dir, problems);
            problems.forEach(log::warn);
            runDir = null;
        }
    }

    /** chroot, mount, umount and tar: part of every Debian, but said plainly if absent. */
    private Path requireBasics() {
        Path chroot = preflight.requireCommand("chroot", "the emulated Pi 4's programs run chrooted in its userland",
                "apt-get install -y coreutils");
        preflight.requireCommand("mount", "the emulated Pi 4 mounts proc, sys and dev into its userland",
                "apt-get install -y mount");
        preflight.requireCommand("umount", "the emulated Pi 4 unmounts its userland when it closes",
                "apt-get install -y mount");
        preflight.requireCommand("tar", "the emulated Pi 4's userland is cached as a tarball", "apt-get install -y tar");
        return chroot;
    }

    private void mountSystem(Path root, Path logFile) {
        Duration t = Duration.ofMinutes(1);
        commands.run("mount proc", List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()), null, logFile, t);
        for (String fs : List.of("sys", "dev")) {
            String at = root.resolve(fs).toString();
            commands.run("mount " + fs, List.of("mount", "--rbind", "/" + fs, at), null, logFile, t);
            // a slave: the host's mounts show up inside, nothing done inside leaks out
            commands.run("mount " + fs, List.of("mount", "--make-rslave", at), null, logFile, t);
        }
        // The device's own cache (the agent's jars, by content hash) outlives this throw-away
        // userland, as it would on a real Pi: a second run uploads only what changed.
        try {
            Path persistent = Files.createDirectories(cacheDir().resolve("device-cache"));
            Path at = Files.createDirectories(root.resolve("root/.cache/edgeprune"));
            commands.run("mount the device cache", List.of("mount", "--bind", persistent.toString(), at.toString()), null,
                    logFile, t);
        } catch (IOException e) {
            throw new EmulatedDeviceException("could not prepare the emulated device's cache folder: " + e.getMessage());
        }
    }

    private void copyResolvConf(Path root) throws IOException {
        Path resolv = root.resolve("etc/resolv.conf");
        Files.deleteIfExists(resolv);
        Path hostResolv = Path.of("/etc/resolv.conf");
        if (Files.isReadable(hostResolv)) {
            Files.write(resolv, Files.readAllBytes(hostResolv));
        } else {
            Files.writeString(resolv, "");
        }
    }

    /** With the host's ssh-keygen when there is one (fast), else the userland's (under qemu). */
    private void keygen(Path chroot, Path root, String type, Path key, String comment, Path logFile) throws IOException {
        List<String> typeArgs = type.equals("ecdsa") ? List.of("-t", "ecdsa", "-b", "256") : List.of("-t", type);
        Optional<Path> hostKeygen = host.findCommand("ssh-keygen");
        List<String> cmd = new ArrayList<>();
        if (hostKeygen.isPresent()) {
            cmd.add(hostKeygen.get().toString());
            cmd.addAll(List.of("-q", "-N", "", "-C", comment, "-f", key.toString()));
            cmd.addAll(typeArgs);
            commands.run("ssh-keygen", cmd, hostEnv(), logFile, Duration.ofMinutes(2));
            return;
        }
        String inside = "/tmp/edgeprune-key-" + type + "-" + System.nanoTime();
        cmd.addAll(List.of(chroot.toString(), root.toString(), "/usr/bin/ssh-keygen", "-q", "-N", "", "-C", comment, "-f", inside));
        cmd.addAll(typeArgs);
        commands.run("ssh-keygen (in the userland)", cmd, chrootEnv(), logFile, Duration.ofMinutes(5));
        move(root.resolve(inside.substring(1)), key);
        move(root.resolve(inside.substring(1) + ".pub"), Path.of(key + ".pub"));
    }

    private static void authorize(Path root, String publicKey) throws IOException {
        Path ssh = Files.createDirectories(root.resolve("root/.ssh"));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path authorized = ssh.resolve("authorized_keys");
        Files.writeString(authorized, publicKey.trim() + "\n");
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
    }

    private static String sshdConfig() {
        return String.join("\n",
                "# written by prune-maven-plugin for the " + DESCRIPTION,
                "ListenAddress " + HOST,
                "HostKey /etc/ssh/ssh_host_ed25519_key",
                "HostKey /etc/ssh/ssh_host_ecdsa_key",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "AuthorizedKeysFile .ssh/authorized_keys",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                // PAM's session modules (loginuid, systemd) fail in a chroot; keys are all we need
                "UsePAM no",
                // every program a session starts runs as the Pi 4's CPU
                "SetEnv QEMU_CPU=" + CPU_MODEL,
                "PermitUserEnvironment no",
                "UseDNS no",
                "PrintMotd no",
                "PrintLastLog no",
                "X11Forwarding no",
                "MaxStartups 100:30:200",
                "MaxSessions 100",
                "ClientAliveInterval 0",
                "PidFile none",
                "Subsystem sftp internal-sftp",
                "");
    }

    private int startSshd(Path chroot, Path root, Path dir) throws IOException {
        Files.writeString(root.resolve(SSHD_CONFIG.substring(1)), sshdConfig());
        Path sshdLog = dir.resolve("sshd.log");
        String lastProblem = "";
        for (int attempt = 1; attempt <= 5; attempt++) {
            ensureOpen();
            int port = freePort();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", CHROOT_PATH);
            env.put("HOME", "/root");
            env.put("LANG", "C.UTF-8");
            env.put("QEMU_CPU", CPU_MODEL);
            ProcessBuilder pb = new ProcessBuilder(chroot.toString(), root.toString(), "/usr/sbin/sshd", "-D", "-e",
                    "-f", SSHD_CONFIG, "-p", Integer.toString(port), "-o", "ListenAddress=" + HOST)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(sshdLog.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            sshd = p;
            String problem = awaitBanner(p, port, sshdLog);
            if (problem == null) {
                return port;
            }
            lastProblem = problem;
            Commands.destroyTree(p);
            if (!problem.contains("Address already in use")) {
                break;
            }
            log.info("emulated Pi 4: port " + port + " was taken meanwhile; trying another");
        }
        throw new EmulatedDeviceException("the emulated Pi 4's sshd did not come up: " + lastProblem);
    }

    /** Null once sshd answers with its SSH banner; otherwise why not. */
    private String awaitBanner(Process p, int port, Path sshdLog) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return "sshd exited with status " + p.exitValue() + ":\n" + Commands.tail(sshdLog, 15);
            }
            if (closed.get()) {
                return "closed while starting";
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 1000);
                s.setSoTimeout(20_000);
                String banner = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (banner != null && banner.startsWith("SSH-") && p.isAlive()) {
                    return null;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for sshd";
            }
        }
        return "no SSH banner on " + HOST + ":" + port + " within " + Durations.format(startTimeout) + ":\n"
                + Commands.tail(sshdLog, 15);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------
    // tearing down

    /**
     * Stops sshd and every process running in the userland, unmounts everything under it (lazily
     * if busy) and deletes the per-run folder. Idempotent; also runs from a JVM shutdown hook if
     * the build is interrupted. Throws if something could not be removed (after trying all of it).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<String> problems = tearDown();
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down; the hook is running or will find nothing to do
            }
        }
        if (!problems.isEmpty()) {
            throw new EmulatedDeviceException("the emulated Pi 4 could not be torn down completely: " + String.join("; ", problems));
        }
    }

    private List<String> tearDown() {
        List<String> problems = new ArrayList<>();
        commands.stopAll();
        Process p = sshd;
        if (p != null) {
            Commands.destroyTree(p);
        }
        for (Path dir : new ArrayList<>(owned)) {
            cleanUp(dir, problems);
        }
        endpoint = null;
        return problems;
    }

    /** Kills what runs under {@code dir}, unmounts what is mounted under it, deletes it. */
    private void cleanUp(Path dir, List<String> problems) {
        List<Long> survivors = RootProcesses.killAll(dir);
        if (!survivors.isEmpty()) {
            problems.add("processes still running under " + dir + ": " + survivors);
        }
        List<Path> mounted = Mounts.unmountAll(dir, problems);
        if (!mounted.isEmpty()) {
            // never delete through a mount point: that would delete the host's /dev or /sys
            problems.add("still mounted, so " + dir + " was left in place: " + mounted);
            return;
        }
        if (Files.exists(dir)) {
            Commands.Result rm = Commands.capture(List.of("rm", "-rf", "--one-file-system", dir.toString()), null,
                    Duration.ofMinutes(5));
            if (Files.exists(dir)) {
                problems.add("could not delete " + dir + ": " + rm.output().strip());
                return;
            }
        }
        owned.remove(dir);
    }

    private void own(Path dir) {
        owned.add(dir);
        if (shutdownHook == null) {
            synchronized (owned) {
                if (shutdownHook == null) {
                    Thread hook = new Thread(() -> {
                        if (closed.compareAndSet(false, true)) {
                            tearDown();
                        }
                    }, "edgeprune-emulated-pi4-cleanup");
                    Runtime.getRuntime().addShutdownHook(hook);
                    shutdownHook = hook;
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new EmulatedDeviceException("the emulated Pi 4 is closed");
        }
    }

    // ------------------------------------------------------------------------------------------
    // leftovers of runs that died without closing (kill -9, power loss)

    private static void writeOwner(Path dir) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Files.writeString(dir.resolve("owner"), self.pid() + " " + started + "\n");
    }

    /** Folders whose owning process is gone: their processes, mounts and files are removed. */
    private void sweepLeftovers(Path parent, String prefix) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path d : dirs) {
                if (Files.isDirectory(d) && !owned.contains(d) && ownerGone(d)) {
                    stale.add(d);
                }
            }
        } catch (IOException e) {
            return;
        }
        for (Path d : stale) {
            log.info("emulated Pi 4: removing " + d + ", left behind by a run that did not close");
            List<String> problems = new ArrayList<>();
            cleanUpForeign(d, problems);
            problems.forEach(log::warn);
        }
    }

    private static void cleanUpForeign(Path dir, List<String> problems) {
        RootProcesses.killAll(dir);
        if (!Mounts.unmountAll(dir, problems).isEmpty()) {
            return;
        }
        Commands.capture(List.of("rm", "-rf", "--one-file-system", dir.toString()), null, Duration.ofMinutes(5));
    }

    static boolean ownerGone(Path dir) {
        Path owner = dir.resolve("owner");
        try {
            if (!Files.exists(owner)) {
                // created but never marked: only stale if old
                return Files.getLastModifiedTime(dir).toInstant().isBefore(Instant.now().minus(Duration.ofHours(1)));
            }
            String[] f = Files.readString(owner).trim().split("\\s+");
            long pid = Long.parseLong(f[0]);
            long started = f.length > 1 ? Long.parseLong(f[1]) : 0;
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty() || !h.get().isAlive()) {
                return true;
            }
            long actual = h.get().info().startInstant().map(Instant::toEpochMilli).orElse(started);
            return started != 0 && Math.abs(actual - started) > 1000; // the pid was reused
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    /**
     * Without binfmt's F flag the kernel looks for qemu inside the chroot, at the path it was
     * registered with; put a copy there.
     */
    private void ensureInterpreter(Path root, HostSystem.Binfmt binfmt) throws IOException {
        if (binfmt.fixBinary() || binfmt.interpreter().isEmpty()) {
            return;
        }
        Path inside = root.resolve(binfmt.interpreter().substring(1));
        if (Files.exists(inside)) {
            return;
        }
        log.warn("emulated Pi 4: binfmt entry " + Preflight.BINFMT_NAME + " lacks the F flag; copying "
                + binfmt.interpreter() + " into the userland");
        Files.createDirectories(inside.getParent());
        Files.copy(Path.of(binfmt.interpreter()).toRealPath(), inside, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(inside, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Map<String, String> hostEnv() {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        String path = env.getOrDefault("PATH", "");
        env.put("PATH", CHROOT_PATH + (path.isEmpty() ? "" : ":" + path));
        env.put("LC_ALL", "C");
        return env;
    }

    /** A clean environment for programs in the userland: the Pi 4's CPU, no host locale, proxies kept. */
    private static Map<String, String> chrootEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", CHROOT_PATH);
        env.put("HOME", "/root");
        env.put("LC_ALL", "C");
        env.put("LANG", "C");
        env.put("QEMU_CPU", CPU_MODEL);
        env.put("DEBIAN_FRONTEND", "noninteractive");
        env.put("DEBCONF_NONINTERACTIVE_SEEN", "true");
        for (String proxy : List.of("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")) {
            String v = System.getenv(proxy);
            if (v != null) {
                env.put(proxy, v);
            }
        }
        return env;
    }

    private static void move(Path from, Path to) throws IOException {
        AtomicOutput.move(from, to);
    }

    private static URI stripSlash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : u;
    }

    private static String size(Path file) {
        try {
            return Files.size(file) / Preflight.MB + " MB";
        } catch (IOException e) {
            return "?";
        }
    }

    static long folderSize(Path dir) {
        Commands.Result du = Commands.capture(List.of("du", "-sxb", dir.toString()), null, Duration.ofMinutes(2));
        try {
            return du.ok() ? Long.parseLong(du.output().trim().split("\\s+")[0]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Options; everything has a default. */
    public static final class Builder {
        private Log log = Log.console();
        private HostSystem host = HostSystem.local();
        private Recipe recipe = Recipe.PI4_BOOKWORM;
        private Path cacheDir;
        private Path workDir;
        private URI mirror;
        private Duration startTimeout = Duration.ofMinutes(2);

        private Builder() {
        }

        public Builder log(Log value) {
            this.log = value;
            return this;
        }

        /** The machine to check and run on; tests inject one to simulate missing tools or a non-root user. */
        public Builder host(HostSystem value) {
            this.host = value;
            return this;
        }

        public Builder recipe(Recipe value) {
            this.recipe = value;
            return this;
        }

        /** Where userland tarballs are cached (default {@link #defaultCacheDir()}). */
        public Builder cacheDir(Path value) {
            this.cacheDir = value;
            return this;
        }

        /** Where per-run copies are unpacked (default {@code <cacheDir>/runs}); needs ≈ 1 GB. */
        public Builder workDir(Path value) {
            this.workDir = value;
            return this;
        }

        /** The Debian mirror (default: this machine's apt source, else deb.debian.org). */
        public Builder mirror(URI value) {
            this.mirror = value;
            return this;
        }

        /** How long sshd may take to answer once started (default 2 minutes). */
        public Builder startTimeout(Duration value) {
            this.startTimeout = value;
            return this;
        }

        public EmulatedPi4 build() {
            return new EmulatedPi4(this);
        }
    }
}
