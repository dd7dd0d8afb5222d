package io.github.edgeprune.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The agent's command line: {@code --name value} pairs, no Maven, no libraries. */
record AgentOptions(Path ir, Path onnx, Path images, Path out, String backend, int warmup, int iterations,
        double conf, double iou, String openvinoLib, int threads, int probeTimeoutSeconds, String probe) {


    static AgentOptions parse(String[] args) {
        Path ir = null;
        Path onnx = null;
        Path images = null;
        Path out = null;
        String backend = "auto";
        int warmup = 10;
        int iterations = 0;
        double conf = 0.001;
        double iou = 0.6;
        String openvinoLib = null;
        int threads = 0;
        int probeTimeout = 300;
        String probe = null;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            String v = args[++i];
            switch (name) {
                case "--ir" -> ir = Path.of(v);
                case "--onnx" -> onnx = Path.of(v);
                case "--images" -> images = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--backend" -> backend = v;
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--iterations" -> iterations = Integer.parseInt(v);
                case "--conf" -> conf = Double.parseDouble(v);
                case "--iou" -> iou = Double.parseDouble(v);
                case "--openvino-lib" -> openvinoLib = v;
                case "--threads" -> threads = Integer.parseInt(v);
                case "--probe-timeout" -> probeTimeout = Integer.parseInt(v);
                case "--probe" -> probe = v;
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (!AgentMain.BACKENDS.contains(backend)) {
            throw new IllegalArgumentException("backend must be one of " + AgentMain.BACKENDS + ", got " + backend);
        }
        if (probe == null && (images == null || out == null)) {
            throw new IllegalArgumentException("--images and --out are required");
        }
        if (ir == null && onnx == null) {
            throw new IllegalArgumentException("give the model with --ir (OpenVINO xml) and/or --onnx");
        }
        return new AgentOptions(ir, onnx, images, out, backend, warmup, iterations, conf, iou, openvinoLib, threads,
                probeTimeout, probe);
    }

    /** The arguments that select the model, for a probe child. */
    List<String> modelArgs() {
        List<String> a = new ArrayList<>();
        if (ir != null) {
            a.addAll(List.of("--ir", ir.toString()));
        }
        if (onnx != null) {
            a.addAll(List.of("--onnx", onnx.toString()));
        }
        if (openvinoLib != null) {
            a.addAll(List.of("--openvino-lib", openvinoLib));
        }
        if (threads > 0) {
            a.addAll(List.of("--threads", Integer.toString(threads)));
        }
        return a;
    }
}
