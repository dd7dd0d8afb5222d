package io.github.edgeprune.prune;

import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * L1 unstructured magnitude pruning, as {@code torch.nn.utils.prune.l1_unstructured} (per
 * tensor) and {@code global_unstructured} with L1 (one cut-off over a group of tensors): the
 * {@code round(amount · n)} entries of smallest |w| become exactly zero, Python's round (half to
 * even). Entries that are already zero are the smallest and count towards that number, so
 * re-pruning a pruned tensor to the same amount changes nothing. Among equal magnitudes the
 * lower index goes first (PyTorch's choice among ties is arbitrary; the count is what matters).
 */
public final class L1Pruner {

    private L1Pruner() {
    }

    /** The number of entries PyTorch prunes for this amount: round-half-even of amount·n. */
    public static long pruneCount(double amount, long n) {
        checkAmount(amount, "amount");
        return (long) Math.rint(amount * n);
    }

    public static void checkAmount(double amount, String property) {
        if (!(amount >= 0 && amount < 1)) {
            throw new IllegalArgumentException(property + " must be a fraction in [0, 1), got " + amount);
        }
    }

    /** Prunes each named tensor in place to the amount ({@code round(amount · size)} smallest |w| each). */
    public static void pruneEach(Map<String, HostTensor> tensors, List<String> names, double amount) {
        for (String name : names) {
            HostTensor t = tensors.get(name);
            zeroSmallest(List.of(t.floats()), pruneCount(amount, t.size()));
        }
    }

    /** Prunes the named tensors in place with one cut-off over all of them. */
    public static void pruneGlobally(Map<String, HostTensor> tensors, List<String> names, double amount) {
        List<float[]> arrays = new ArrayList<>();
        long n = 0;
        for (String name : names) {
            float[] a = tensors.get(name).floats();
            arrays.add(a);
            n += a.length;
        }
        zeroSmallest(arrays, pruneCount(amount, n));
    }

    /** Zeroes the k entries of smallest magnitude across these arrays (ties: lower position first). */
    static void zeroSmallest(List<float[]> arrays, long k) {
        if (k <= 0) {
            return;
        }
        int total = 0;
        for (float[] a : arrays) {
            total += a.length;
        }
        // sort (|w|, position) packed into longs: |w| bits are monotone for non-negative floats
        long[] keys = new long[total];
        int p = 0;
        for (float[] a : arrays) {
            for (float v : a) {
                keys[p] = ((long) Float.floatToRawIntBits(Math.abs(v)) << 32) | p;
                p++;
            }
        }
        java.util.Arrays.sort(keys);
        int[] offsets = new int[arrays.size() + 1];
        for (int i = 0; i < arrays.size(); i++) {
            offsets[i + 1] = offsets[i] + arrays.get(i).length;
        }
        for (int i = 0; i < k; i++) {
            int pos = (int) (keys[i] & 0xffffffffL);
            int arr = owner(offsets, pos);
            arrays.get(arr)[pos - offsets[arr]] = 0f;
        }
    }

    /** The array holding this position: the last one whose start is at or before it (skips empty ones). */
    private static int owner(int[] offsets, int pos) {
        int lo = 0;
        int hi = offsets.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (offsets[mid] <= pos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
