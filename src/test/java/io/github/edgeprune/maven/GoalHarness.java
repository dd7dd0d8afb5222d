package io.github.edgeprune.maven;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.model.Build;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.project.MavenProject;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Runs a goal's mojo as Maven would configure it from the command line: the parameters and
 * their defaults come from the generated plugin descriptor ({@code META-INF/maven/plugin.xml}),
 * the values from {@code -Dprune.*} style properties, and the project is a POM-less folder or a
 * project folder. What the user would see is captured: the log lines and the failure's message.
 */
final class GoalHarness {

    /** A parameter of a goal, as the descriptor declares it. */
    private record Param(String field, String type, String defaultValue) {
    }

    /** What a run left: the exception Maven would report (null when the goal passed) and the log. */
    record Outcome(Throwable failure, List<String> log) {
        String message() {
            return failure == null ? null : failure.getMessage();
        }

        /** The text a user sees: every log line and the failure's message (Maven prints no trace without -e). */
        String userOutput() {
            return String.join("\n", log) + (failure == null ? "" : "\n[ERROR] " + failure.getMessage());
        }
    }

    private static Map<String, Map<String, Param>> descriptor;

    /**
     * The plugin as Maven would describe it to verify-on-device: its classes and its dependencies,
     * here this JVM's class path (a local device runs the agent from exactly these jars).
     */
    private static PluginDescriptor pluginFromClassPath() {
        PluginDescriptor d = new PluginDescriptor();
        List<Artifact> artifacts = new ArrayList<>();
        Artifact self = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Artifact a = new DefaultArtifact("classpath", new File(entry).getName(), "0", "runtime", "jar", null,
                    new DefaultArtifactHandler("jar"));
            a.setFile(new File(entry));
            if (self == null && entry.endsWith("classes")) {
                self = a;
            } else {
                artifacts.add(a);
            }
        }
        d.setPluginArtifact(self);
        d.setArtifacts(artifacts);
        return d;
    }

    private static boolean hasField(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private GoalHarness() {
    }

    static Outcome run(String goal, Path projectDir, Map<String, String> properties) throws Exception {
        return run(goal, projectDir, properties, true);
    }

    /**
     * {@code withPom=false}: the goal runs from {@code projectDir} as the current folder with no POM,
     * where Maven hands it a stand-in project whose build folder is the uninterpolated
     * {@code ${project.basedir}/target} (what `mvn prune:goal` in an empty folder gets).
     */
    static Outcome run(String goal, Path projectDir, Map<String, String> properties, boolean withPom) throws Exception {
        AbstractMojo mojo = newMojo(goal);
        Map<String, Param> params = descriptor().get(goal);
        Map<String, String> values = new HashMap<>();
        params.forEach((prop, p) -> {
            if (p.defaultValue() != null && !p.defaultValue().contains("${")) {
                values.put(prop, p.defaultValue());
            }
        });
        for (String prop : properties.keySet()) {
            if (!params.containsKey(prop)) {
                throw new IllegalArgumentException(goal + " has no parameter " + prop);
            }
        }
        values.putAll(properties);
        for (Map.Entry<String, String> e : values.entrySet()) {
            Param p = params.get(e.getKey());
            set(mojo, p.field(), convert(e.getValue(), p.type(), projectDir));
        }
        MavenProject project;
        Build build = new Build();
        if (withPom) {
            project = new MavenProject();
            project.setFile(projectDir.resolve("pom.xml").toFile());
            build.setDirectory(projectDir.resolve("target").toString());
        } else {
            project = new MavenProject() {
                @Override
                public File getBasedir() {
                    return projectDir.toFile();
                }
            };
            build.setDirectory("${project.basedir}/target");
        }
        project.setBuild(build);
        set(mojo, "project", project);
        if (hasField(mojo.getClass(), "plugin")) {
            set(mojo, "plugin", pluginFromClassPath());
        }
        List<String> lines = new ArrayList<>();
        mojo.setLog(new Capture(lines));
        mojo.setPluginContext(new HashMap<>());
        try {
            mojo.execute();
            return new Outcome(null, lines);
        } catch (MojoExecutionException | MojoFailureException e) {
            return new Outcome(e, lines);
        } catch (RuntimeException e) {
            // not a failure Maven reports as the goal's own: it would print "internal error" and a trace
            return new Outcome(e, lines);
        }
    }

    private static AbstractMojo newMojo(String goal) {
        return switch (goal) {
            case "prune-static" -> new PruneStaticMojo();
            case "prune-channels" -> new PruneChannelsMojo();
            case "train-dynamic" -> new TrainDynamicMojo();
            case "export-openvino" -> new ExportOpenVinoMojo();
            case "evaluate" -> new EvaluateMojo();
            case "verify-on-device" -> new VerifyOnDeviceMojo();
            case "optimize" -> new OptimizeMojo();
            default -> throw new IllegalArgumentException(goal);
        };
    }

    private static Object convert(String v, String type, Path base) {
        return switch (type) {
            case "java.lang.String" -> v;
            case "int" -> Integer.parseInt(v);
            case "java.lang.Integer" -> Integer.valueOf(v);
            case "long" -> Long.parseLong(v);
            case "double" -> Double.parseDouble(v);
            case "java.lang.Double" -> Double.valueOf(v);
            case "boolean" -> Boolean.parseBoolean(v);
            // Maven splits a -D value on commas for a List parameter
            case "java.util.List" -> java.util.Arrays.asList(v.split(","));
            // Maven resolves a File parameter against the project folder
            case "java.io.File" -> new File(v).isAbsolute() ? new File(v) : base.resolve(v).toFile();
            default -> throw new IllegalArgumentException("no conversion to " + type);
        };
    }

    private static void set(Object target, String name, Object value) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                f.set(target, value);
                return;
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        throw new NoSuchFieldException(name);
    }

    /** goal → property (prune.x) → parameter, read once from the descriptor the build generated. */
    private static synchronized Map<String, Map<String, Param>> descriptor() throws Exception {
        if (descriptor != null) {
            return descriptor;
        }
        Path xml = Path.of("target/classes/META-INF/maven/plugin.xml");
        if (!Files.isRegularFile(xml)) {
            throw new IOException(xml.toAbsolutePath() + " is missing: the plugin descriptor is generated at process-classes");
        }
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
        Map<String, Map<String, Param>> all = new HashMap<>();
        NodeList mojos = root.getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            Element m = (Element) mojos.item(i);
            String goal = m.getElementsByTagName("goal").item(0).getTextContent();
            Map<String, Param> params = new HashMap<>();
            Element conf = (Element) m.getElementsByTagName("configuration").item(0);
            NodeList entries = conf.getChildNodes();
            for (int k = 0; k < entries.getLength(); k++) {
                Node n = entries.item(k);
                if (n instanceof Element e && e.getTextContent().startsWith("${prune.")) {
                    String prop = e.getTextContent().substring(2, e.getTextContent().length() - 1);
                    String def = e.hasAttribute("default-value") ? e.getAttribute("default-value") : null;
                    params.put(prop, new Param(e.getTagName(), e.getAttribute("implementation"), def));
                }
            }
            all.put(goal, params);
        }
        descriptor = all;
        return all;
    }

    /** Maven's log as the user's console: a logged throwable's trace is what would show. */
    private static final class Capture implements Log {
        private final List<String> lines;

        Capture(List<String> lines) {
            this.lines = lines;
        }

        private void add(String level, CharSequence msg, Throwable t) {
            StringBuilder sb = new StringBuilder("[" + level + "] ").append(msg == null ? "" : msg);
            if (t != null) {
                StringWriter w = new StringWriter();
                t.printStackTrace(new PrintWriter(w));
                sb.append('\n').append(w);
            }
            synchronized (lines) {
                lines.add(sb.toString());
            }
            if (Boolean.getBoolean("goalHarness.echo")) {
                System.out.println(sb);
                System.out.flush();
            }
        }

        @Override public boolean isDebugEnabled() { return false; }
        @Override public void debug(CharSequence c) { }
        @Override public void debug(CharSequence c, Throwable t) { }
        @Override public void debug(Throwable t) { }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public void info(CharSequence c) { add("INFO", c, null); }
        @Override public void info(CharSequence c, Throwable t) { add("INFO", c, t); }
        @Override public void info(Throwable t) { add("INFO", null, t); }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public void warn(CharSequence c) { add("WARNING", c, null); }
        @Override public void warn(CharSequence c, Throwable t) { add("WARNING", c, t); }
        @Override public void warn(Throwable t) { add("WARNING", null, t); }
        @Override public boolean isErrorEnabled() { return true; }
        @Override public void error(CharSequence c) { add("ERROR", c, null); }
        @Override public void error(CharSequence c, Throwable t) { add("ERROR", c, t); }
        @Override public void error(Throwable t) { add("ERROR", null, t); }
    }
}
