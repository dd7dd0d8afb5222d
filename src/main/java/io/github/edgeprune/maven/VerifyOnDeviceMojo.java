package io.github.edgeprune.maven;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.HostKeyPolicy;
import io.github.edgeprune.device.verify.BudgetException;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.DeviceTarget;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.openvino.IrFiles;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
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
 * Runs the IR on the device (this machine, an SSH host, or an emulated Raspberry Pi 4), measures
 * mAP50, latency and peak memory one image at a time, writes verify.json, verify.html and a JUnit
 * report to {@code target/prune/reports}, and fails the build when a budget is missed, as
 * {@code jacoco:check} does for coverage.
 */
@Mojo(name = "verify-on-device", defaultPhase = LifecyclePhase.VERIFY, requiresProject = false, threadSafe = true)
public class VerifyOnDeviceMojo extends AbstractPruneMojo {

    /** The IR to run (an alias of {@code prune.model}, which wins when both name an IR). */
    @Parameter(property = "prune.ir")
    private File ir;

    /**
     * The IR to run, as every goal names its model: an {@code .xml}. A model that is not an IR
     * (a .pt or a bundle, as a POM gives it to the training goals) is left to export-openvino, and
     * the IR it wrote in this build is verified. Default: that IR.
     */
    @Parameter(property = "prune.model")
    private String model;

    /** The ONNX twin (for the onnxruntime backend); defaults to the .onnx beside the IR. */
    @Parameter(property = "prune.onnxModel")
    private File onnxModel;

    /** Ultralytics data yaml whose validation images are run on the device. */
    @Parameter(property = "prune.data", required = true)
    private String data;

    @Parameter(property = "prune.split", defaultValue = "val")
    private String split;

    /** Run only the first N validation images (0: all). */
    @Parameter(property = "prune.maxImages", defaultValue = "0")
    private int maxImages;

    /** {@code local}, {@code ssh://user@host[:port]} or {@code emulated-pi4}. */
    @Parameter(property = "prune.device", defaultValue = "local")
    private String device;

    /** A {@code <server>} in settings.xml with the device's username and password or private key. */
    @Parameter(property = "prune.serverId")
    private String serverId;

    /** A private key file for the device (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
    @Parameter(property = "prune.identityFile")
    private File identityFile;

    /** OpenSSH known_hosts file the device's host key is checked against. */
    @Parameter(property = "prune.knownHosts")
    private File knownHosts;

    /** {@code strict} (unknown or changed host keys refused) or {@code accept-new}. */
    @Parameter(property = "prune.hostKeyPolicy", defaultValue = "strict")
    private String hostKeyPolicy;

    /** Seconds to connect and log in. */
    @Parameter(property = "prune.connectTimeout", defaultValue = "10")
    private int connectTimeout;

    /** Seconds for each short command on the device. */
    @Parameter(property = "prune.commandTimeout", defaultValue = "120")
    private int commandTimeout;

    /** Minutes the whole measurement may take. */
    @Parameter(property = "prune.runTimeout", defaultValue = "60")
    private int runTimeout;

    /** java on the device. */
    @Parameter(property = "prune.remoteJava", defaultValue = "java")
    private String remoteJava;

    /** JVM options for the agent on the device, space separated. */
    @Parameter(property = "prune.agentJvmArgs", defaultValue = "")
    private String agentJvmArgs;

    /** {@code auto} (openvino, then onnxruntime, then djl), {@code openvino}, {@code onnxruntime} or {@code djl}. */
    @Parameter(property = "prune.backend", defaultValue = "auto")
    private String backend;

    /** libopenvino_c on the device (default: the usual install locations). */
    @Parameter(property = "prune.openvinoLib")
    private String openvinoLib;

    /** Inferences before measuring. */
    @Parameter(property = "prune.warmup", defaultValue = "10")
    private int warmup;

    /** Measured frames (0: each validation image once). */
    @Parameter(property = "prune.iterations", defaultValue = "0")
    private int iterations;

    /** Minimum mAP50 on the device. */
    @Parameter(property = "prune.minMap50")
    private String minMap50;

    /** Maximum latency of one inference, in ms. */
    @Parameter(property = "prune.maxLatencyMs")
    private String maxLatencyMs;

    /** Which latency the budget applies to: median, p90 or mean. */
    @Parameter(property = "prune.latencyStatistic", defaultValue = "median")
    private String latencyStatistic;

