package io.github.edgeprune.maven;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * The agent's class path for a device: the plugin's own jar and runtime dependencies (no
 * Maven types among them), minus what only the build machine uses (the SSH client), with
 * PyTorch's native jar swapped for the device's architecture and resolved through Maven like
 * any other artifact.
 */
final class AgentClassPathResolver {

    /** Artifacts the agent never loads on the device. */
    private static final Set<String> BUILD_MACHINE_ONLY = Set.of("org.apache.sshd", "net.i2p.crypto",
            "org.codehaus.plexus", "org.slf4j:jcl-over-slf4j");
    private static final String NATIVE = "ai.djl.pytorch:pytorch-native-cpu";

    private final PluginDescriptor plugin;
    private final RepositorySystem repositories;
    private final RepositorySystemSession session;
    private final List<RemoteRepository> remotes;

    AgentClassPathResolver(PluginDescriptor plugin, RepositorySystem repositories, RepositorySystemSession session,
            List<RemoteRepository> remotes) {
        this.plugin = plugin;
        this.repositories = repositories;
        this.session = session;
        this.remotes = remotes;
    }

    /** Jars for a device reporting this {@code uname -m}. */
    List<Path> forArch(String unameM) {
        String classifier = switch (unameM) {
            case "x86_64", "amd64" -> "linux-x86_64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> throw new IllegalArgumentException("the device's architecture '" + unameM + "' is not supported"
                    + " (supported: x86_64, aarch64 — a Raspberry Pi 4 needs a 64-bit OS)");
        };
        List<Path> out = new ArrayList<>();
        out.add(plugin.getPluginArtifact().getFile().toPath());
        for (Artifact a : plugin.getArtifacts()) {
            String ga = a.getGroupId() + ":" + a.getArtifactId();
            if (BUILD_MACHINE_ONLY.contains(a.getGroupId()) || BUILD_MACHINE_ONLY.contains(ga)) {
                continue;
            }
            if (ga.equals(NATIVE)) {
                out.add(classifier.equals(a.getClassifier()) ? a.getFile().toPath() : resolve(a, classifier));
                continue;
            }
            out.add(a.getFile().toPath());
        }
        return out;
    }

    private Path resolve(Artifact a, String classifier) {
        DefaultArtifact wanted = new DefaultArtifact(a.getGroupId(), a.getArtifactId(), classifier, "jar", a.getVersion());
        try {
            File f = repositories.resolveArtifact(session, new ArtifactRequest(wanted, remotes, null)).getArtifact().getFile();
            return f.toPath();
        } catch (ArtifactResolutionException e) {
            throw new IllegalStateException("could not resolve " + wanted + " for the device: " + e.getMessage(), e);
        }
    }
}
