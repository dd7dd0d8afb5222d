package io.github.edgeprune.maven;

import io.github.edgeprune.train.TrainDynamicJob;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Trains or fine-tunes YOLOv5 in Java (DJL, PyTorch engine) as YOLOv5's train.py does, with the
 * paper's dynamic pruning ({@code epoch}: L1-prune Conv2d and BatchNorm2d weights after every
 * epoch), a gradual schedule, fixed masks (fine-tune a statically pruned model) or none. Writes
 * {@code results.csv}, plots, and {@code last}/{@code best} bundles; {@code best} goes on to the
 * next goal of the build.
 */
@Mojo(name = "train-dynamic", defaultPhase = LifecyclePhase.PROCESS_CLASSES, requiresProject = false, threadSafe = true)
public class TrainDynamicMojo extends AbstractPruneMojo {

    /** Starting model: .pt, bundle folder, model yaml (from scratch) or a bundled name. */
    @Parameter(property = "prune.model", required = true)
    private String model;

    /** Ultralytics data yaml (train and val splits). */
    @Parameter(property = "prune.data", required = true)
    private String data;

    @Parameter(property = "prune.epochs", defaultValue = "100")
    private int epochs;

    @Parameter(property = "prune.batch", defaultValue = "16")
    private int batch;

    @Parameter(property = "prune.imgsz", defaultValue = "640")
    private int imgsz;

    /** Makes a run repeatable: same seed, same data order, augmentation and initial weights. */
    @Parameter(property = "prune.seed", defaultValue = "0")
    private long seed;

    /** {@code epoch} (the paper's dynamic pruning), {@code gradual}, {@code fixed} or {@code none}. */
    @Parameter(property = "prune.schedule", defaultValue = "epoch")
    private String schedule;

    @Parameter(property = "prune.convSparsity", defaultValue = "0.2")
    private double convSparsity;

    @Parameter(property = "prune.bnSparsity", defaultValue = "0.1")
    private double bnSparsity;

    /** {@code layer} or {@code global}. */
    @Parameter(property = "prune.scope", defaultValue = "layer")
    private String scope;

    /** gradual: the fraction of the run over which sparsity rises to the target. */
    @Parameter(property = "prune.gradualEnd", defaultValue = "1.0")
    private double gradualEnd;

    /** gradual: re-prune every N optimiser steps (0: about 100 times over the ramp). */
    @Parameter(property = "prune.gradualInterval", defaultValue = "0")
    private int gradualInterval;

    /** Continue an interrupted run from its last epoch. */
    @Parameter(property = "prune.resume", defaultValue = "false")
    private boolean resume;

    /** Threads loading and augmenting images. */
    @Parameter(property = "prune.workers", defaultValue = "2")
    private int workers;

    /** Stop when fitness has not improved for this many epochs. */
    @Parameter(property = "prune.patience")
    private Integer patience;

    /** Train a model with the data set's nc from one with another nc, copying every tensor that fits. */
    @Parameter(property = "prune.transfer", defaultValue = "false")
    private boolean transfer;

    /** An Ultralytics hyperparameter yaml (default: hyp.scratch-low). */
    @Parameter(property = "prune.hyp")
    private String hyp;

    /**
     * Network slimming's sparsity training: λ·sign(γ) is added to the gradient of every BatchNorm
     * weight that prune-channels could cut (e.g. 1e-4; 0: off), so unimportant channels drift to
     * |γ| ≈ 0 and a later prune-channels removes them at little cost.
     */
    @Parameter(property = "prune.bnL1", defaultValue = "0")
    private double bnL1;

    @Parameter(property = "prune.plots", defaultValue = "true")
    private boolean plots;

    @Parameter(property = "prune.skipCorrupt", defaultValue = "false")
    private boolean skipCorrupt;

    /** Where results.csv, plots and the last/best bundles go (default: {@code train} under {@code prune.outputDirectory}). */
    @Parameter(property = "prune.trainOutput")
    private File trainOutput;

    @Override
    protected String goal() {
        return "train-dynamic";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, IOException {
        requireFinite(convSparsity, "prune.convSparsity");
        requireFinite(bnSparsity, "prune.bnSparsity");
        requireFinite(bnL1, "prune.bnL1");
        TrainDynamicJob.Outcome outcome = TrainDynamicJob.run(new TrainDynamicJob.Settings(model, data, baseDir(),
                outputFolder(trainOutput, "train").toPath(), epochs, batch, imgsz, seed, schedule, convSparsity, bnSparsity, scope,
                gradualEnd, gradualInterval, resume, workers, patience, transfer, hyp, plots, skipCorrupt, bnL1), log);
        publish(PRODUCED_MODEL, outcome.bundle().toString());
    }
}
