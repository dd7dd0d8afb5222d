package io.github.edgeprune.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogProgressTest {

    static final long S = 1_000_000_000L;

    final List<String> lines = new ArrayList<>();
    long now;
    final Log log = new Log() {
        @Override
        public void info(String message) {
            lines.add(message);
        }

        @Override
        public void warn(String message) {
            lines.add("WARN " + message);
        }
    };

    @Test
    void linesAtMostEveryTwoSecondsAndTenPercent() {
        LogProgress p = new LogProgress(log, () -> now, 2 * S, 30 * S);
        p.start("Validating", 128);
        for (int i = 0; i < 128; i += 8) { // 8 images every 2.5 s: 3.2 it/s
            now += 2500_000_000L;
            p.step(8);
        }
        p.done();
        p.done(); // a second call writes nothing
        assertEquals(List.of(
                "Validating 16/128 (12%) 3.2 it/s ETA 35 s",
                "Validating 32/128 (25%) 3.2 it/s ETA 30 s",
                "Validating 48/128 (37%) 3.2 it/s ETA 25 s",
                "Validating 64/128 (50%) 3.2 it/s ETA 20 s",
                "Validating 80/128 (62%) 3.2 it/s ETA 15 s",
                "Validating 96/128 (75%) 3.2 it/s ETA 10 s",
                "Validating 112/128 (87%) 3.2 it/s ETA 5 s",
                "Validating 128/128 (100%) 3.2 it/s in 40 s"), lines);
    }

    @Test
    void fastWorkWritesOnlyTheClosingLine() {
        LogProgress p = new LogProgress(log, () -> now, 2 * S, 30 * S);
        p.start("Validating", 1000);
        for (int i = 0; i < 1000; i++) {
            now += S / 1000;
            p.step(1);
        }
        p.done();
        assertEquals(List.of("Validating 1000/1000 (100%) 1000.0 it/s in 1 s"), lines);
    }

    @Test
    void slowWorkStillShowsItIsAlive() {
        LogProgress p = new LogProgress(log, () -> now, 2 * S, 30 * S);
        p.start("Pruning", 0); // unknown total
        now += 31 * S;
        p.step(1);
        now += 60 * S;
        p.step(1);
        p.done();
        assertEquals(List.of("Pruning 1 31.0 s/it", "Pruning 2 45.5 s/it", "Pruning 2 45.5 s/it in 1 min 31 s"), lines);
    }

    @Test
    void durations() {
        assertEquals("7 s", LogProgress.duration(7.2));
        assertEquals("3 min 5 s", LogProgress.duration(185));
        assertEquals("2 h 4 min", LogProgress.duration(2 * 3600 + 4 * 60 + 10));
    }
}
