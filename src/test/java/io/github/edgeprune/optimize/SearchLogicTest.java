package io.github.edgeprune.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.device.verify.LatencyStats;
import io.github.edgeprune.openvino.IrPrecision;
import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The search on synthetic figures, without building or measuring anything: the order, the skipping
 * of candidates predicted slower than the winner, the build-machine gate, the choice of the winner
 * and of the closest candidate. A fake device says what each candidate "measures".
 */
class SearchLogicTest {

    private static final double DENSE_GFLOPS = 4.0;
    private static final Budgets BUDGETS = Budgets.builder().minMap50(0.5).maxLatencyMs(30.0).build();

    /** What the fake device and build machine report per candidate id: {build mAP50, device ms, size}. */
    private final Map<String, double[]> figures = new HashMap<>();
    private final List<String> measured = new ArrayList<>();

    private void figures(String id, double buildMap50, double ms, long size) {
        figures.put(id, new double[] {buildMap50, ms, size});
    }

    /** As Search.measure does: gate on the build machine, then "device" figures and verdicts. */
    private void fakeMeasure(CandidateResult r, Log log) {
        measured.add(r.candidate().id());
        double[] f = figures.get(r.candidate().id());
        r.gflops = r.predictedGflops();
        r.sizeBytes = (long) f[2];
        r.buildMap50 = f[0];
        if (r.buildMap50 < BUDGETS.minMap50()) {
            r.status = CandidateResult.Status.REJECTED_ON_BUILD_MACHINE;
            r.budgets = Budgets.builder().minMap50(BUDGETS.minMap50()).build().check(r.buildMap50, null, Double.NaN);
            return;
        }
        r.deviceMap50 = f[0];
        r.latency = LatencyStats.of(new double[] {f[1]});
        r.latencyMs = f[1];
        r.peakMemoryMb = 300;
        r.budgets = BUDGETS.check(r.deviceMap50, r.latency, r.peakMemoryMb);
        r.status = Budgets.allPassed(r.budgets) ? CandidateResult.Status.PASSED : CandidateResult.Status.FAILED;
    }

    private static List<CandidateResult> results(String... ids) {
        List<CandidateResult> out = new ArrayList<>();
        for (Candidate c : SearchSpace.parse(String.join(",", ids), "256,320", null, 320)) {
            out.add(new CandidateResult(c, c.predictedGflops(DENSE_GFLOPS, 320)));
        }
        return out;
    }

    private static CandidateResult find(List<CandidateResult> rs, String id) {
        return rs.stream().filter(r -> r.candidate().id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void cheapestPredictedCostComesFirstWithInt8AtHalfTheCost() {
        List<CandidateResult> order = OptimizeJob.searchOrder(results("dense-fp16", "dense-int8", "flops0.5-fp16"));
        // 256: dense 2.56 GFLOPs, int8 cost 1.28, cut 1.28 (tie broken by id); 320: 4.0, 2.0, 2.0
        assertEquals(List.of("dense-int8-256", "flops0.50-fp16-256", "dense-int8-320", "flops0.50-fp16-320",
                "dense-fp16-256", "dense-fp16-320"), order.stream().map(r -> r.candidate().id()).toList());
        assertEquals(1, order.get(0).order());
        assertEquals(6, order.get(5).order());
    }

    @Test
    void aCandidatePredictedSlowerThanTheWinnerIsNotMeasured() throws IOException {
        List<CandidateResult> rs = results("dense-fp16", "dense-int8");
        figures("dense-int8-256", 0.6, 20, 2_000);
        figures("dense-int8-320", 0.65, 31, 2_000);
        figures("dense-fp16-256", 0.62, 25, 4_000);
        figures("dense-fp16-320", 0.7, 39, 4_000);
        CandidateResult winner = OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.1, this::fakeMeasure,
                Log.silent());
        assertEquals("dense-int8-256", winner.candidate().id());
        // int8-320 is predicted 20 ms x 4.0/2.56 = 31.3 ms > 20 x 1.1: skipped without a device run;
        // fp16-256 is the first FP16 candidate: no FP16 rate is known yet, so it is measured
        assertEquals(List.of("dense-int8-256", "dense-fp16-256"), measured);
        CandidateResult skipped = find(rs, "dense-int8-320");
        assertEquals(CandidateResult.Status.NOT_MEASURED, skipped.status());
        assertTrue(skipped.reason().contains("predicted 31.3 ms") && skipped.reason().contains("cannot beat the winner"
                + " dense-int8-256 at 20.0 ms"), skipped.reason());
        assertEquals(CandidateResult.Status.NOT_MEASURED, find(rs, "dense-fp16-320").status(),
                "predicted 25 x 1.5625 = 39 ms, also slower");
    }

    @Test
    void withinTheMarginACandidateIsStillMeasuredAndCanWin() throws IOException {
        List<CandidateResult> rs = results("dense-int8");
        figures("dense-int8-256", 0.6, 20, 2_000);
        figures("dense-int8-320", 0.65, 19, 2_000); // bigger, yet measured faster (noise, a better kernel)
        CandidateResult winner = OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.6, this::fakeMeasure,
                Log.silent());
        assertEquals(List.of("dense-int8-256", "dense-int8-320"), measured, "31.3 ms < 20 x 1.6: measured");
        assertEquals("dense-int8-320", winner.candidate().id());
    }

