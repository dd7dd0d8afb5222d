package io.github.edgeprune.openvino;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.Engines;
import io.github.edgeprune.executor.GraphExecutor;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.Half;
import io.github.edgeprune.yolo.ModelZoo;
import io.github.edgeprune.yolo.RandomWeights;
import io.github.edgeprune.yolo.YoloGraphBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared helpers of the OpenVINO tests. */
final class IrTestSupport {

    private IrTestSupport() {
    }

    /** The shared data folder; a test that needs it fails when it is missing. */
    static Path data() {
        return io.github.edgeprune.testing.TestData.root();
    }

    static Path intel640() {
        return data().resolve("openvino-ir/yolov5n_openvino_model/yolov5n.xml");
    }

    static Path intel416() {
        return data().resolve("openvino-ir/yolov5n_416_ov2024_4/yolov5n.xml");
    }

    /**
     * yolov5n with random weights and random BatchNorm statistics (so folding really changes the
     * weights, some scales negative), COCO-sized head, class names in the metadata.
     */
    static Graph yolov5n(int size, long seed) {
        Graph g = YoloGraphBuilder.build(ModelZoo.architecture("yolov5n"), new RandomWeights(seed), size, size)
                .copyParameters();
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.BatchNorm) {
                float[] gamma = g.parameter(n.input(1)).tensor().floats();
                float[] beta = g.parameter(n.input(2)).tensor().floats();
                float[] mean = g.parameter(n.input(3)).tensor().floats();
                float[] var = g.parameter(n.input(4)).tensor().floats();
                for (int i = 0; i < gamma.length; i++) {
                    gamma[i] = (float) (r.nextDouble(0.5, 1.5) * (r.nextInt(10) == 0 ? -1 : 1));
                    beta[i] = (float) r.nextDouble(-0.2, 0.2);
                    mean[i] = (float) r.nextDouble(-0.1, 0.1);
                    var[i] = (float) r.nextDouble(0.5, 2);
                }
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(g.metadata());
        meta.put("names", IrMetadata.namesJson(java.util.stream.IntStream.range(0, 80).mapToObj(i -> "class " + i).toList()));
        return g.withMetadata(meta);
    }

    static float[] randomImage(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[3 * size * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    /** Runs the graph's first output for one image [1, 3, h, w]. */
    static float[] run(Graph g, float[] image, int h, int w) {
        try (NDManager m = Engines.newManager(); GraphExecutor ex = new GraphExecutor(g, m)) {
            return ex.forward(m.create(image, new Shape(1, 3, h, w)), GraphExecutor.Mode.INFERENCE).get(0).toFloatArray();
        }
    }

    static double maxAbs(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** max |a - b| / max(1, |a|): absolute for probabilities, relative for pixel coordinates. */
    static double maxScaled(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i])));
        }
        return worst;
    }

    /** The graph with every float parameter rounded through f16 (what an FP16 IR stores). */
    static Graph roundedToHalf(Graph g) {
        Graph c = g.copyParameters();
        for (Parameter p : c.parameters().values()) {
            if (p.tensor().dtype() == io.github.edgeprune.tensor.HostTensor.DType.FLOAT32) {
                float[] f = p.tensor().floats();
                for (int i = 0; i < f.length; i++) {
                    f[i] = Half.round(f[i]);
                }
            }
        }
        return c;
    }

    static float[] floats(Path file) {
        return io.github.edgeprune.testing.TestData.floats(file);
    }


    /** Centres a [1,3,s,s] image in a [1,3,size,size] canvas of gray 114/255, as letterboxing pads. */
    static float[] letterbox(float[] src, int s, int size) {
        float[] out = new float[3 * size * size];
        Arrays.fill(out, 114f / 255f);
        int pad = (size - s) / 2;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < s; y++) {
                System.arraycopy(src, (c * s + y) * s, out, (c * size + y + pad) * size + pad, s);
            }
        }
        return out;
    }


    static double maxConfidenceDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (i % 85 >= 4) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
        }
        return worst;
    }


    static double maxBoxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (i % 85 < 4) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
        }
        return worst;
    }


    /** "row/class" of the highest objectness × class score. */
    static String topDetection(float[] y) {
        double best = -1;
        String at = "";
        for (int r = 0; r < y.length / 85; r++) {
            for (int c = 0; c < 80; c++) {
                double s = y[r * 85 + 4] * y[r * 85 + 5 + c];
                if (s > best) {
                    best = s;
                    at = r + "/" + c;
                }
            }
        }
        return at;
    }

}
