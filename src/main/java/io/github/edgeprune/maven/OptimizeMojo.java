package io.github.edgeprune.maven;

import io.github.edgeprune.device.DeviceSettings;
import io.github.edgeprune.device.HostKeyPolicy;
import io.github.edgeprune.device.verify.BudgetException;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.DeviceTarget;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.optimize.Candidate;
import io.github.edgeprune.optimize.OptimizeException;
import io.github.edgeprune.optimize.OptimizeJob;
import io.github.edgeprune.optimize.SearchSpace;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
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
import org.apache.maven.project.MavenProjectHelper;
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
 * Builds candidate models (channel cuts, FP16 and INT8, input sizes), measures the cheap things
 * first (GFLOPs, build-machine mAP50), verifies the promising ones on the device as verify-on-device
 * does, and exports the fastest one that meets every budget as this build's IR (attached, classifier
 * {@code openvino}). Writes optimize.json, optimize.html and a JUnit report; fails the build when no
 * candidate passes, naming the closest. See docs/optimize.md.
 */
@Mojo(name = "optimize", defaultPhase = LifecyclePhase.PACKAGE, requiresProject = false, threadSafe = true)
public class OptimizeMojo extends AbstractPruneMojo {

    /** The model to optimize: .pt, bundle or model yaml; default: the model an earlier goal of this build produced. */
    @Parameter(property = "prune.model")
    private String model;

    /** Data yaml: its val split measures mAP50 (build machine and device), its train split calibrates INT8. */
    @Parameter(property = "prune.data")
    private String data;

    @Parameter(property = "prune.split", defaultValue = "val")
    private String split;

    /** Measure mAP50 and latency on the first N validation images only (0: all). */
    @Parameter(property = "prune.maxImages", defaultValue = "0")
    private int maxImages;

    /** Input size GFLOPs are predicted at and candidates are built at when prune.imgszChoices is not set. */
    @Parameter(property = "prune.imgsz", defaultValue = "640")
    private int imgsz;

    /** Input sizes to try, comma-separated multiples of 32 (default: prune.imgsz only). */
    @Parameter(property = "prune.imgszChoices")
    private String imgszChoices;

    /** {@code auto}, or a list of {@code <cut>-<precision>} recipes such as {@code dense-fp16,flops0.8-int8}. */
    @Parameter(property = "prune.candidates", defaultValue = "auto")
    private String candidates;

    /** auto's channel cuts: shares of the GFLOPs kept, comma-separated. */
    @Parameter(property = "prune.targetFlopsChoices", defaultValue = "0.9,0.75")
    private String targetFlopsChoices;

    /** A candidate predicted up to this share slower than the winner is still measured. */
    @Parameter(property = "prune.searchMargin", defaultValue = "0.1")
    private double searchMargin;

    /** INT8 candidates: how many train images calibrate. */
    @Parameter(property = "prune.calibrationImages", defaultValue = "300")
    private int calibrationImages;

    /** Base name of the IR files; defaults to the model's name. */
    @Parameter(property = "prune.irName")
    private String irName;

    /** Where candidates, the winner and the reports go (default: {@code optimize} under prune.outputDirectory). */
    @Parameter(property = "prune.optimizeOutput")
    private File optimizeOutput;

    /** Attach the winner's IR to the project (classifier openvino). */
    @Parameter(property = "prune.attach", defaultValue = "true")
    private boolean attach;

    /** Fail the build when no candidate meets every budget (false: warn only). */
    @Parameter(property = "prune.failOnViolation", defaultValue = "true")
    private boolean failOnViolation;

    @Parameter(property = "prune.minMap50")
    private String minMap50;

    @Parameter(property = "prune.maxLatencyMs")
    private String maxLatencyMs;

    @Parameter(property = "prune.latencyStatistic", defaultValue = "median")
    private String latencyStatistic;

    @Parameter(property = "prune.maxMemoryMb")
    private String maxMemoryMb;

    /** {@code local}, {@code ssh://user@host[:port]} or {@code emulated-pi4}. */
    @Parameter(property = "prune.device", defaultValue = "local")
    private String device;

    @Parameter(property = "prune.serverId")
    private String serverId;

    @Parameter(property = "prune.identityFile")
    private File identityFile;

    @Parameter(property = "prune.knownHosts")
    private File knownHosts;

