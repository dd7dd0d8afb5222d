package io.github.edgeprune.maven;

import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.DeviceList;
import io.github.edgeprune.device.verify.DeviceTarget;
import io.github.edgeprune.device.verify.VerifyJob;
import io.github.edgeprune.openvino.IrFiles;
import io.github.edgeprune.optimize.Candidate;
import io.github.edgeprune.optimize.OptimizeException;
import io.github.edgeprune.optimize.OptimizeJob;
import io.github.edgeprune.optimize.SearchSpace;
import io.github.edgeprune.optimize.paper.PaperStudy;
import io.github.edgeprune.quant.CalibrationMethod;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;
import org.apache.maven.settings.Server;

/**
 * Builds candidate models (channel cuts, FP16 and INT8, input sizes), measures the cheap things
 * first (GFLOPs, build-machine mAP50), verifies the promising ones on the device as verify-on-device
 * does, and exports the fastest one that meets every budget as this build's IR (attached, classifier
 * {@code openvino}). Writes optimize.json, optimize.html and a JUnit report; fails the build when no
 * candidate passes, naming the closest. See docs/optimize.md.
 */
@Mojo(name = "optimize", defaultPhase = LifecyclePhase.PACKAGE, requiresProject = false, threadSafe = true)
public class OptimizeMojo extends AbstractDeviceMojo {

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

    /**
     * Train every channel cut this many epochs on prune.data's train split (at the candidate's size,
     * schedule none, batch 16, seed 0) before exporting it; 0: cuts are exported as cut.
     */
    @Parameter(property = "prune.fineTuneEpochs", defaultValue = "0")
    private int fineTuneEpochs;

    /** prune.candidates=paper: training batch size of every row. */
    @Parameter(property = "prune.batch", defaultValue = "16")
    private int batch;

    /** prune.candidates=paper: the seed every row trains with. */
    @Parameter(property = "prune.seed", defaultValue = "0")
    private long seed;

    /** prune.candidates=paper: data loader threads. */
    @Parameter(property = "prune.workers", defaultValue = "2")
    private int workers;

    /** prune.candidates=paper: Conv2d sparsity (default: the paper's amount for the model, yolov5n 0.2, yolov5m 0.4). */
    @Parameter(property = "prune.convSparsity")
    private Double convSparsity;

    /** prune.candidates=paper: BatchNorm2d sparsity (default: the paper's, yolov5n 0.1, yolov5m 0.3). */
    @Parameter(property = "prune.bnSparsity")
    private Double bnSparsity;

    /** A candidate predicted up to this share slower than the winner is still measured. */
    @Parameter(property = "prune.searchMargin", defaultValue = "0.1")
    private double searchMargin;

    /** INT8 candidates: how many train images calibrate. */
    @Parameter(property = "prune.calibrationImages", defaultValue = "300")
    private int calibrationImages;

    /** INT8 candidates: {@code minmax}, {@code percentile} or {@code mse} (as export-openvino's prune.calibration). */
    @Parameter(property = "prune.calibration", defaultValue = "minmax")
    private String calibration;

    /** Base name of the IR files; defaults to the model's name. */
    @Parameter(property = "prune.irName")
    private String irName;

    /** Where candidates, the winner and the reports go (default: {@code optimize} under prune.outputDirectory). */
    @Parameter(property = "prune.optimizeOutput")
    private File optimizeOutput;

    /** Attach the winner's IR to the project (classifier openvino). */
    @Parameter(property = "prune.attach", defaultValue = "true")
    private boolean attach;

    @Component
    private MavenProjectHelper projectHelper;

