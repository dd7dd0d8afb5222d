package io.github.edgeprune.maven;

import io.github.edgeprune.util.Log;
import java.io.File;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * What every goal shares: {@code prune.skip}, {@code prune.outputDirectory},
 * {@code prune.verbose}, and turning library errors into build failures whose message says
 * what is wrong (no stack trace unless Maven runs with -e).
 */
public abstract class AbstractPruneMojo extends AbstractMojo {

    /** Key under which a goal leaves the model it produced for the next goal of the same build. */
    static final String PRODUCED_MODEL = "edgeprune.producedModel";
    /** Key under which export-openvino leaves the IR it wrote for verify-on-device. */
    static final String PRODUCED_IR = "edgeprune.producedIr";

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    protected org.apache.maven.execution.MavenSession session;

    /** Skip this goal. */
    @Parameter(property = "prune.skip", defaultValue = "false")
    protected boolean skip;

    /**
     * Where the goals write their outputs: every goal's own output folder defaults to a place under
     * it. Default {@code target/prune} of the project, or of the current folder without a POM.
     */
    @Parameter(property = "prune.outputDirectory")
    protected File outputDirectory;

    /** Print per-layer and per-class tables. */
    @Parameter(property = "prune.verbose", defaultValue = "false")
    protected boolean verbose;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping " + goal() + " (prune.skip=true)");
            return;
        }
        try {
            run(new MavenLog(getLog()));
        } catch (MojoExecutionException e) {
            // the goal's own refusals read like the library's: "<goal> failed: what is wrong"
            if (e.getMessage() != null && !e.getMessage().startsWith(goal() + " ")) {
                throw new MojoExecutionException(goal() + " failed: " + e.getMessage(), e.getCause() != null ? e.getCause() : e);
            }
            throw e;
        } catch (MojoFailureException e) {
            throw e;
        } catch (FileSystemException e) {
            // the JDK's message is often the bare path; say what is wrong with it
            throw new MojoExecutionException(goal() + " failed: " + describe(e), e);
        } catch (IOException | RuntimeException e) {
            // library errors carry a message naming the file and the problem; say it first
            throw new MojoExecutionException(goal() + " failed: " + (e.getMessage() != null ? e.getMessage() : e), e);
        }
    }

    /** A file system error as a sentence: the path and what is wrong with it. */
    static String describe(FileSystemException e) {
        String what;
        if (e instanceof FileAlreadyExistsException) {
            what = "a file is in the way (a folder was to be created there, or under it)";
        } else if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            what = "no such file or folder";
        } else if (e instanceof NotDirectoryException) {
            what = "not a folder";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "the folder is not empty";
        } else {
            what = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        }
        return (e.getFile() != null ? e.getFile() + ": " : "") + what
                + (e.getOtherFile() != null ? " (with " + e.getOtherFile() + ")" : "")
                + "; check the output folder settings (prune.outputDirectory and the goal's own)";
    }

    /** The goal's work. */
    protected abstract void run(Log log) throws MojoExecutionException, MojoFailureException, IOException;

    protected abstract String goal();

    /** A path as the user typed it, relative to the project folder (or the current one without a POM). */
    protected File resolve(File file) {
        if (file == null || file.isAbsolute()) {
            return file;
        }
        return baseDir().resolve(file.getPath()).toFile();
    }

    /** The folder relative paths are taken from: the project's, or the current one without a POM. */
    protected java.nio.file.Path baseDir() {
        File base = project != null && project.getBasedir() != null ? project.getBasedir() : new File(".");
        return base.toPath().toAbsolutePath().normalize();
    }

    /**
     * The folder every goal writes under: {@code prune.outputDirectory} as given, else the project's
     * build folder's {@code prune}. Without a POM Maven's stand-in project has no real build folder
     * (its {@code ${project.basedir}} is never filled in), so the current folder's {@code target} is used.
     */
    protected File outputRoot() {
        if (outputDirectory != null) {
            return resolve(outputDirectory);
        }
        boolean realProject = project != null && project.getFile() != null && project.getBuild() != null
                && project.getBuild().getDirectory() != null && !project.getBuild().getDirectory().contains("${");
        File build = realProject ? resolve(new File(project.getBuild().getDirectory())) : baseDir().resolve("target").toFile();
        return new File(build, "prune");
    }

    /** A goal's own output folder: the value the user gave, else {@code name} under {@link #outputRoot()}. */
    protected File outputFolder(File given, String name) {
        return given != null ? resolve(given) : new File(outputRoot(), name);
    }

    /** What an earlier goal of this build left under {@code key} (see {@link #publish}), or null. */
    protected String produced(String key) {
        Map<?, ?> context = getPluginContext();
        Object value = context == null ? null : context.get(key);
        return value == null ? null : value.toString();
    }

    /** Leaves {@code value} under {@code key} for the later goals of this build. */
    @SuppressWarnings("unchecked")
    protected void publish(String key, Object value) {
        Map<String, Object> context = getPluginContext();
        if (context != null) {
            context.put(key, value);
        }
    }

    protected static void requireFinite(double v, String property) throws MojoExecutionException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new MojoExecutionException(property + " must be a number, got " + v);
        }
    }
}
