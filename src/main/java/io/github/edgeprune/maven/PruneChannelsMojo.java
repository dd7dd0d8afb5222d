package io.github.edgeprune.maven;

import io.github.edgeprune.prune.channels.ChannelImportance;
import io.github.edgeprune.prune.channels.ChannelPruner;
import io.github.edgeprune.prune.channels.PruneChannelsJob;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Structured channel pruning (network slimming): removes whole output channels of the model's
 * convolutions, so the written bundle has smaller tensors, fewer parameters and fewer GFLOPs.
 */
@Mojo(name = "prune-channels", defaultPhase = LifecyclePhase.PROCESS_RESOURCES, requiresProject = false,
        threadSafe = true)
public class PruneChannelsMojo extends AbstractPruneMojo {

    /** The target used when neither {@code prune.targetFlops} nor {@code prune.channelRatio} is set. */
    static final double DEFAULT_TARGET_FLOPS = 0.6;

    /** The model to prune: a .pt checkpoint, a bundle folder (also a channel-pruned one), a model yaml or a bundled name. */
    @Parameter(property = "prune.model", required = true)
    private String model;

    /** How channels are ranked: {@code bn-gamma} (|γ| of the BatchNorm after the conv), {@code l1} or {@code l2}. */
    @Parameter(property = "prune.importance", defaultValue = "bn-gamma")
    private String importance;

    /** Each pruned layer keeps a multiple of this many channels, and at least this many. */
    @Parameter(property = "prune.roundTo", defaultValue = "8")
    private int roundTo;

    /** Fraction of the model's GFLOPs to keep, in (0, 1]; default 0.6 when no target is given. */
    @Parameter(property = "prune.targetFlops")
    private Double targetFlops;

    /** Fraction of the prunable channels to remove, in [0, 1) (instead of {@code prune.targetFlops}). */
    @Parameter(property = "prune.channelRatio")
    private Double channelRatio;

    /** The input size GFLOPs are counted at. */
    @Parameter(property = "prune.imgsz", defaultValue = "640")
    private int imgsz;

    /** Where the pruned bundle goes (default: {@code channels} under {@code prune.outputDirectory}). */
    @Parameter(property = "prune.channelsOutput")
    private File channelsOutput;

    /**
     * Stop the cut before the measured mAP50 (on {@code prune.data}'s val split, at {@code prune.imgsz},
     * no fine-tune) falls by more than this; the target becomes the deepest cut allowed. Costs about
     * a dozen evaluations of the val split.
     */
    @Parameter(property = "prune.maxMapDrop")
    private Double maxMapDrop;

    /** The data yaml whose val split measures mAP50 for {@code prune.maxMapDrop}. */
    @Parameter(property = "prune.data")
    private String data;

    /** Seed for a model initialised from a yaml. */
    @Parameter(property = "prune.seed", defaultValue = "0")
    private long seed;

    @Override
    protected String goal() {
        return "prune-channels";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, IOException {
        if (targetFlops != null && channelRatio != null) {
            throw new MojoExecutionException("set one of prune.targetFlops and prune.channelRatio, not both");
        }
        if (targetFlops != null) {
            requireFinite(targetFlops, "prune.targetFlops");
        }
        if (channelRatio != null) {
            requireFinite(channelRatio, "prune.channelRatio");
        }
        double flops = targetFlops != null ? targetFlops : channelRatio == null ? DEFAULT_TARGET_FLOPS : Double.NaN;
        if (targetFlops == null && channelRatio == null) {
            log.info("No target given: keeping " + DEFAULT_TARGET_FLOPS + " of the GFLOPs (set prune.targetFlops or"
                    + " prune.channelRatio)");
        }
        ChannelPruner.Settings pruning = new ChannelPruner.Settings(ChannelImportance.parse(importance), roundTo,
                channelRatio != null ? channelRatio : Double.NaN, flops);
        if (maxMapDrop != null) {
            requireFinite(maxMapDrop, "prune.maxMapDrop");
        }
        PruneChannelsJob.Result result = PruneChannelsJob.run(new PruneChannelsJob.Settings(model, baseDir(),
                outputFolder(channelsOutput, "channels").toPath(), pruning, imgsz, verbose, seed, data,
                maxMapDrop == null ? Double.NaN : maxMapDrop), log);
        publish(PRODUCED_MODEL, result.bundle().toString());
    }
}