    @Parameter(property = "prune.hostKeyPolicy", defaultValue = "strict")
    private String hostKeyPolicy;

    @Parameter(property = "prune.connectTimeout", defaultValue = "10")
    private int connectTimeout;

    @Parameter(property = "prune.commandTimeout", defaultValue = "120")
    private int commandTimeout;

    /** Minutes each candidate's device run may take. */
    @Parameter(property = "prune.runTimeout", defaultValue = "60")
    private int runTimeout;

    @Parameter(property = "prune.remoteJava", defaultValue = "java")
    private String remoteJava;

    @Parameter(property = "prune.agentJvmArgs", defaultValue = "")
    private String agentJvmArgs;

    /** {@code auto}, {@code openvino}, {@code onnxruntime} or {@code djl}. */
    @Parameter(property = "prune.backend", defaultValue = "auto")
    private String backend;

    @Parameter(property = "prune.openvinoLib")
    private String openvinoLib;

    @Parameter(property = "prune.warmup", defaultValue = "10")
    private int warmup;

    @Parameter(property = "prune.iterations", defaultValue = "0")
    private int iterations;

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

    @Component
    private MavenProjectHelper projectHelper;

    @Override
    protected String goal() {
        return "optimize";
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
        if (budgets.isEmpty()) {
            log.warn("No budget is set (prune.minMap50, prune.maxLatencyMs, prune.maxMemoryMb): the fastest candidate wins");
        }
        String chosen = produced(PRODUCED_MODEL) != null ? produced(PRODUCED_MODEL) : model;
        if (chosen == null || chosen.isBlank()) {
            throw new MojoExecutionException("no model to optimize: set prune.model to a .pt checkpoint, a bundle or a"
                    + " model yaml");
        }
        List<Candidate> space;
        try {
            VerifyJob.checkBackend(backend);
            space = SearchSpace.parse(candidates, imgszChoices, targetFlopsChoices, imgsz);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage());
        }
        Server server = server();
        AgentClassPathResolver classPath = new AgentClassPathResolver(plugin, repositorySystem, repositorySession,
                remoteRepositories);
        try (DeviceTarget target = DeviceTarget.open(device, b -> configure(b, server), log)) {
            OptimizeJob.Device dev = new OptimizeJob.Device(device, target.settings(), backend, warmup, iterations,
                    classPath::forArch, openvinoLib, remoteJava, jvmArgs(), Duration.ofMinutes(runTimeout), target.emulated(),
                    target.facts());
            OptimizeJob.Settings s;
            try {
                s = new OptimizeJob.Settings(chosen, baseDir(), data, split, maxImages,
                        outputFolder(optimizeOutput, "optimize").toPath(), irName, space, imgsz, budgets, calibrationImages,
                        searchMargin, dev);
            } catch (OptimizeException e) {
                throw new MojoExecutionException(e.getMessage());
            }
            OptimizeJob.Outcome outcome = OptimizeJob.run(s, log);
            if (!outcome.passed()) {
                String message = "optimize: " + outcome.failureMessage() + "\nReport: " + outcome.files().html();
                if (failOnViolation) {
                    throw new MojoFailureException(message);
                }
                log.warn(message + "\n(prune.failOnViolation=false: not failing the build)");
                return;
            }
            publish(PRODUCED_IR, outcome.winnerIr().toString());
            if (attach && project != null && project.getFile() != null) {
                projectHelper.attachArtifact(project, "xml", "openvino", outcome.winnerIr().toFile());
                projectHelper.attachArtifact(project, "bin", "openvino",
                        io.github.edgeprune.openvino.IrFiles.bin(outcome.winnerIr()).toFile());
                if (outcome.winnerOnnx() != null) {
                    projectHelper.attachArtifact(project, "onnx", "openvino", outcome.winnerOnnx().toFile());
                }
            }
        }
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
            b.serverId(serverId).user(server.getUsername()).password(server.getPassword())
                    .privateKey(server.getPrivateKey()).passphrase(server.getPassphrase());
        }
        return b;
    }

    /** The settings.xml server named by prune.serverId, passwords decrypted (as verify-on-device does). */
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
        return agentJvmArgs == null || agentJvmArgs.isBlank() ? List.of() : Arrays.asList(agentJvmArgs.trim().split("\\s+"));
    }
}