    /** Maximum peak resident memory of the agent, in MB. */
    @Parameter(property = "prune.maxMemoryMb")
    private String maxMemoryMb;

    /** Fail the build when a budget is missed (false: warn only). */
    @Parameter(property = "prune.failOnViolation", defaultValue = "true")
    private boolean failOnViolation;

    /** Where verify.json, verify.html and the JUnit XML go (default: {@code reports} under {@code prune.outputDirectory}). */
    @Parameter(property = "prune.reportDirectory")
    private File reportDirectory;

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

    @Override
    protected String goal() {
        return "verify-on-device";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, MojoFailureException, IOException {
        Budgets budgets;
        try {
            budgets = Budgets.builder().minMap50(minMap50).maxLatencyMs(maxLatencyMs).latencyStatistic(latencyStatistic)
                    .maxMemoryMb(maxMemoryMb).build();
        } catch (BudgetException e) {
            throw new MojoExecutionException(e.getMessage());
        }
        VerifyJob.checkBackend(backend);
        if (budgets.isEmpty()) {
            log.warn("No budget is set (prune.minMap50, prune.maxLatencyMs, prune.maxMemoryMb): measuring only");
        }
        Path irPath = chooseIr(log);
        Path onnx = onnxModel != null ? resolve(onnxModel).toPath() : IrFiles.onnx(irPath);
        Server server = server();
        AgentClassPathResolver classPath = new AgentClassPathResolver(plugin, repositorySystem, repositorySession,
                remoteRepositories);
        try (DeviceTarget target = DeviceTarget.open(device, b -> configure(b, server), log)) {
            VerifyJob.Outcome outcome = VerifyJob.run(new VerifyJob.Settings(irPath, onnx,
                    baseDir().resolve(data).normalize(), split, maxImages, target.settings(), backend, warmup, iterations,
                    budgets, outputFolder(reportDirectory, "reports").toPath(), classPath::forArch, openvinoLib, remoteJava, jvmArgs(),
                    Duration.ofMinutes(runTimeout), target.emulated(), target.facts()), log);
            if (!outcome.passed()) {
                String message = "verify-on-device: a budget was missed on " + device + ":\n"
                        + Budgets.table(outcome.budgets()) + "Report: " + outcome.files().html();
                if (failOnViolation) {
                    throw new MojoFailureException(message);
                }
                log.warn(message + "\n(prune.failOnViolation=false: not failing the build)");
            }
        }
    }

    private Path chooseIr(Log log) throws MojoExecutionException {
        Path chosen;
        String from;
        if (model != null && !model.isBlank() && model.trim().endsWith(".xml")) {
            chosen = baseDir().resolve(model.trim()).normalize();
            from = "prune.model";
        } else if (ir != null) {
            chosen = resolve(ir).toPath();
            from = "prune.ir";
        } else if (produced(PRODUCED_IR) != null) {
            chosen = Path.of(produced(PRODUCED_IR));
            from = "export-openvino in this build";
        } else {
            File dir = new File(outputRoot(), "openvino");
            File[] xmls = dir.listFiles((d, n) -> n.endsWith(".xml"));
            if (xmls == null || xmls.length != 1) {
                String notIr = model != null && !model.isBlank() ? " (prune.model=" + model + " is not an OpenVINO IR .xml;"
                        + " export it with export-openvino first)" : "";
                throw new MojoExecutionException("no IR to verify: set prune.model to an IR .xml or run export-openvino"
                        + " earlier in the build" + notIr + (xmls != null && xmls.length > 1 ? " (" + dir + " holds several)" : ""));
            }
            chosen = xmls[0].toPath();
            from = dir.toString();
        }
        if (!java.nio.file.Files.isRegularFile(chosen)) {
            throw new MojoExecutionException("the IR to verify does not exist: " + chosen + " (from " + from + ")");
        }
        log.info("verify-on-device: verifying " + chosen + " (from " + from + ")");
        return chosen;
    }

    private DeviceSettings.Builder configure(DeviceSettings.Builder b, Server server) {
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
    private Server server() throws MojoExecutionException {
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

    private List<String> jvmArgs() {
        return agentJvmArgs == null || agentJvmArgs.isBlank() ? List.of()
                : Arrays.asList(agentJvmArgs.trim().split("\\s+"));
    }
}