    @Test
    void aCandidateBelowMinMap50OnTheBuildMachineNeverReachesTheDevice() throws IOException {
        List<CandidateResult> rs = results("flops0.5-fp16");
        figures("flops0.50-fp16-256", 0.1, 5, 1_000);
        figures("flops0.50-fp16-320", 0.2, 8, 1_000);
        assertNull(OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.1, this::fakeMeasure, Log.silent()));
        for (CandidateResult r : rs) {
            assertEquals(CandidateResult.Status.REJECTED_ON_BUILD_MACHINE, r.status());
            assertTrue(!r.measuredOnDevice());
        }
        // nothing reached the device: the closest is the most accurate on the build machine
        assertEquals("flops0.50-fp16-320", OptimizeJob.closest(rs, BUDGETS).candidate().id());
    }

    @Test
    void equalLatencyGoesToTheSmallerModel() throws IOException {
        List<CandidateResult> rs = results("dense-fp16", "flops0.9-fp16");
        figures("flops0.90-fp16-256", 0.6, 20, 3_000);
        figures("dense-fp16-256", 0.7, 20, 4_000);
        figures("flops0.90-fp16-320", 0.6, 40, 3_000);
        figures("dense-fp16-320", 0.7, 40, 4_000);
        CandidateResult winner = OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.1, this::fakeMeasure,
                Log.silent());
        assertEquals("flops0.90-fp16-256", winner.candidate().id());
        assertTrue(OptimizeJob.better(find(rs, "flops0.90-fp16-256"), find(rs, "dense-fp16-256")));
        assertTrue(!OptimizeJob.better(find(rs, "dense-fp16-256"), find(rs, "flops0.90-fp16-256")));
    }

    @Test
    void theClosestIsTheSmallestWorstMissRelativeToItsBudget() throws IOException {
        List<CandidateResult> rs = results("dense-fp16");
        figures("dense-fp16-256", 0.55, 45, 4_000); // latency 50 % over
        figures("dense-fp16-320", 0.52, 33, 4_000); // latency 10 % over: closer
        assertNull(OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.1, this::fakeMeasure, Log.silent()));
        assertEquals(2, measured.size(), "with no winner nothing is cut off");
        assertSame(find(rs, "dense-fp16-320"), OptimizeJob.closest(rs, BUDGETS));
    }

    @Test
    void aCandidateThatFailsToBuildIsAnErrorAndTheSearchGoesOn() throws IOException {
        List<CandidateResult> rs = results("dense-int8");
        figures("dense-int8-320", 0.6, 20, 2_000);
        CandidateResult winner = OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.1, (r, log) -> {
            if (r.candidate().imgsz() == 256) {
                throw new IllegalArgumentException("calibration: no train images");
            }
            fakeMeasure(r, log);
        }, Log.silent());
        assertEquals(CandidateResult.Status.ERROR, find(rs, "dense-int8-256").status());
        assertTrue(find(rs, "dense-int8-256").reason().contains("no train images"));
        assertEquals("dense-int8-320", winner.candidate().id());
    }

    @Test
    void anInterruptionStopsTheSearchInsteadOfFailingOneCandidate() {
        List<CandidateResult> rs = results("dense-int8");
        assertThrows(InterruptedIOException.class, () -> OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 0.1,
                (r, log) -> {
                    throw new InterruptedIOException("stopped");
                }, Log.silent()));
    }

    @Test
    void thePapersZerosAreDominatedByTheirDenseTwinUnlessOnlyAccuracyFailed() throws IOException {
        List<CandidateResult> rs = new ArrayList<>();
        for (Candidate c : SearchSpace.parse("dense-fp16,static-fp16,dense-int8,static-int8", null, null, 320, 1)) {
            rs.add(new CandidateResult(c, c.predictedGflops(DENSE_GFLOPS, 320)));
        }
        figures("dense-int8-320", 0.45, 20, 2_000); // fast enough, not accurate enough
        figures("static-ft1-int8-320", 0.55, 20, 2_000); // fine-tuned on the user's data: now accurate enough
        figures("dense-fp16-320", 0.7, 40, 4_000); // too slow
        figures("static-ft1-fp16-320", 0.7, 40, 4_000);
        CandidateResult winner = OptimizeJob.searchInOrder(OptimizeJob.searchOrder(rs), rs, 10.0, this::fakeMeasure,
                Log.silent());
        assertEquals("static-ft1-int8-320", winner.candidate().id(), "the dense INT8 twin missed only mAP50");
        CandidateResult fp16 = find(rs, "static-ft1-fp16-320");
        assertEquals(CandidateResult.Status.NOT_MEASURED, fp16.status());
        assertTrue(fp16.reason().contains("dominated by dense-fp16-320") && fp16.reason().contains("cannot fix"),
                fp16.reason());
        assertTrue(!measured.contains("static-ft1-fp16-320"));
    }

    @Test
    void theFastestRateIsPerPrecision() {
        List<CandidateResult> rs = results("dense-fp16", "dense-int8");
        CandidateResult fp16 = find(rs, "dense-fp16-320");
        fp16.latency = LatencyStats.of(new double[] {40});
        fp16.latencyMs = 40;
        fp16.gflops = 4.0;
        assertEquals(10.0, OptimizeJob.fastestRate(IrPrecision.FP16, rs), 1e-12);
        assertNull(OptimizeJob.fastestRate(IrPrecision.INT8, rs), "no INT8 candidate measured yet");
    }
}
