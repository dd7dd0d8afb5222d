package io.github.edgeprune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.github.edgeprune.executor.Engines;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SGD-Nesterov, the warm-up and lr schedule, EMA decay and the gradual ramp against hand-worked numbers. */
class OptimTest {

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Sets the gradients of w and b to the constants given (loss = Σ w·gw + Σ b·gb). */
    private static void backward(NDArray w, float[] gw, NDArray b, float[] gb, NDManager m) {
        try (GradientCollector gc = Engine.getEngine(Engines.PYTORCH).newGradientCollector()) {
            NDArray loss = w.mul(m.create(gw)).sum().add(b.mul(m.create(gb)).sum());
            gc.backward(loss);
        }
    }

    @Test
    void nesterovStepsFollowPyTorchsFormula() {
        try (NDManager m = manager.newSubManager()) {
            NDArray w = m.create(new float[] {1, -2});
            NDArray b = m.create(new float[] {1, -2});
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("conv.weight", w);
            params.put("conv.bias", b);
            ParamGroups groups = new ParamGroups(List.of("conv.bias"), List.of("conv.weight"), List.of());
            try (Sgd sgd = new Sgd(params, groups, 0.1, 0.9, 0.01, m)) {
                float[] g = {0.5f, 0.25f};
                backward(w, g, b, g, m);
                sgd.step();
                Trainer.zeroGrad(List.of(w, b));
                // decayed: d = g + 0.01·p = (0.51, 0.23); buf = d; d += 0.9·buf -> (0.969, 0.437); p -= 0.1·d
                assertArrayEquals(new float[] {0.9031f, -2.0437f}, w.toFloatArray(), 1e-6f);
                // bias, no decay: d = (0.5, 0.25); d += 0.9·d -> (0.95, 0.475)
                assertArrayEquals(new float[] {0.905f, -2.0475f}, b.toFloatArray(), 1e-6f);
                backward(w, g, b, g, m);
                sgd.step();
                // d = g + 0.01·p = (0.509031, 0.229563); buf = 0.9·(0.51, 0.23) + d = (0.968031, 0.436563);
                // d += 0.9·buf -> (1.3802589, 0.6224697)
                assertArrayEquals(new float[] {0.76507411f, -2.10594697f}, w.toFloatArray(), 1e-6f);
                assertArrayEquals(new float[] {0.968031f, 0.436563f}, sgd.momentumBuffer("conv.weight").toFloatArray(),
                        1e-6f);
            }
        }
    }

    @Test
    void gradientNormIsClippedToTen() {
        try (NDManager m = manager.newSubManager()) {
            NDArray w = m.create(new float[] {0, 0});
            NDArray b = m.create(new float[] {0});
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            backward(w, new float[] {30, 40}, b, new float[] {0}, m); // norm 50
            assertEquals(50, Trainer.clipGradNorm(List.of(w, b), 10), 1e-4);
            assertArrayEquals(new float[] {6, 8}, w.getGradient().toFloatArray(), 1e-4f);
            Trainer.zeroGrad(List.of(w, b));
            backward(w, new float[] {3, 4}, b, new float[] {0}, m); // norm 5: unchanged
            Trainer.clipGradNorm(List.of(w, b), 10);
            assertArrayEquals(new float[] {3, 4}, w.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void nonFiniteGradientsAreCleared() {
        try (NDManager m = manager.newSubManager()) {
            NDArray w = m.create(new float[] {0, 0});
            NDArray b = m.create(new float[] {0});
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            backward(w, new float[] {Float.NaN, Float.POSITIVE_INFINITY}, b, new float[] {1}, m);
            assertEquals(Double.NaN, Trainer.clipGradNorm(List.of(w, b), 10));
            Trainer.clearNonFiniteGrad(List.of(w, b));
            assertArrayEquals(new float[] {0, 0}, w.getGradient().toFloatArray());
            assertArrayEquals(new float[] {0}, b.getGradient().toFloatArray());
        }
    }

    @Test
    void warmUpInterpolatesLrMomentumAndAccumulation() {
        Hyp hyp = Hyp.defaults();
        // 10 epochs of 20 batches of 16: warm-up max(round(3·20), 100) = 100 iterations, nbs/batch = 4
        LrSchedule s = new LrSchedule(hyp, 10, 16, 20);
        assertEquals(100, s.warmupIterations());
        assertEquals(1.0, s.lf(0), 1e-12);
        assertEquals(0.505, s.lf(5), 1e-12);
        LrSchedule.Point p0 = s.at(0, 0);
        assertArrayEquals(new double[] {0.1, 0, 0}, p0.lr(), 1e-12);
        assertEquals(0.8, p0.momentum(), 1e-12);
        assertEquals(1, p0.accumulate());
        // ni 50 in epoch 2: target lr 0.01·lf(2) = 0.00802; halfway
        LrSchedule.Point p50 = s.at(50, 2);
        assertArrayEquals(new double[] {0.05401, 0.00401, 0.00401}, p50.lr(), 1e-12);
        assertEquals(0.8685, p50.momentum(), 1e-12);
        assertEquals(2, p50.accumulate()); // round(2.5) = 2, half to even as numpy
        LrSchedule.Point p100 = s.at(100, 5);
        assertArrayEquals(new double[] {0.00505, 0.00505, 0.00505}, p100.lr(), 1e-12);
        assertEquals(0.937, p100.momentum(), 1e-12);
        assertEquals(4, p100.accumulate());
        LrSchedule.Point after = s.at(150, 7);
        assertEquals(0.01 * s.lf(7), after.lr()[1], 1e-12);
        assertEquals(4, after.accumulate());
        assertEquals(4, hyp.accumulate(16));
        assertEquals(1, hyp.accumulate(128));
    }

    @Test
    void emaDecayRampsUpAndAverages() {
        assertEquals(0.9999 * (1 - Math.exp(-1 / 2000.0)), ModelEma.decay(1, 0.9999, 2000), 1e-15);
        assertEquals(0.9999 * (1 - Math.exp(-1)), ModelEma.decay(2000, 0.9999, 2000), 1e-15);
        try (NDManager m = manager.newSubManager()) {
            Map<String, NDArray> model = new LinkedHashMap<>();
            model.put("w", m.create(new float[] {1f}));
            try (ModelEma ema = new ModelEma(model, List.of("w"), 0.9999, 2000, 0, m)) {
                model.get("w").set(new float[] {3f});
                ema.update(model);
                double d = ModelEma.decay(1, 0.9999, 2000);
                assertEquals(1 * d + 3 * (1 - d), ema.arrays().get("w").getFloat(), 1e-6);
                assertEquals(1, ema.updates());
            }
        }
    }

    @Test
    void gradualRampIsCubic() {
        assertEquals(0, PruningControl.cubic(0.2, 0, 100), 1e-12);
        assertEquals(0.2 * (1 - 0.125), PruningControl.cubic(0.2, 50, 100), 1e-12);
        assertEquals(0.2, PruningControl.cubic(0.2, 100, 100), 0);
        assertEquals(0.2, PruningControl.cubic(0.2, 130, 100), 0);
    }
}
