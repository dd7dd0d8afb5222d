package io.github.edgeprune.maven;

import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.util.Log;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * P, R, mAP50, mAP50-95 and speed of a model on a data set, exactly as YOLOv5's val.py computes
 * them (square letterbox input). Accepts a .pt checkpoint, a bundle folder, a model yaml, an
 * OpenVINO .xml or an ONNX file. Writes {@code evaluate.json} to the output directory.
 */
@Mojo(name = "evaluate", requiresProject = false, threadSafe = true)
public class EvaluateMojo extends AbstractPruneMojo {

    /** The model: .pt, bundle folder, yaml, .xml (OpenVINO IR) or .onnx. Defaults to the model this build produced. */
    @Parameter(property = "prune.model")
    private String model;

    /** Ultralytics data yaml. */
    @Parameter(property = "prune.data", required = true)
    private String data;

    /** Which split of the data yaml to evaluate. */
    @Parameter(property = "prune.split", defaultValue = "val")
    private String split;

    /** Input size (square letterbox); an IR's own size wins. */
    @Parameter(property = "prune.imgsz", defaultValue = "640")
    private int imgsz;

    @Parameter(property = "prune.batch", defaultValue = "8")
    private int batch;

    /** NMS confidence threshold. */
    @Parameter(property = "prune.conf", defaultValue = "0.001")
    private double conf;

    /** NMS IoU threshold. */
    @Parameter(property = "prune.iou", defaultValue = "0.6")
    private double iou;

    /** Skip images with bad labels or that cannot be decoded (with a warning) instead of failing. */
    @Parameter(property = "prune.skipCorrupt", defaultValue = "false")
    private boolean skipCorrupt;

    /** Evaluate only the first N images of the split (0: all), for quick checks. */
    @Parameter(property = "prune.maxImages", defaultValue = "0")
    private int maxImages;

    @Override
    protected String goal() {
        return "evaluate";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, IOException {
        requireFinite(conf, "prune.conf");
        requireFinite(iou, "prune.iou");
        String chosen = model;
        if (chosen == null) {
            chosen = produced(PRODUCED_MODEL);
        }
        if (chosen == null) {
            throw new MojoExecutionException("no model given: set prune.model to a .pt, a bundle folder, a yaml or an IR .xml");
        }
        boolean imgszGiven = session != null && session.getUserProperties().containsKey("prune.imgsz");
        EvalSettings settings = EvalSettings.defaults().withImgsz(imgsz).withBatch(batch).withConf(conf).withIou(iou);
        EvaluateJob.run(new EvaluateJob.Settings(chosen, data, baseDir(), outputRoot().toPath(), settings,
                imgszGiven, skipCorrupt, verbose, split, maxImages), log);
    }
}
