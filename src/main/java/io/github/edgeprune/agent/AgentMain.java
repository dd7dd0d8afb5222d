package io.github.edgeprune.agent;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.github.edgeprune.data.Preprocessor;
import io.github.edgeprune.eval.Boxes;
import io.github.edgeprune.eval.Detections;
import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.Nms;
import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The program verify-on-device starts on the device ({@code java -cp … AgentMain …}), with no
 * Maven types on its class path. It picks a backend (probing native ones in a child JVM first),
 * runs the validation images one at a time as the paper did — warm-up, then pre-process,
 * inference and NMS per frame, each timed — and writes detections (in original image pixels),
 * latencies and its own peak memory as JSON. mAP is computed on the build machine from these
 * detections with the same code {@code evaluate} uses.
 *
 * <p>Exit codes: 0 done, 2 bad arguments, 3 no backend could run, 4 a run-time failure.
 */
public final class AgentMain {

    /** The backends the agent knows ({@code auto} tries the others in turn). */
    public static final List<String> BACKENDS = List.of("auto", "openvino", "onnxruntime", "djl");

    static final String PROBE_OK = "EDGEPRUNE-PROBE-OK";
    static final String PROBE_FAILED = "EDGEPRUNE-PROBE-FAILED";

    private AgentMain() {
    }

    public static void main(String[] args) {
        // the agent measures latency: PyTorch gets every core of the device (the build JVM uses one)
        io.github.edgeprune.executor.Engines.useAllCores();
        AgentOptions o;
        try {
            o = AgentOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o.probe() != null) {
            System.exit(probe(o));
            return;
        }
        try {
            System.exit(run(o));
        } catch (RuntimeException | IOException e) {
            System.err.println("agent: " + e);
            System.exit(4);
        }
    }

    /** Child-JVM probe: load the backend and run it once on a gray image. */
    private static int probe(AgentOptions o) {
        try (InferenceBackend b = Backends.open(o.probe(), o)) {
            int s = b.inputSize();
            float[] gray = new float[3 * s * s];
            java.util.Arrays.fill(gray, 114f / 255f);
            b.infer(gray);
            System.out.println(PROBE_OK + " " + b.runtime());
            return 0;
        } catch (RuntimeException | LinkageError e) {
            System.out.println(PROBE_FAILED + " " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    static int run(AgentOptions o) throws IOException {
        AgentResult result = new AgentResult();
        result.java = System.getProperty("java.vendor") + " " + System.getProperty("java.version");
        result.arch = System.getProperty("os.arch");
        Backends.Choice choice = Backends.choose(o);
        for (Backends.Attempt a : choice.attempts()) {
            result.selection.add(new AgentResult.Selection(a.backend(), a.ok(), a.reason()));
        }
        if (choice.backend() == null) {
            result.error = "no backend could run the model: " + String.join("; ",
                    choice.attempts().stream().map(a -> a.backend() + ": " + a.reason()).toList());
            write(o.out(), result);
            System.err.println("agent: " + result.error);
            return 3;
        }
        try (InferenceBackend backend = choice.backend()) {
            result.backend = backend.name();
            result.runtime = backend.runtime();
            int imgsz = backend.inputSize();
            result.imgsz = imgsz;
            EvalSettings nms = EvalSettings.defaults().withImgsz(imgsz).withConf(o.conf()).withIou(o.iou());
            List<Path> images = Files.readAllLines(o.images(), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).map(Path::of).toList();
            if (images.isEmpty()) {
                throw new IllegalArgumentException(o.images() + " lists no images");
            }
            // warm-up on the first image, not measured (caches, lazy compilation, allocator)
            Preprocessor.PreprocessedImage first = Preprocessor.preprocess(images.get(0), imgsz);
            for (int i = 0; i < o.warmup(); i++) {
                backend.infer(first.chw());
            }
            result.warmup = o.warmup();
            // mAP50 needs every image once; more iterations cycle through them for steadier latency
            int frames = Math.max(o.iterations(), images.size());
            for (int f = 0; f < frames; f++) {
                Path image = images.get(f % images.size());
                long t0 = System.nanoTime();
                Preprocessor.PreprocessedImage in = Preprocessor.preprocess(image, imgsz);
                long t1 = System.nanoTime();
                InferenceBackend.Output raw = backend.infer(in.chw());
                long t2 = System.nanoTime();
                Detections dets = Boxes.toOriginal(Nms.run(raw.rows(), raw.columns(), nms), in.letterbox());
                long t3 = System.nanoTime();
                result.preprocessMs.add(ms(t1 - t0));
                result.inferenceMs.add(ms(t2 - t1));
                result.nmsMs.add(ms(t3 - t2));
                result.frameMs.add(ms(t3 - t0));
                if (f < images.size()) {
                    result.images.add(new AgentResult.ImageResult(image.toString(), dets.toRows()));
                }
            }
        }
        result.vmHwmMb = ProcStatus.vmHwmMb();
        write(o.out(), result);
        return 0;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Written atomically: the build machine never reads a half-written result. */
    private static void write(Path out, AgentResult result) throws IOException {
        AtomicOutput.writeString(out, GSON.toJson(result));
    }

    static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
}
