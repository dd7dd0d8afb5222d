package io.github.edgeprune.maven;

import io.github.edgeprune.openvino.ExportJob;
import io.github.edgeprune.openvino.Int8Calibration;
import io.github.edgeprune.quant.CalibrationMethod;
import java.util.Arrays;
import java.util.List;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import java.util.Locale;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Writes the model as OpenVINO IR ({@code <name>.xml} + {@code .bin}, FP16 by default) with
 * Ultralytics' {@code metadata.yaml} and an ONNX twin, and attaches the IR to the project
 * (classifier {@code openvino}) so {@code mvn install} installs it. Skipped when the model and
 * settings are unchanged since the last export.
 */
@Mojo(name = "export-openvino", defaultPhase = LifecyclePhase.PACKAGE, requiresProject = false, threadSafe = true)
public class ExportOpenVinoMojo extends AbstractPruneMojo {

    /** The model to export; defaults to the model an earlier goal of this build produced, else prune.model. */
    @Parameter(property = "prune.exportModel")
    private String exportModel;

    /** The source model, used when no earlier goal of this build produced one. */
    @Parameter(property = "prune.model")
    private String model;

    /** Static input size of the IR (square). */
    @Parameter(property = "prune.imgsz", defaultValue = "640")
    private int imgsz;

    /**
     * FP16 (compressed weights, as OpenVINO's converter writes by default), FP32, or INT8
     * (post-training quantization calibrated on prune.data: FakeQuantize in the IR, QDQ in the
     * ONNX twin).
     */
    @Parameter(property = "prune.precision", defaultValue = "FP16")
    private String precision;

    /** INT8 only: the data yaml whose train images calibrate the activation ranges. */
    @Parameter(property = "prune.data")
    private String data;

    /** INT8 only: how many train images calibrate (all of them when there are fewer). */
    @Parameter(property = "prune.calibrationImages", defaultValue = "300")
    private int calibrationImages;

    /** INT8 only: minmax (the range seen), percentile (mean 0.01 % / 99.99 % quantiles per image) or mse (least expected squared error). */
    @Parameter(property = "prune.calibration", defaultValue = "minmax")
    private String calibration;

    /** INT8 only: convolutions kept in float, by layer name or module prefix (comma-separated, e.g. model.24). */
    @Parameter(property = "prune.int8Exclude")
    private String int8Exclude;

    /** Also write the ONNX twin (same graph, FP32) for ONNX Runtime on devices without OpenVINO. */
    @Parameter(property = "prune.onnx", defaultValue = "true")
    private boolean onnx;

    /** Base name of the files; defaults to the model's name. */
    @Parameter(property = "prune.irName")
    private String irName;

    /** Attach the IR to the project so install/deploy publish it. */
    @Parameter(property = "prune.attach", defaultValue = "true")
    private boolean attach;

    @Component
    private MavenProjectHelper projectHelper;

    @Override
    protected String goal() {
        return "export-openvino";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, IOException {
        String chosen = exportModel;
        if (chosen == null) {
            chosen = produced(PRODUCED_MODEL);
            if (chosen != null) {
                log.info("Exporting the model this build produced: " + chosen);
            }
        }
        if (chosen == null) {
            chosen = model;
        }
        if (chosen == null) {
            throw new MojoExecutionException("no model to export: set prune.model (or prune.exportModel), or run"
                    + " prune-static / train-dynamic earlier in the build");
        }
        IrPrecision p;
        try {
            p = IrPrecision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException("prune." + e.getMessage());
        }
        Int8Calibration int8 = null;
        if (p == IrPrecision.INT8) {
            try {
                int8 = new Int8Calibration(data, calibrationImages, CalibrationMethod.parse(calibration),
                        int8Exclude == null ? List.of() : Arrays.asList(int8Exclude.split(",")));
            } catch (IllegalArgumentException e) {
                throw new MojoExecutionException(e.getMessage());
            }
        }
        File out = new File(outputRoot(), "openvino");
        ExportJob.Result result = ExportJob.run(new ExportJob.Settings(chosen, baseDir(), out.toPath(), irName, imgsz, p,
                onnx, int8), log);
        publish(PRODUCED_IR, result.ir().xml().toString());
        if (attach && project != null && project.getFile() != null) {
            projectHelper.attachArtifact(project, "xml", "openvino", result.ir().xml().toFile());
            projectHelper.attachArtifact(project, "bin", "openvino", result.ir().bin().toFile());
            if (result.onnx() != null) {
                projectHelper.attachArtifact(project, "onnx", "openvino", result.onnx().toFile());
            }
        }
    }
}