    @Override
    protected String goal() {
        return "optimize";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, MojoFailureException, IOException {
        Budgets budgets = budgets();
        List<DeviceList.Entry> several = deviceList();
        if (budgets.isEmpty()) {
            log.warn("No budget is set (prune.minMap50, prune.maxLatencyMs, prune.maxMemoryMb): the fastest candidate wins");
        }
        String chosen = produced(PRODUCED_MODEL) != null ? produced(PRODUCED_MODEL) : model;
        if (chosen == null || chosen.isBlank()) {
            throw new MojoExecutionException("no model to optimize: set prune.model to a .pt checkpoint, a bundle or a"
                    + " model yaml");
        }
        try {
            VerifyJob.checkBackend(backend);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage());
        }
        List<String> specs = several == null ? List.of(device) : several.stream().map(DeviceList.Entry::spec).toList();
        if (candidates != null && candidates.strip().equalsIgnoreCase(SearchSpace.PAPER)) {
            runPaperStudy(chosen, specs, budgets, log);
            return;
        }
        List<Candidate> space;
        CalibrationMethod calibrationMethod;
        try {
            calibrationMethod = CalibrationMethod.parse(calibration);
            space = SearchSpace.parse(candidates, imgszChoices, targetFlopsChoices, imgsz, fineTuneEpochs);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException(e.getMessage());
        }
        List<DeviceTarget> targets = new ArrayList<>();
        try {
            List<OptimizeJob.Device> devs = openDevices(specs, targets, log);
            OptimizeJob.Settings s;
            try {
                s = new OptimizeJob.Settings(chosen, baseDir(), data, split, maxImages,
                        outputFolder(optimizeOutput, "optimize").toPath(), irName, space, imgsz, budgets, calibrationImages,
                        searchMargin, devs, deviceParallelism, calibrationMethod);
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
                projectHelper.attachArtifact(project, "bin", "openvino", IrFiles.bin(outcome.winnerIr()).toFile());
                if (outcome.winnerOnnx() != null) {
                    projectHelper.attachArtifact(project, "onnx", "openvino", outcome.winnerOnnx().toFile());
                }
            }
        } finally {
            targets.forEach(DeviceTarget::close);
        }
    }

    /**
     * {@code prune.candidates=paper}: the paper's comparison (dynamic, static and unpruned rows, the same
     * epochs) on the user's data, reported as its Tables 1-2; a study, so no winner and no budgets.
     */
    private void runPaperStudy(String chosen, List<String> specs, Budgets budgets, Log log)
            throws MojoExecutionException, IOException {
        if (specs.size() > 1) {
            throw new MojoExecutionException("prune.candidates=paper measures its rows on one device; set prune.device"
                    + " (prune.devices names " + specs.size() + ")");
        }
        if (!budgets.isEmpty()) {
            log.warn("prune.candidates=paper reports the paper's comparison; the budgets are not applied to its rows"
                    + " (run verify-on-device on the IR you choose)");
        }
        int epochs = fineTuneEpochs > 0 ? fineTuneEpochs : PaperStudy.DEFAULT_EPOCHS;
        if (fineTuneEpochs == 0) {
            log.info("prune.candidates=paper: every row is fine-tuned " + epochs + " epochs (set prune.fineTuneEpochs"
                    + " to change it)");
        }
        List<DeviceTarget> targets = new ArrayList<>();
        try {
            OptimizeJob.Device dev = openDevices(specs, targets, log).get(0);
            PaperStudy.Settings s;
            try {
                s = new PaperStudy.Settings(chosen, baseDir(), data, imgsz, epochs, batch, seed, maxImages,
                        outputFolder(optimizeOutput, "optimize").toPath(), dev,
                        convSparsity == null ? Double.NaN : convSparsity, bnSparsity == null ? Double.NaN : bnSparsity,
                        io.github.edgeprune.openvino.IrPrecision.FP16, workers);
            } catch (OptimizeException e) {
                throw new MojoExecutionException(e.getMessage());
            }
            PaperStudy.Outcome outcome = PaperStudy.run(s, log);
            log.info("Paper study: " + outcome.files().html());
        } finally {
            targets.forEach(DeviceTarget::close);
        }
    }

    /**
     * Opens each device as the search and the study measure on it (an emulated Pi is started once for
     * the whole goal); the targets go into {@code opened} for the caller to close.
     */
    private List<OptimizeJob.Device> openDevices(List<String> specs, List<DeviceTarget> opened, Log log)
            throws MojoExecutionException {
        Server server = server();
        AgentClassPathResolver classPath = agentClassPath();
        List<OptimizeJob.Device> devices = new ArrayList<>();
        for (String spec : specs) {
            DeviceTarget target = DeviceTarget.open(spec, b -> configure(b, server), log);
            opened.add(target);
            devices.add(new OptimizeJob.Device(spec, target.settings(), backend, warmup, iterations, classPath::forArch,
                    openvinoLib, remoteJava, jvmArgs(), runTimeout(), target.emulated(), target.facts()));
        }
        return devices;
    }
}
