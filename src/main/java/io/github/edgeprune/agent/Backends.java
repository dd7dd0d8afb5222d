package io.github.edgeprune.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Chooses the backend. Native code can use CPU instructions the device lacks (DJL's PyTorch JNI
 * uses ARMv8.1 atomics, which a Raspberry Pi 4's Cortex-A72 does not have), and then the JVM
 * dies of SIGILL with nothing but a crash log. So each candidate is first loaded and run once
 * in a short-lived child JVM; only a backend that survived that runs in the agent itself.
 * {@code auto} tries openvino, onnxruntime, djl in that order.
 */
final class Backends {

    /** What happened to one candidate. */
    record Attempt(String backend, boolean ok, String reason) {
    }

    /** The chosen backend (or none) and every attempt, for the report. */
    record Choice(InferenceBackend backend, List<Attempt> attempts) {
    }

    private Backends() {
    }

    static Choice choose(AgentOptions o) {
        List<String> candidates = "auto".equals(o.backend()) ? List.of("openvino", "onnxruntime", "djl")
                : List.of(o.backend());
        List<Attempt> attempts = new ArrayList<>();
        for (String name : candidates) {
            String failure = probeInChild(name, o);
            if (failure != null) {
                attempts.add(new Attempt(name, false, failure));
                continue;
            }
            try {
                InferenceBackend b = open(name, o);
                attempts.add(new Attempt(name, true, b.runtime()));
                return new Choice(b, attempts);
            } catch (BackendUnavailableException e) {
                attempts.add(new Attempt(name, false, e.getMessage()));
            }
        }
        return new Choice(null, attempts);
    }

    /** Creates a backend in this JVM. */
    static InferenceBackend open(String name, AgentOptions o) {
        return switch (name) {
            case "openvino" -> {
                if (o.ir() == null) {
                    throw new BackendUnavailableException(name, "no OpenVINO IR (.xml) was given");
                }
                yield new OpenVinoBackend(o.ir(), o.openvinoLib());
            }
            case "onnxruntime" -> new OnnxRuntimeBackend(o.onnx(), o.threads());
            case "djl" -> {
                if (o.ir() == null) {
                    throw new BackendUnavailableException(name, "no OpenVINO IR (.xml) was given");
                }
                yield new DjlBackend(o.ir());
            }
            default -> throw new IllegalArgumentException("unknown backend " + name);
        };
    }

    /** Loads and runs the backend once in a child JVM; null if that worked, else why not. */
    static String probeInChild(String name, AgentOptions o) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path crashLog;
        try {
            crashLog = Files.createTempFile("edgeprune-probe-" + name + "-", ".log");
            Files.delete(crashLog);
        } catch (IOException e) {
            return "could not create a temporary file for the probe: " + e.getMessage();
        }
        cmd.add("-XX:ErrorFile=" + crashLog);
        cmd.add("-XX:-CreateCoredumpOnCrash");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AgentMain.class.getName());
        cmd.add("--probe");
        cmd.add(name);
        cmd.addAll(o.modelArgs());
        Path output = crashLog.resolveSibling(crashLog.getFileName() + ".out");
        try {
            // output goes to a file: a pipe nobody reads while we wait could block the child
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(o.probeTimeoutSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return "loading the " + name + " backend did not finish within " + o.probeTimeoutSeconds() + " s";
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (Files.isRegularFile(crashLog)) {
                text += "\n" + Files.readString(crashLog, StandardCharsets.UTF_8);
            }
            int exit = p.exitValue();
            if (exit == 0 && text.contains(AgentMain.PROBE_OK)) {
                return null;
            }
            return explain(name, exit, text);
        } catch (IOException e) {
            return "could not start a JVM to try the " + name + " backend: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while trying the " + name + " backend";
        } finally {
            try {
                Files.deleteIfExists(output);
                Files.deleteIfExists(crashLog);
            } catch (IOException e) {
                // a temporary file left behind is harmless
            }
        }
    }

    /** Turns a failed probe into a sentence a person can act on. */
    static String explain(String backend, int exit, String output) {
        boolean sigill = exit == 128 + 4 || output.contains("SIGILL");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (sigill) {
            if ("djl".equals(backend) && (arch.equals("aarch64") || arch.equals("arm64"))) {
                return "the djl backend died of SIGILL (illegal instruction) when loading DJL's PyTorch JNI library"
                        + " (libdjl_torch.so): it uses ARMv8.1 atomics, and this CPU is ARMv8.0 (e.g. a Raspberry Pi 4's"
                        + " Cortex-A72). Use the onnxruntime or openvino backend on this device.";
            }
            return "the " + backend + " backend died of SIGILL (illegal instruction): its native library uses CPU"
                    + " instructions this device (" + arch + ") lacks.";
        }
        for (String line : output.split("\n")) {
            if (line.startsWith(AgentMain.PROBE_FAILED)) {
                return line.substring(AgentMain.PROBE_FAILED.length()).trim();
            }
        }
        String tail = output.strip();
        if (tail.length() > 600) {
            tail = "…" + tail.substring(tail.length() - 600);
        }
        return "the " + backend + " backend failed to load (exit " + exit + ")" + (tail.isEmpty() ? "" : ": " + tail);
    }
}
