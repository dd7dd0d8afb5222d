package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.util.Log;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unstructured zeros survive export exactly: 20 % of every convolution weight and 20 % of the
 * BatchNorm weights are set to zero (as L1 pruning leaves them), the graph is exported (BatchNorm
 * folded on the way, some scales negative), and every convolution Const in the .bin is checked
 * element by element. The Detect convolutions (no BatchNorm, so their weights reach the writer
 * unchanged) also get a -0 and a tiny negative weight that f16 cannot hold: both must be stored as
 * +0 (the tiny one only in FP16).
 */
class IrZerosTest {

    static Graph graph;
    /** Number of conv weights zeroed directly, and through a zero BatchNorm weight. */
    static long zeroedDirectly;
    /** Negative, nonzero, but below half the smallest f16 subnormal (2^-25): f16 rounds it to -0. */
    static final float TINY_NEGATIVE = -1e-10f;
    /** The weights of the convolutions without BatchNorm, whose [0] is -0 and [1] TINY_NEGATIVE. */
    static final java.util.List<String> planted = new java.util.ArrayList<>();

    @BeforeAll
    static void prune() {
        graph = IrTestSupport.yolov5n(160, 31); // already a private copy of the parameters
        SplittableRandom r = new SplittableRandom(77);
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Op.Conv2d) {
                float[] w = graph.parameter(n.input(1)).tensor().floats();
                zeroedDirectly += zeroFraction(w, 0.2, r);
            } else if (n.op() instanceof Op.BatchNorm) {
                zeroFraction(graph.parameter(n.input(1)).tensor().floats(), 0.2, r);
            }
        }
        for (Node n : graph.nodes()) {
            if (n.op() instanceof Op.Conv2d
                    && graph.consumers(n.output()).stream().noneMatch(c -> c.op() instanceof Op.BatchNorm)) {
                float[] w = graph.parameter(n.input(1)).tensor().floats();
                w[0] = -0f;
                w[1] = TINY_NEGATIVE;
                planted.add(n.input(1));
            }
        }
        assertEquals(3, planted.size(), "yolov5n's three Detect convolutions have no BatchNorm");
    }

    /** Zeroes exactly round(fraction · n) distinct entries. */
    static int zeroFraction(float[] v, double fraction, SplittableRandom r) {
        int k = (int) Math.rint(fraction * v.length);
        int[] idx = new int[v.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) { // partial Fisher-Yates
            int j = i + r.nextInt(idx.length - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            v[idx[i]] = 0f;
        }
        return k;
    }

    /** The float precisions; an INT8 IR stores int8 levels (Int8IrTest). */
    @ParameterizedTest
    @EnumSource(value = IrPrecision.class, names = {"FP16", "FP32"})
    void zerosAreExactZerosInTheBin(IrPrecision precision, @TempDir Path dir) throws Exception {
        OpenVinoExporter.Result result = new OpenVinoExporter(Log.silent()).export(graph, dir, "pruned", precision);
        IrXmlModel xml = IrXmlModel.parse(result.xml());
        ByteBuffer bin = ByteBuffer.wrap(Files.readAllBytes(result.bin())).order(ByteOrder.LITTLE_ENDIAN);
        long total = 0;
        long expectedZeros = 0;
        long underflow = 0;
        for (Node n : graph.nodes()) {
            if (!(n.op() instanceof Op.Conv2d)) {
                continue;
            }
            String weight = n.input(1);
            float[] w = graph.parameter(weight).tensor().floats();
            int out = (int) graph.parameter(weight).tensor().dim(0);
            int per = w.length / out;
            // the BatchNorm after this conv, if any: its weight and scale
            Node bn = graph.consumers(n.output()).stream().filter(c -> c.op() instanceof Op.BatchNorm).findFirst()
                    .orElse(null);
            float[] gamma = bn == null ? null : graph.parameter(bn.input(1)).tensor().floats();
            float[] var = bn == null ? null : graph.parameter(bn.input(4)).tensor().floats();
            double eps = bn == null ? 0 : ((Op.BatchNorm) bn.op()).epsilon();
            String constName = precision == IrPrecision.FP16 ? weight + "_compressed" : weight;
            IrXmlModel.Layer c = xml.byName(constName);
            assertNotNull(c, "Const " + constName);
            assertEquals(precision == IrPrecision.FP16 ? "f16" : "f32", c.data().get("element_type"));
            int offset = Integer.parseInt(c.data().get("offset"));
            long zerosHere = 0;
            long expectedHere = 0;
            for (int o = 0; o < out; o++) {
                double scale = gamma == null ? 1 : gamma[o] / Math.sqrt(var[o] + eps);
                for (int i = 0; i < per; i++) {
                    int k = o * per + i;
                    float folded = gamma == null ? w[k] : (float) (w[k] * scale);
                    boolean mustBeZero = w[k] == 0f || (gamma != null && gamma[o] == 0f);
                    boolean isZero;
                    if (precision == IrPrecision.FP16) {
                        short bits = bin.getShort(offset + 2 * k);
                        if (mustBeZero) {
                            assertEquals(0, bits, constName + "[" + k + "] must be +0 (0x0000)");
                        }
                        isZero = (bits & 0x7fff) == 0;
                        if (!mustBeZero && Math.abs(folded) <= 0x1p-25f) {
                            underflow++; // below half the smallest f16 subnormal: rounds to zero
                            expectedHere++;
                            assertEquals(0, bits, constName + "[" + k + "] = " + folded + " underflows f16 and must be +0");
                        }
                    } else {
                        int bits = bin.getInt(offset + 4 * k);
                        if (mustBeZero) {
                            assertEquals(0, bits, constName + "[" + k + "] must be +0 (0x00000000)");
                        }
                        isZero = (bits & 0x7fffffff) == 0;
                    }
                    if (mustBeZero) {
                        expectedHere++;
                    }
                    if (isZero) {
                        zerosHere++;
                    }
                }
            }
            assertEquals(expectedHere, zerosHere, "zeros in " + constName);
            total += w.length;
            expectedZeros += expectedHere;
        }
        assertEquals(total, result.convWeights());
        assertEquals(expectedZeros, result.zeroConvWeights());
        // the planted values, read back from the .bin: -0 is +0; the tiny negative is +0 in f16, itself in f32
        for (String weight : planted) {
            IrXmlModel.Layer c = xml.byName(precision == IrPrecision.FP16 ? weight + "_compressed" : weight);
            int offset = Integer.parseInt(c.data().get("offset"));
            if (precision == IrPrecision.FP16) {
                assertEquals(0, bin.getShort(offset), weight + "[0] = -0 must be stored as +0 (0x0000)");
                assertEquals(0, bin.getShort(offset + 2), weight + "[1] = " + TINY_NEGATIVE + " must be stored as +0");
            } else {
                assertEquals(0, bin.getInt(offset), weight + "[0] = -0 must be stored as +0 (0x00000000)");
                assertEquals(Float.floatToRawIntBits(TINY_NEGATIVE), bin.getInt(offset + 4), weight + "[1] in f32");
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d of %d conv weights zero in the .bin (%.2f %%): %d pruned directly, the rest"
                + " through zero BatchNorm weights, %d f16 underflows; -0 and f16 underflow stored as +0%n",
                precision, expectedZeros, total, 100.0 * expectedZeros / total, zeroedDirectly, underflow);
    }
}
