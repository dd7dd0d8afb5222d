package io.github.edgeprune.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Progress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MseRangeTest {

    @Test
    void theErrorOfAGridIsRoundingInsideAndDistanceOutside() {
        MseRange h = new MseRange(0, 3);
        float[] v = new float[1000];
        java.util.Arrays.fill(v, 0, 990, 0.5f);
        java.util.Arrays.fill(v, 990, 1000, 3.0f);
        h.add(v);
        QuantRange r = QuantRange.activation(0, 2.55); // zero point 0, step 0.01
        double width = 3.0 / MseRange.BINS;
        double clipped = 3.0 - width / 2; // the centre of the last bin
        double expected = 990 * 0.01 * 0.01 / 12 + 10 * (clipped - r.high()) * (clipped - r.high());
        assertEquals(expected, h.expectedError(r), expected * 1e-6);
    }

    @Test
    void aUniformRangeIsKeptWhole() {
        Random rnd = new Random(1);
        float[] uniform = new float[100_000];
        for (int i = 0; i < uniform.length; i++) {
            uniform[i] = rnd.nextFloat();
        }
        MseRange whole = new MseRange(0, 1);
        whole.add(uniform);
        Calibrator.Observed w = whole.best();
        assertEquals(0, w.min());
        assertTrue(w.max() > 0.98, "a uniform [0, 1] keeps its range: " + w);
    }

    @Test
    void longTailsAreClippedWhereThatLowersTheErrorAndNoFurther() {
        // a long positive tail (exponential, mean 1) and a short negative one, as after SiLU and a residual add
        Random rnd = new Random(2);
        float[] v = new float[110_000];
        double min = 0;
        double max = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (i < 100_000 ? -Math.log(1 - rnd.nextDouble()) : Math.log(1 - rnd.nextDouble()) * 0.1);
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
        }
        MseRange h = new MseRange(min, max);
        h.add(v);
        Calibrator.Observed o = h.best();
        assertTrue(o.max() < max && o.max() > max / 2, "the thin end of the tail is clipped, the body kept: " + o + " of "
                + max);
        double best = h.expectedError(QuantRange.activation(o.min(), o.max()));
        assertTrue(best < h.expectedError(QuantRange.activation(min, max)), "less error than the min/max grid");
        // nothing near it does better: the search is not stuck on a coarse step
        for (double lo : new double[] {min, min * 0.75, min * 0.5}) {
            for (double f = 0.5; f <= 1.0; f += 0.05) {
                assertTrue(best <= h.expectedError(QuantRange.activation(lo, max * f)) * (1 + 1e-3),
                        "[" + lo + ", " + max * f + "] is no better than " + o);
            }
        }
    }

    @Test
    void onAModelTheImageKeepsItsRangeAndTheRestNarrowWithinTheMinMax() {
        Graph g = FoldBatchNorm.apply(Int8QuantizerTest.tinyGraph());
        List<String> values = g.nodesOf(Op.Conv2d.class).stream().map(n -> n.input(0)).distinct().toList();
        List<Path> images = List.of(TestData.file("coco128/images/train2017/000000000009.jpg"),
                TestData.file("coco128/images/train2017/000000000025.jpg"));
        Map<String, Calibrator.Observed> minMax = Calibrator.observe(g, images, values, CalibrationMethod.MINMAX,
                Progress.silent());
        Map<String, Calibrator.Observed> mse = Calibrator.observe(g, images, values, CalibrationMethod.MSE,
                Progress.silent());
        String input = g.inputs().get(0).name();
        assertEquals(minMax.get(input), mse.get(input), "the image's grid stays the one every 8-bit pixel is on");
        int narrower = 0;
        for (String v : values) {
            assertTrue(mse.get(v).min() >= Math.min(0, minMax.get(v).min()) - 1e-6
                    && mse.get(v).max() <= Math.max(0, minMax.get(v).max()) + 1e-6, v + ": " + mse.get(v) + " within "
                    + minMax.get(v));
            narrower += mse.get(v).max() < minMax.get(v).max() - 1e-6 ? 1 : 0;
        }
        // 18 of 50 here: at 8 bits a tail is worth clipping only where it is long and thin
        assertTrue(narrower > 0 && narrower < values.size(), narrower + " of " + values.size() + " ranges clip a tail");
    }
}
