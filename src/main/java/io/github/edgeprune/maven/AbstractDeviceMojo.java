package io.github.edgeprune.maven;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.HostKeyPolicy;
import io.github.edgeprune.device.verify.BudgetException;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.DeviceList;
import java.io.File;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.SettingsProblem;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.repository.RemoteRepository;

/**
 * What every goal that measures on a device shares (verify-on-device, optimize): which devices,
 * how to reach and log in to them, how the agent runs there, and the budgets, with one set of
 * properties, checks and messages.
 */
abstract class AbstractDeviceMojo extends AbstractPruneMojo {

    /** {@code local}, {@code ssh://user@host[:port]} or {@code emulated-pi4}. */
    @Parameter(property = "prune.device", defaultValue = "local")
    protected String device;

    /**
     * Several devices, measured in parallel: a comma list ({@code -Dprune.devices=local,ssh://pi@pi4})
     * or a POM list of {@code <device>}. Every device must pass; when set, prune.device is not used.
     */
    @Parameter(property = "prune.devices")
    protected List<String> devices;

    /** With prune.devices: how many devices are measured at the same time. */
    @Parameter(property = "prune.deviceParallelism", defaultValue = "4")
    protected int deviceParallelism;

    /** A {@code <server>} in settings.xml with the device's username and password or private key. */
    @Parameter(property = "prune.serverId")
    protected String serverId;

    /** A private key file for the device (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
    @Parameter(property = "prune.identityFile")
    protected File identityFile;

    /** OpenSSH known_hosts file the device's host key is checked against. */
    @Parameter(property = "prune.knownHosts")
    protected File knownHosts;

    /** {@code strict} (unknown or changed host keys refused) or {@code accept-new}. */
    @Parameter(property = "prune.hostKeyPolicy", defaultValue = "strict")
    protected String hostKeyPolicy;

    /** Seconds to connect and log in. */
    @Parameter(property = "prune.connectTimeout", defaultValue = "10")
    protected int connectTimeout;

    /** Seconds for each short command on the device. */
    @Parameter(property = "prune.commandTimeout", defaultValue = "120")
    protected int commandTimeout;

    /** Minutes one measurement on a device may take. */
    @Parameter(property = "prune.runTimeout", defaultValue = "60")
    protected int runTimeout;

    /** java on the device. */
    @Parameter(property = "prune.remoteJava", defaultValue = "java")
    protected String remoteJava;

    /** JVM options for the agent on the device, space separated. */
    @Parameter(property = "prune.agentJvmArgs", defaultValue = "")
    protected String agentJvmArgs;

    /** {@code auto} (openvino, then onnxruntime, then djl), {@code openvino}, {@code onnxruntime} or {@code djl}. */
    @Parameter(property = "prune.backend", defaultValue = "auto")
    protected String backend;

    /** libopenvino_c on the device (default: the usual install locations). */
    @Parameter(property = "prune.openvinoLib")
    protected String openvinoLib;

    /** Inferences before measuring. */
    @Parameter(property = "prune.warmup", defaultValue = "10")
    protected int warmup;

    /** Measured frames (0: each validation image once). */
    @Parameter(property = "prune.iterations", defaultValue = "0")
    protected int iterations;

    /** Minimum mAP50 on the device. */
    @Parameter(property = "prune.minMap50")
    protected String minMap50;

    /** Maximum latency of one inference, in ms. */
    @Parameter(property = "prune.maxLatencyMs")
    protected String maxLatencyMs;

    /** Which latency the budget applies to: median, p90 or mean. */
    @Parameter(property = "prune.latencyStatistic", defaultValue = "median")
    protected String latencyStatistic;

    /** Maximum peak resident memory of the agent, in MB. */
    @Parameter(property = "prune.maxMemoryMb")
    protected String maxMemoryMb;

    /** Fail the build when a budget is missed (false: warn only). */
    @Parameter(property = "prune.failOnViolation", defaultValue = "true")
    protected boolean failOnViolation;

    @Parameter(defaultValue = "${settings}", readonly = true)
    private Settings settings;

    @Parameter(defaultValue = "${plugin}", readonly = true)
    private PluginDescriptor plugin;

    @Parameter(defaultValue = "${repositorySystemSession}", readonly = true)
    private RepositorySystemSession repositorySession;

    @Parameter(defaultValue = "${project.remotePluginRepositories}", readonly = true)
    private List<RemoteRepository> remoteRepositories;

    @Component
    private RepositorySystem repositorySystem;

    @Component
    private SettingsDecrypter decrypter;

    /** The budgets, every problem with them reported at once. */
    protected Budgets budgets() throws MojoExecutionException {
        try {
            return Budgets.builder().minMap50(minMap50).maxLatencyMs(maxLatencyMs).latencyStatistic(latencyStatistic)
                    .maxMemoryMb(maxMemoryMb).build();
        } catch (BudgetException e) {
            throw new MojoExecutionException(e.getMessage());
        }
    }

    /** prune.devices checked, or null when only prune.device is used. */
    protected List<DeviceList.Entry> deviceList() throws MojoExecutionException {
        List<DeviceList.Entry> list;
        try {
            list = DeviceList.parse(devices);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage());
        }
        if (list.isEmpty()) {
            return null;
        }
        if (deviceParallelism < 1) {
            throw new MojoExecutionException("prune.deviceParallelism must be at least 1, got " + deviceParallelism);
        }
        return list;
    }

    /** Resolves the agent's jars for a device architecture. */
    protected AgentClassPathResolver agentClassPath() {
        return new AgentClassPathResolver(plugin, repositorySystem, repositorySession, remoteRepositories);
    }

    /** Applies the login, host key and timeout properties to a device's settings. */
    protected DeviceSettings.Builder configure(DeviceSettings.Builder b, Server server) {
        b.hostKeyPolicy(HostKeyPolicy.parse(hostKeyPolicy))
                .connectTimeout(Duration.ofSeconds(connectTimeout))
                .commandTimeout(Duration.ofSeconds(commandTimeout));
        if (knownHosts != null) {
            b.knownHosts(resolve(knownHosts).toPath());
        }
        if (identityFile != null) {
            b.identityFile(resolve(identityFile).toPath());
        }
        if (server != null) {
            // the builder ignores a null user and takes null for "none" otherwise
            b.serverId(serverId)
                    .user(server.getUsername())
                    .password(server.getPassword())
                    .privateKey(server.getPrivateKey())
                    .passphrase(server.getPassphrase());
        }
        return b;
    }

    /** The settings.xml server named by prune.serverId, passwords decrypted. */
    protected Server server() throws MojoExecutionException {
        if (serverId == null || serverId.isBlank()) {
            return null;
        }
        Server s = settings == null ? null : settings.getServer(serverId);
        if (s == null) {
            throw new MojoExecutionException("prune.serverId=" + serverId + ": there is no <server> with that id in"
                    + " settings.xml; add one with the device's <username> and <password> or <privateKey>");
        }
        SettingsDecryptionResult r = decrypter.decrypt(new DefaultSettingsDecryptionRequest(s));
        for (SettingsProblem p : r.getProblems()) {
            if (p.getSeverity() != SettingsProblem.Severity.WARNING) {
                throw new MojoExecutionException("cannot decrypt the password of server " + serverId + ": " + p.getMessage());
            }
        }
        return r.getServer();
    }

    protected List<String> jvmArgs() {
        return agentJvmArgs == null || agentJvmArgs.isBlank() ? List.of()
                : Arrays.asList(agentJvmArgs.trim().split("\\s+"));
    }

    protected Duration runTimeout() {
        return Duration.ofMinutes(runTimeout);
    }
}
