package io.github.edgeprune.maven;

import io.github.edgeprune.prune.PruneScope;
import io.github.edgeprune.prune.PruneStaticJob;
import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The paper's static pruning: L1 unstructured pruning of every Conv2d and BatchNorm2d weight,
 * once, written as a bundle ({@code model.yaml}, {@code weights.safetensors}, {@code prune.json}).
 */
@Mojo(name = "prune-static", defaultPhase = LifecyclePhase.PROCESS_RESOURCES, requiresProject = false, threadSafe = true)
public class PruneStaticMojo extends AbstractPruneMojo {

    /** The model to prune: a .pt checkpoint, a bundle folder, a model yaml or a bundled name. */
    @Parameter(property = "prune.model", required = true)
    private String model;

    /** Fraction of each Conv2d weight tensor to zero (0.2 in the paper for yolov5n). */
    @Parameter(property = "prune.convSparsity", defaultValue = "0.2")
    private double convSparsity;

    /** Fraction of each BatchNorm2d weight tensor to zero (0.1 in the paper for yolov5n). */
    @Parameter(property = "prune.bnSparsity", defaultValue = "0.1")
    private double bnSparsity;

    /** {@code layer}: each tensor loses its smallest weights; {@code global}: one cut-off per kind. */
    @Parameter(property = "prune.scope", defaultValue = "layer")
    private String scope;

    /** Where the pruned bundle goes (default: {@code static} under {@code prune.outputDirectory}). */
    @Parameter(property = "prune.staticOutput")
    private File staticOutput;

    /** Seed for a model initialised from a yaml. */
    @Parameter(property = "prune.seed", defaultValue = "0")
    private long seed;

    @Override
    protected String goal() {
        return "prune-static";
    }

    @Override
    protected void run(Log log) throws MojoExecutionException, IOException {
        requireFinite(convSparsity, "prune.convSparsity");
        requireFinite(bnSparsity, "prune.bnSparsity");
        PruneStaticJob.Settings settings = new PruneStaticJob.Settings(model, baseDir(), outputFolder(staticOutput, "static").toPath(),
                convSparsity, bnSparsity, PruneScope.parse(scope), verbose, seed);
        PruneStaticJob.Result result = PruneStaticJob.run(settings, log);
        publish(PRODUCED_MODEL, result.bundle().toString());
    }
}
