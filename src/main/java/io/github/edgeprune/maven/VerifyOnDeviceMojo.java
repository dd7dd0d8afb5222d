package io.github.edgeprune.maven;

import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.DeviceList;
import io.github.edgeprune.device.verify.DeviceTarget;
import io.github.edgeprune.device.verify.MultiDeviceVerify;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.openvino.IrFiles;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;

/**
 * Runs the IR on the device (this machine, an SSH host, or an emulated Raspberry Pi 4), measures
 * mAP50, latency and peak memory one image at a time, writes verify.json, verify.html and a JUnit
 * report to {@code target/prune/reports}, and fails the build when a budget is missed, as
 * {@code jacoco:check} does for coverage. With {@code prune.devices} it verifies on each device in
 * parallel, one report folder per device and a summary (verify-devices.html), and passes only when
 * every device passes.
 */
@Mojo(name = "verify-on-device", defaultPhase = LifecyclePhase.VERIFY, requiresProject = false, threadSafe = true)
public class VerifyOnDeviceMojo extends AbstractDeviceMojo {

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

    /** Where verify.json, verify.html and the JUnit XML go (default: {@code reports} under {@code prune.outputDirectory}). */
    @Parameter(property = "prune.reportDirectory")
    private File reportDirectory;

    @Override
    protected String goal() {
        return "verify-on-device";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, MojoFailureException, IOException {
        Budgets budgets = budgets();
        List<DeviceList.Entry> several = deviceList();
        try {
            VerifyJob.checkBackend(backend);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage());
        }
        if (budgets.isEmpty()) {
            log.warn("No budget is set (prune.minMap50, prune.maxLatencyMs, prune.maxMemoryMb): measuring only");
        }
        Path irPath = chooseIr(log);
        Path onnx = onnxModel != null ? resolve(onnxModel).toPath() : IrFiles.onnx(irPath);
        Server server = server();
        AgentClassPathResolver classPath = agentClassPath();
        Path reports = outputFolder(reportDirectory, "reports").toPath();
        MultiDeviceVerify.DeviceRun verify = (spec, reportDir, deviceLog) -> {
            try (DeviceTarget target = DeviceTarget.open(spec, b -> configure(b, server), deviceLog)) {
                return VerifyJob.run(new VerifyJob.Settings(irPath, onnx, baseDir().resolve(data).normalize(), split,
                        maxImages, target.settings(), backend, warmup, iterations, budgets, reportDir, classPath::forArch,
                        openvinoLib, remoteJava, jvmArgs(), runTimeout(), target.emulated(), target.facts()), deviceLog);
            }
        };
        String message;
        if (several == null) {
            VerifyJob.Outcome outcome = verify.verify(device, reports, log);
            if (outcome.passed()) {
                return;
            }
            message = "verify-on-device: a budget was missed on " + device + ":\n" + Budgets.table(outcome.budgets())
                    + "Report: " + outcome.files().html();
        } else {
            MultiDeviceVerify.Outcome outcome = MultiDeviceVerify.run(several, deviceParallelism, reports,
                    irPath.toString(), budgets, verify, log);
            if (outcome.passed()) {
                return;
            }
            message = "verify-on-device: " + outcome.failureMessage() + "\nReport: " + outcome.files().html();
        }
        if (failOnViolation) {
            throw new MojoFailureException(message);
        }
        log.warn(message + "\n(prune.failOnViolation=false: not failing the build)");
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
}
