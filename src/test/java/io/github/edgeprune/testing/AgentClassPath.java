package io.github.edgeprune.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The agent's class path as tests can build it without Maven: the test JVM's own jars minus
 * Maven, test and SSH libraries, plus the plugin's classes (as a folder for a local device, as
 * a jar for a remote one, which only takes files).
 */
public final class AgentClassPath {

    private static final List<String> NOT_FOR_THE_AGENT = List.of("/org/apache/maven/", "/org/codehaus/plexus/",
            "/org/eclipse/", "/com/google/inject/", "/javax/inject/", "/org/junit/", "/org/opentest4j/",
            "/org/apiguardian/", "/org/apache/sshd/", "/net/i2p/", "/surefire", "/org/slf4j/slf4j-simple");

    private AgentClassPath() {
    }

    /** Jars and folders of the test class path that the agent needs, without Maven's. */
    public static List<Path> local() {
        List<Path> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String norm = entry.replace('\\', '/');
            if (entry.isBlank() || norm.endsWith("/test-classes") || NOT_FOR_THE_AGENT.stream().anyMatch(norm::contains)) {
                continue;
            }
            out.add(Path.of(entry));
        }
        return out;
    }

    /** The same with every folder packed into a jar under {@code dir}. */
    public static List<Path> jarsOnly(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : local()) {
            out.add(Files.isDirectory(p) ? pack(p, dir.resolve("edgeprune-classes.jar")) : p);
        }
        return out;
    }

    /** Jars for an ARM64 device: PyTorch's x86-64 natives swapped for the ARM64 ones Maven copied. */
    public static List<Path> jarsForAarch64(Path dir) {
        Path natives = Path.of(System.getProperty("edgeprune.agentNatives", "target/agent-natives"));
        List<Path> out = new ArrayList<>();
        for (Path p : jarsOnly(dir)) {
            String name = p.getFileName().toString();
            if (name.startsWith("pytorch-native-cpu-") && name.endsWith("-linux-x86_64.jar")) {
                Path arm = natives.resolve(name.replace("-linux-x86_64.jar", "-linux-aarch64.jar"));
                if (!Files.isRegularFile(arm)) {
                    throw new IllegalStateException("the ARM64 PyTorch natives are not at " + arm + " (mvn generate-test-resources)");
                }
                out.add(arm);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static Path pack(Path folder, Path jar) {
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os);
                Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                JarEntry e = new JarEntry(folder.relativize(f).toString().replace('\\', '/'));
                e.setTime(0); // same content, same jar: the device cache keeps one copy
                out.putNextEntry(e);
                Files.copy(f, out);
                out.closeEntry();
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
