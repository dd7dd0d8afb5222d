package io.github.edgeprune.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {

    @Test
    void everyHalfRoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(((h >>> 10) & 0x1f) == 0x1f && (h & 0x3ff) != 0);
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))));
                continue;
            }
            assertEquals(h, Half.fromFloat(f) & 0xffff, "half 0x" + Integer.toHexString(h) + " = " + f);
        }
    }

    /** Between two neighbouring halves, values round to the nearer; the exact midpoint to the even one. */
    @Test
    void roundsToNearestTiesToEven() {
        for (int h = 0; h < 0x7bff; h++) { // positive finite, excluding the largest
            float a = Half.toFloat((short) h);
            float b = Half.toFloat((short) (h + 1));
            float mid = (a + b) / 2; // exact in float
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, Half.fromFloat(mid), "midpoint of 0x" + Integer.toHexString(h));
            assertEquals(h, Half.fromFloat(Math.nextDown(mid)));
            assertEquals(h + 1, Half.fromFloat(Math.nextUp(mid)));
            assertEquals(0x8000 | even, Half.fromFloat(-mid) & 0xffff, "negative midpoint");
        }
    }

    @Test
    void specialValues() {
        assertEquals(0x0000, Half.fromFloat(0f));
        assertEquals((short) 0x8000, Half.fromFloat(-0f));
        assertEquals(0x3c00, Half.fromFloat(1f));
        assertEquals(0x7bff, Half.fromFloat(65504f));
        assertEquals(0x7c00, Half.fromFloat(65520f)); // rounds up to infinity
        assertEquals(0x7bff, Half.fromFloat(65519.99f));
        assertEquals(0x7c00, Half.fromFloat(Float.POSITIVE_INFINITY));
        assertEquals(0x0001, Half.fromFloat(0x1p-24f)); // smallest subnormal
        assertEquals(0x0000, Half.fromFloat(0x1p-25f)); // tie between 0 and the smallest subnormal: even
        assertEquals(0x0001, Half.fromFloat(Math.nextUp(0x1p-25f)));
        assertEquals(0x0000, Half.fromFloat(1e-10f));
        assertEquals(0x0400, Half.fromFloat(0x1p-14f)); // smallest normal
        assertEquals(0x3555, Half.fromFloat(1f / 3));
        assertEquals(1.5f, Half.bf16ToFloat((short) 0x3fc0));
    }
}
