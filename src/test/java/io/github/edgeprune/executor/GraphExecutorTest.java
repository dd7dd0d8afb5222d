package io.github.edgeprune.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each kernel against values worked out by hand. */
class GraphExecutorTest {

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static Graph single(Op op, long[] inputShape, Map<String, HostTensor> params, int outputs) {
        Map<String, Parameter> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, new Parameter(k, v, Parameter.Kind.WEIGHT)));
        List<String> ins = new java.util.ArrayList<>(List.of("x"));
        ins.addAll(params.keySet());
        List<String> outs = new java.util.ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            outs.add("y" + i);
        }
        return new Graph("t", List.of(new GraphInput("x", inputShape)), outs, List.of(new Node("n", op, ins, outs)), p,
                Map.of());
    }

    private static Map<String, HostTensor> ordered(String k1, HostTensor v1, String k2, HostTensor v2) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static float[] run(Graph g, float[] x, long... shape) {
        try (NDManager s = manager.newSubManager(); GraphExecutor ex = new GraphExecutor(g, s)) {
            return ex.forward(s.create(x, new Shape(shape)), GraphExecutor.Mode.INFERENCE).get(0).toFloatArray();
        }
    }

    @Test
    void clampLimitsToItsRange() {
        Graph g = single(new Op.Clamp(0, 6), new long[] {4}, Map.of(), 1);
        assertArrayEquals(new float[] {0f, 0.5f, 6f, 6f}, run(g, new float[] {-1f, 0.5f, 6f, 7f}, 4), 0f);
        assertThrows(IllegalArgumentException.class, () -> new Op.Clamp(1, 0));
    }

    @Test
    void expIsEToTheX() {
        Graph g = single(new Op.Exp(), new long[] {3}, Map.of(), 1);
        assertArrayEquals(new float[] {1f, (float) Math.E, 2f}, run(g, new float[] {0f, 1f, (float) Math.log(2)}, 3), 1e-6f);
    }

    @Test
    void softmaxNormalisesAlongItsAxis() {
        // rows [0, ln 3] -> [1/4, 3/4] and [5, 5] -> [1/2, 1/2] along axis 1; along axis 0 the columns
        float[] x = {0f, (float) Math.log(3), 5f, 5f};
        assertArrayEquals(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, run(single(new Op.Softmax(1), new long[] {2, 2}, Map.of(), 1),
                x, 2, 2), 1e-6f);
        float e5 = (float) (1 / (1 + Math.exp(5)));
        float c2 = (float) (3 / (3 + Math.exp(5)));
        assertArrayEquals(new float[] {e5, c2, 1 - e5, 1 - c2}, run(single(new Op.Softmax(0), new long[] {2, 2}, Map.of(), 1),
                x, 2, 2), 1e-6f);
    }

    @Test
    void mvnPutsEpsInsideOrOutsideTheRoot() {
        // per row: [0, 2] has mean 1 and (biased) variance 1, [4, 4] mean 4 and variance 0
        float[] x = {0f, 2f, 4f, 4f};
        Graph inside = single(new Op.Mvn(new int[] {1}, true, 3, true), new long[] {2, 2}, Map.of(), 1);
        assertArrayEquals(new float[] {-0.5f, 0.5f, 0f, 0f}, run(inside, x, 2, 2), 1e-6f); // / sqrt(1 + 3)
        Graph outside = single(new Op.Mvn(new int[] {-1}, true, 3, false), new long[] {2, 2}, Map.of(), 1);
        assertArrayEquals(new float[] {-0.25f, 0.25f, 0f, 0f}, run(outside, x, 2, 2), 1e-6f); // / (sqrt(1) + 3)
        Graph centredOnly = single(new Op.Mvn(new int[] {0, 1}, false, 3, true), new long[] {2, 2}, Map.of(), 1);
        assertArrayEquals(new float[] {-2.5f, -0.5f, 1.5f, 1.5f}, run(centredOnly, x, 2, 2), 1e-6f); // mean 2.5
    }

    @Test
    void reduceKeepsOrDropsItsAxes() {
        float[] x = {1f, 5f, 3f, 4f, 2f, 6f};
        assertArrayEquals(new float[] {5f, 6f},
                run(single(new Op.Reduce(Op.Reduce.Kind.MAX, new int[] {1}, false), new long[] {2, 3}, Map.of(), 1), x, 2, 3));
        Graph min = single(new Op.Reduce(Op.Reduce.Kind.MIN, new int[] {0}, true), new long[] {2, 3}, Map.of(), 1);
        assertArrayEquals(new long[] {1, 3}, io.github.edgeprune.graph.ShapeInference.inferWithBatchOne(min).get("y0"));
        assertArrayEquals(new float[] {1f, 2f, 3f}, run(min, x, 2, 3));
        assertArrayEquals(new float[] {15f, 48f},
                run(single(new Op.Reduce(Op.Reduce.Kind.PROD, new int[] {-1}, false), new long[] {2, 3}, Map.of(), 1), x, 2, 3));
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f},
                run(single(new Op.Reduce(Op.Reduce.Kind.MEAN, new int[] {0}, false), new long[] {2, 3}, Map.of(), 1), x, 2, 3));
    }

    /**
     * Three priors (p1 overlaps p0 with IoU 0.818, p2 apart), classes background, 1, 2. Class 1:
     * p0 0.8 keeps, p1 0.7 is suppressed, p2 0.05 is under the threshold. Class 2: p2 0.45 (its
     * logit moves the centre x by 0.1 · 1 · 0.3 = 0.03), p0 0.1 keeps (no overlap with p2), p1 0.1
     * ties with p0, comes after it and is suppressed by it.
     */
    @Test
    void detectionOutputDecodesSuppressesAndKeepsTheBest() {
        float[] loc = new float[12];
        loc[8] = 1f; // p2: dx = 1
        float[] conf = {0.1f, 0.8f, 0.1f, 0.2f, 0.7f, 0.1f, 0.5f, 0.05f, 0.45f};
        float[] priors = {0.1f, 0.1f, 0.3f, 0.3f, 0.12f, 0.1f, 0.32f, 0.3f, 0.6f, 0.6f, 0.9f, 0.9f,
            0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f};
        Map<String, HostTensor> p = ordered("conf", HostTensor.ofFloats(conf, 1, 9), "priors",
                HostTensor.ofFloats(priors, 1, 2, 12));
        // keep_top_k 2 of the 3 survivors: by confidence, then written by class
        Graph two = single(new Op.DetectionOutput(0, -1, 2, 0.09, 0.5, true, false, true, false, false), new long[] {1, 12}, p, 1);
        assertArrayEquals(new float[] {0, 1, 0.8f, 0.1f, 0.1f, 0.3f, 0.3f, 0, 2, 0.45f, 0.63f, 0.6f, 0.93f, 0.9f},
                run(two, loc, 1, 12), 1e-6f);
        // room for 4: all three, class 2 best first, then the -1 row
        Graph four = single(new Op.DetectionOutput(0, -1, 4, 0.09, 0.5, true, false, true, false, false), new long[] {1, 12}, p,
                1);
        assertArrayEquals(new float[] {0, 1, 0.8f, 0.1f, 0.1f, 0.3f, 0.3f, 0, 2, 0.45f, 0.63f, 0.6f, 0.93f, 0.9f,
            0, 2, 0.1f, 0.1f, 0.1f, 0.3f, 0.3f, -1, 0, 0, 0, 0, 0, 0}, run(four, loc, 1, 12), 1e-6f);
        // top_k 1 per class before NMS: class 2 keeps only p2
        Graph topOne = single(new Op.DetectionOutput(0, 1, 4, 0.09, 0.5, true, false, true, false, false), new long[] {1, 12}, p,
                1);
        float[] y = run(topOne, loc, 1, 12);
        assertEquals(-1f, y[14]);
        // clip_after_nms and a wider NMS threshold: p1 survives in class 1 too
        Graph loose = single(new Op.DetectionOutput(0, -1, 4, 0.09, 0.9, true, false, true, false, true), new long[] {1, 12}, p,
                1);
        assertArrayEquals(new float[] {0, 1, 0.7f, 0.12f, 0.1f, 0.32f, 0.3f},
                java.util.Arrays.copyOfRange(run(loose, loc, 1, 12), 7, 14), 1e-6f);
        assertThrows(IllegalArgumentException.class,
                () -> new Op.DetectionOutput(0, -1, -1, 0.09, 0.5, true, false, true, false, false));
    }

    @Test
    void fakeQuantizeRoundsHalfToEvenOnItsGridAndSaturates() {
        // levels 5 over [0, 4] (input) to [-1, 1] (output): steps of 1 in, 0.5 out. 0.5 and 2.5 are
        // ties (half to even: 0 and 2), -3 and 9 saturate, exactly 0 gives output_low
        Map<String, HostTensor> ranges = new LinkedHashMap<>();
        ranges.put("il", HostTensor.ofFloats(new float[] {0f}, 1));
        ranges.put("ih", HostTensor.ofFloats(new float[] {4f}, 1));
        ranges.put("ol", HostTensor.ofFloats(new float[] {-1f}, 1));
        ranges.put("oh", HostTensor.ofFloats(new float[] {1f}, 1));
        Graph g = single(new Op.FakeQuantize(5), new long[] {8}, ranges, 1);
        float[] y = run(g, new float[] {-3f, 0f, 0.5f, 1.4f, 2.5f, 3.6f, 4f, 9f}, 8);
        assertArrayEquals(new float[] {-1f, -1f, -1f, -0.5f, 0f, 1f, 1f, 1f}, y, 0f);
    }

    @Test
    void fakeQuantizeBroadcastsPerChannelRanges() {
        // per output channel of a [2, 1, 1, 2] weight: channel 0 in [-1, 1], channel 1 in [-10, 10], 3 levels
        Map<String, HostTensor> ranges = new LinkedHashMap<>();
        ranges.put("il", HostTensor.ofFloats(new float[] {-1f, -10f}, 2, 1, 1, 1));
        ranges.put("ih", HostTensor.ofFloats(new float[] {1f, 10f}, 2, 1, 1, 1));
        ranges.put("ol", HostTensor.ofFloats(new float[] {-1f, -10f}, 2, 1, 1, 1));
        ranges.put("oh", HostTensor.ofFloats(new float[] {1f, 10f}, 2, 1, 1, 1));
        Graph g = single(new Op.FakeQuantize(3), new long[] {2, 1, 1, 2}, ranges, 1);
        float[] y = run(g, new float[] {0.6f, -0.4f, 6f, -4f}, 2, 1, 1, 2);
        assertArrayEquals(new float[] {1f, 0f, 10f, 0f}, y, 0f);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new Op.FakeQuantize(3).outputShapes(List.of(new long[] {2, 1, 1, 2}, new long[] {3, 1, 1, 1},
                        new long[] {1}, new long[] {1}, new long[] {1})));
        assertTrue(bad.getMessage().contains("does not broadcast"), bad.getMessage());
    }

    @Test
    void convolutionWithPaddingStrideAndBias() {
        // 1x1x3x3 input 1..9, 2x2 kernel of ones, stride 1, no pad: sums of 2x2 windows, + bias 0.5
        Graph g = single(Op.Conv2d.symmetric(2, 1, 0, 1), new long[] {1, 1, 3, 3},
                ordered("w", HostTensor.ofFloats(new float[] {1, 1, 1, 1}, 1, 1, 2, 2),
                        "b", HostTensor.ofFloats(new float[] {0.5f}, 1)), 1);
        float[] y = run(g, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        assertArrayEquals(new float[] {12.5f, 16.5f, 24.5f, 28.5f}, y, 1e-6f);
    }

    /**
     * libtorch's oneDNN 3×3 kernels on this machine's AVX-512 CPU sum wrongly for 20, 24, 40, 56 …
     * input channels (a raw libtorch call was off by up to 8.4 at 24 channels); the executor pads
     * such inputs to a multiple of 16. Forward and both gradients against the definition.
     */
    @Test
    void threeByThreeConvolutionsAreRightForWidthsThatAreNotMultiplesOfSixteen() {
        for (int channels : new int[] {20, 24, 40, 56, 72}) {
            for (int stride : new int[] {1, 2}) {
                int h = 12;
                int out = 8;
                java.util.SplittableRandom r = new java.util.SplittableRandom(channels * 10L + stride);
                float[] x = new float[channels * h * h];
                float[] w = new float[out * channels * 9];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextDouble(-1, 1);
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) r.nextDouble(-1, 1);
                }
                Graph g = single(Op.Conv2d.symmetric(3, stride, 1, 1), new long[] {1, channels, h, h},
                        Map.of("w", HostTensor.ofFloats(w, out, channels, 3, 3)), 1);
                int oh = (h - 1) / stride + 1;
                float[] expected = new float[out * oh * oh];
                for (int o = 0; o < out; o++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < oh; xx++) {
                            double acc = 0;
                            for (int c = 0; c < channels; c++) {
                                for (int kh = 0; kh < 3; kh++) {
                                    for (int kw = 0; kw < 3; kw++) {
                                        int iy = stride * y - 1 + kh;
                                        int ix = stride * xx - 1 + kw;
                                        if (iy >= 0 && ix >= 0 && iy < h && ix < h) {
                                            acc += w[((o * channels + c) * 3 + kh) * 3 + kw] * x[(c * h + iy) * h + ix];
                                        }
                                    }
                                }
                            }
                            expected[(o * oh + y) * oh + xx] = (float) acc;
                        }
                    }
                }
                assertArrayEquals(expected, run(g, x, 1, channels, h, h), 1e-4f, channels + " channels, stride " + stride);
                // the gradient reaches the weight's own shape (the padding is not a parameter)
                try (NDManager s = manager.newSubManager(); GraphExecutor ex = new GraphExecutor(g, s)) {
                    ex.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = ex.forward(s.create(x, new Shape(1, channels, h, h)), GraphExecutor.Mode.TRAINING).get(0);
                        gc.backward(y.sum());
                    }
                    NDArray grad = ex.parameter("w").getGradient();
                    assertArrayEquals(new long[] {out, channels, 3, 3}, grad.getShape().getShape());
                    // d sum(y) / d w[o, c, kh, kw] is the sum of the inputs that tap meets
                    float[] expectedGrad = new float[w.length];
                    for (int c = 0; c < channels; c++) {
                        for (int kh = 0; kh < 3; kh++) {
                            for (int kw = 0; kw < 3; kw++) {
                                double acc = 0;
                                for (int y = 0; y < oh; y++) {
                                    for (int xx = 0; xx < oh; xx++) {
                                        int iy = stride * y - 1 + kh;
                                        int ix = stride * xx - 1 + kw;
                                        if (iy >= 0 && ix >= 0 && iy < h && ix < h) {
                                            acc += x[(c * h + iy) * h + ix];
                                        }
                                    }
                                }
                                for (int o = 0; o < out; o++) {
                                    expectedGrad[((o * channels + c) * 3 + kh) * 3 + kw] = (float) acc;
                                }
                            }
                        }
                    }
                    assertArrayEquals(expectedGrad, grad.toFloatArray(), 1e-3f, channels + " channels: weight gradient");
                }
            }
        }
    }

    @Test
    void asymmetricPaddingPadsTheEndSide() {
        // pads begin 0, end 1 on a 1x1x2x2 input with a 2x2 ones kernel, stride 1 -> a 2x2 output:
        // [1+2+3+4] then the windows that reach into the padding
        Op.Conv2d conv = new Op.Conv2d(new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, new long[] {1, 1}, 1);
        Graph g = single(conv, new long[] {1, 1, 2, 2}, Map.of("w", HostTensor.ofFloats(new float[] {1, 1, 1, 1}, 1, 1, 2, 2)), 1);
        float[] y = run(g, new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {10, 6, 7, 4}, y, 1e-6f);
    }

    @Test
    void batchNormUsesRunningStatisticsInInference() {
        Map<String, HostTensor> bn = new LinkedHashMap<>();
        bn.put("g", HostTensor.ofFloats(new float[] {2, 1}, 2));
        bn.put("b", HostTensor.ofFloats(new float[] {1, 0}, 2));
        bn.put("m", HostTensor.ofFloats(new float[] {1, -1}, 2));
        bn.put("v", HostTensor.ofFloats(new float[] {4, 1}, 2));
        Graph g = single(new Op.BatchNorm(0, 0.03), new long[] {1, 2, 1, 1}, bn, 1);
        float[] y = run(g, new float[] {3, 1}, 1, 2, 1, 1);
        // (3-1)/2*2+1 = 3 ; (1+1)/1*1+0 = 2
        assertArrayEquals(new float[] {3, 2}, y, 1e-6f);
    }

    @Test
    void siluSigmoidAndPower() {
        float[] x = {-2, 0, 1.5f};
        float[] silu = run(single(new Op.Silu(), new long[] {3}, Map.of(), 1), x, 3);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] / (1 + Math.exp(-x[i])), silu[i], 1e-6);
        }
        float[] pow = run(single(new Op.Binary(Op.Binary.Kind.POW), new long[] {3},
                Map.of("e", HostTensor.ofFloats(new float[] {2}, 1)), 1), x, 3);
        assertArrayEquals(new float[] {4, 0, 2.25f}, pow, 1e-6f);
    }

    @Test
    void nearestUpsampleRepeatsPixels() {
        float[] y = run(single(new Op.ResizeNearest(2, 2), new long[] {1, 1, 2, 2}, Map.of(), 1),
                new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y);
    }

    @Test
    void maxPoolKeepsSizeWithPadding() {
        float[] y = run(single(Op.MaxPool.square(3, 1, 1), new long[] {1, 1, 2, 2}, Map.of(), 1),
                new float[] {1, 2, 3, -4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {3, 3, 3, 3}, y);
    }

    @Test
    void reshapeTransposeSliceAndSplit() {
        float[] x = {0, 1, 2, 3, 4, 5};
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5},
                run(single(new Op.Transpose(new int[] {1, 0}), new long[] {2, 3}, Map.of(), 1), x, 2, 3));
        assertArrayEquals(new float[] {1, 2, 4, 5}, run(single(new Op.Slice(new int[] {1}, new long[] {1}, new long[] {99},
                new long[] {1}), new long[] {2, 3}, Map.of(), 1), x, 2, 3));
        // 0 copies the input's dimension, -1 takes what is left: [2, 3] -> [2, 1, 3]; the values keep their order
        Graph reshape = single(new Op.Reshape(new long[] {0, 1, -1}), new long[] {2, 3}, Map.of(), 1);
        try (NDManager s = manager.newSubManager(); GraphExecutor ex = new GraphExecutor(reshape, s)) {
            NDArray y = ex.run(Map.of("x", s.create(x, new Shape(2, 3))), List.of("y0"), GraphExecutor.Mode.INFERENCE).get("y0");
            assertEquals(new Shape(2, 1, 3), y.getShape());
            assertArrayEquals(x, y.toFloatArray());
        }
        Graph split = single(new Op.Split(1, new long[] {1, 2}), new long[] {2, 3}, Map.of(), 2);
        try (NDManager s = manager.newSubManager(); GraphExecutor ex = new GraphExecutor(split, s)) {
            Map<String, NDArray> out = ex.run(Map.of("x", s.create(x, new Shape(2, 3))), List.of("y0", "y1"),
                    GraphExecutor.Mode.INFERENCE);
            assertArrayEquals(new float[] {0, 3}, out.get("y0").toFloatArray());
            assertArrayEquals(new float[] {1, 2, 4, 5}, out.get("y1").toFloatArray());
        }
    }

    @Test
    void gradientsFlowToParametersInTrainingMode() {
        // y = sum(x * w): dy/dw = x
        Graph g = single(new Op.Binary(Op.Binary.Kind.MUL), new long[] {3},
                Map.of("w", HostTensor.ofFloats(new float[] {1, 1, 1}, 3)), 1);
        try (NDManager s = manager.newSubManager(); GraphExecutor ex = new GraphExecutor(g, s)) {
            ex.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = ex.forward(s.create(new float[] {2, 3, 4}), GraphExecutor.Mode.TRAINING).get(0).sum();
                gc.backward(y);
            }
            assertArrayEquals(new float[] {2, 3, 4}, ex.parameter("w").getGradient().toFloatArray());
        }
    }

    @Test
    void missingInputIsNamed() {
        Graph g = single(new Op.Silu(), new long[] {3}, Map.of(), 1);
        try (NDManager s = manager.newSubManager(); GraphExecutor ex = new GraphExecutor(g, s)) {
            GraphException e = assertThrows(GraphException.class,
                    () -> ex.run(Map.of(), List.of("y0"), GraphExecutor.Mode.INFERENCE));
            assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        }
    }

    @Test
    void misShapedWeightIsRefusedBeforeItReachesTheEngine() {
        Graph g = single(Op.Conv2d.symmetric(2, 1, 0, 1), new long[] {1, 3, 4, 4},
                Map.of("w", HostTensor.ofFloats(new float[4], 1, 1, 2, 2)), 1);
        GraphException e = assertThrows(GraphException.class, () -> new GraphExecutor(g, manager));
        assertTrue(e.getMessage().contains("3 channels but the weight expects 1"), e.getMessage());
    }
}
