package io.github.edgeprune.device.verify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetsTest {

    @Test
    void badValuesAreRefusedNamingTheProperty() {
        assertEquals("prune.maxLatencyMs must be a positive number of milliseconds, got NaN",
                assertThrows(BudgetException.class, () -> Budgets.builder().maxLatencyMs(Double.NaN).build()).getMessage());
        assertEquals("prune.maxLatencyMs must be a positive number of milliseconds, got -5.0",
                assertThrows(BudgetException.class, () -> Budgets.builder().maxLatencyMs(-5.0).build()).getMessage());
        assertEquals("prune.maxLatencyMs must be a positive number of milliseconds, got 0.0",
                assertThrows(BudgetException.class, () -> Budgets.builder().maxLatencyMs(0.0).build()).getMessage());
        assertEquals("prune.maxMemoryMb must be a positive number of megabytes (MiB), got Infinity",
                assertThrows(BudgetException.class, () -> Budgets.builder().maxMemoryMb(Double.POSITIVE_INFINITY).build()).getMessage());
        assertEquals("prune.minMap50 must be a number from 0 to 1 (mAP50 is a fraction, e.g. 0.45), got 45.0 (did you mean 0.45?)",
                assertThrows(BudgetException.class, () -> Budgets.builder().minMap50(45.0).build()).getMessage());
        assertEquals("prune.minMap50 must be a number from 0 to 1 (mAP50 is a fraction, e.g. 0.45), got -0.1",
                assertThrows(BudgetException.class, () -> Budgets.builder().minMap50(-0.1).build()).getMessage());
        assertEquals("prune.maxMemoryMb must be a number, got 'lots'",
                assertThrows(BudgetException.class, () -> Budgets.builder().maxMemoryMb("lots").build()).getMessage());
        assertEquals("prune.latencyStatistic must be one of median, p90, p99, mean, got 'p95'",
                assertThrows(BudgetException.class, () -> Budgets.builder().latencyStatistic("p95").build()).getMessage());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        BudgetException e = assertThrows(BudgetException.class, () -> Budgets.builder()
                .minMap50(Double.NaN).maxLatencyMs("NaN").maxMemoryMb(-1.0).build());
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(3, lines.size(), e.getMessage());
        assertTrue(lines.get(0).startsWith("prune.minMap50"));
        assertTrue(lines.get(1).startsWith("prune.maxLatencyMs"));
        assertTrue(lines.get(2).startsWith("prune.maxMemoryMb"));
    }

    @Test
    void everyBudgetIsCheckedNotJustUntilTheFirstMiss() {
        Budgets b = Budgets.builder().minMap50(0.45).maxLatencyMs(200.0).latencyStatistic("p90").maxMemoryMb(300.0).build();
        LatencyStats lat = LatencyStats.of(150, 160, 170, 180, 260); // p90 = 228
        List<BudgetResult> r = b.check(0.431, lat, 250.0);
        assertEquals(3, r.size());
        assertEquals("map50", r.get(0).metric());
        assertFalse(r.get(0).passed());
        assertEquals(0.431, r.get(0).measured());
        assertEquals("latencyMs", r.get(1).metric());
        assertEquals("latency (p90)", r.get(1).label());
        assertEquals(228.0, r.get(1).measured(), 1e-9);
        assertFalse(r.get(1).passed());
        assertTrue(r.get(2).passed());
        assertFalse(Budgets.allPassed(r));

        String table = Budgets.table(r);
        System.out.println("[budget table]\n" + table);
        List<String> lines = table.lines().toList();
        assertEquals(5, lines.size(), table);
        assertTrue(lines.get(0).startsWith("metric"));
        assertTrue(lines.get(2).startsWith("mAP50") && lines.get(2).contains(">= 0.450") && lines.get(2).contains("0.431")
                && lines.get(2).endsWith("FAILED"), lines.get(2));
        assertTrue(lines.get(3).startsWith("latency (p90)") && lines.get(3).contains("<= 200.0 ms")
                && lines.get(3).contains("228.0 ms") && lines.get(3).endsWith("FAILED"), lines.get(3));
        assertTrue(lines.get(4).startsWith("peak memory") && lines.get(4).endsWith("PASSED"), lines.get(4));
        assertEquals("mAP50 0.431 is below the minimum 0.450 (prune.minMap50)", r.get(0).explanation());
    }

    @Test
    void boundaryMeetsTheBudgetAndMissingMeasurementFails() {
        Budgets b = Budgets.builder().minMap50(0.5).maxLatencyMs(100.0).maxMemoryMb(64.0).build();
        List<BudgetResult> r = b.check(0.5, LatencyStats.of(100), 64.0);
        assertTrue(Budgets.allPassed(r));
        List<BudgetResult> missing = b.check(Double.NaN, LatencyStats.empty(), Double.NaN);
        assertTrue(missing.stream().noneMatch(BudgetResult::passed));
        assertEquals("NOT MEASURED", missing.get(0).verdict());
    }

    @Test
    void noBudgetsPassAndSayso() {
        Budgets none = Budgets.builder().minMap50((Double) null).maxLatencyMs("").build();
        assertTrue(none.isEmpty());
        assertTrue(none.check(0.1, LatencyStats.of(1), 1).isEmpty());
        assertTrue(Budgets.table(List.of()).contains("(no budgets set)"));
    }
}
