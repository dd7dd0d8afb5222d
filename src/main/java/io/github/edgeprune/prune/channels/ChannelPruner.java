package io.github.edgeprune.prune.channels;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.ToDoubleFunction;

/**
 * Global channel selection: every prunable group's channels are ranked by normalised importance
 * against one threshold; each group then keeps a multiple of {@code roundTo} channels (at least
 * {@code roundTo}, what CPU kernels and OpenVINO's blocked layouts like). The threshold is searched
 * until the target is met: a fraction of the prunable channels removed, or a fraction of the
 * model's GFLOPs kept (within 3 %).
 */
public final class ChannelPruner {

    /** The tolerance on {@code targetFlops}, relative. */
    public static final double FLOPS_TOLERANCE = 0.03;

    /**
     * What to prune.
     *
     * @param channelRatio fraction of prunable channels to remove, in [0, 1), or NaN
     * @param targetFlops fraction of the model's GFLOPs to keep, in (0, 1], or NaN
     */
    public record Settings(ChannelImportance importance, int roundTo, double channelRatio, double targetFlops) {

        public Settings {
            if (importance == null) {
                importance = ChannelImportance.BN_GAMMA;
            }
            if (roundTo < 1) {
                throw new ChannelPruningException("prune.roundTo must be 1 or more, got " + roundTo);
            }
            boolean ratio = !Double.isNaN(channelRatio);
            boolean flops = !Double.isNaN(targetFlops);
            if (ratio == flops) {
                throw new ChannelPruningException("set exactly one of prune.channelRatio and prune.targetFlops");
            }
            if (ratio && !(channelRatio >= 0 && channelRatio < 1)) {
                throw new ChannelPruningException("prune.channelRatio must be in [0, 1), got " + channelRatio);
            }
            if (flops && !(targetFlops > 0 && targetFlops <= 1)) {
                throw new ChannelPruningException("prune.targetFlops must be in (0, 1], got " + targetFlops);
            }
        }
    }

    /** One group's channels before and after. */
    public record Layer(String name, int before, int after) {
    }

    /** A cut bounded by a score: the cut, the uncut and the cut model's scores, and how many were measured. */
    public record Limited(Result result, double baseScore, double score, int evaluations) {
    }

    /** The pruned graph and what changed. */
    public record Result(Graph graph, List<Layer> layers, GraphStats before, GraphStats after, int removedChannels,
            int prunableChannels) {

        public double flopsRatio() {
            return after.gflops() / before.gflops();
        }
    }

    private final ChannelDependencies deps;
    /** The original graph's expected channel values: the same for every cut the search tries. */
    private final ChannelCompensation compensation;
    private final List<ChannelGroup> groups;
    private final List<double[]> scores = new ArrayList<>();
    private final Settings settings;
    private final int prunable;

    public ChannelPruner(Graph graph, Settings settings) {
        this.deps = ChannelDependencies.of(graph);
        this.compensation = ChannelCompensation.of(graph);
        this.groups = ChannelGroups.of(deps);
        this.settings = settings;
        int p = 0;
        for (ChannelGroup g : groups) {
            scores.add(groupScores(graph, g));
            p += g.prunable() ? g.channels() : 0;
        }
        this.prunable = p;
    }

    public List<ChannelGroup> groups() {
        return groups;
    }

    /** Mean normalised score of each channel over the group's members. */
    private double[] groupScores(Graph graph, ChannelGroup g) {
        double[] s = new double[g.channels()];
        int[] classes = g.classes();
        for (String conv : g.convs()) {
            double[] member = settings.importance().scores(graph, conv);
            ChannelDependencies.Space space = deps.spaceOf(conv);
            for (int c = 0; c < member.length; c++) {
                int cls = deps.root(space.first() + c);
                int pos = indexOf(classes, cls);
                s[pos] += member[c] / g.convs().size();
            }
        }
        return s;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalStateException("tie class " + v + " is not in its group");
    }

    /** Prunes to the settings' target. */
    public Result prune() {
        GraphStats before = GraphStats.of(deps.graph());
        double[] thresholds = candidateThresholds();
        return result(before, thresholds[targetIndex(before, thresholds)]);
    }

    /**
     * The deepest cut, up to the settings' target, whose score (mAP50 measured by the caller) is at
     * most {@code maxDrop} below the uncut model's. The score is taken as falling with the cut, so
     * the cut is bisected over the sorted thresholds: about log2(candidate thresholds) + 2
     * measurements, each reported to {@code progress}.
     */
    public Limited pruneWithin(ToDoubleFunction<Graph> score, double maxDrop, Consumer<String> progress) {
        GraphStats before = GraphStats.of(deps.graph());
        double[] thresholds = candidateThresholds();
        int target = targetIndex(before, thresholds);
        double base = score.applyAsDouble(deps.graph());
        progress.accept(String.format(Locale.ROOT, "maxMapDrop: the uncut model scores mAP50 %.4f; cuts must stay at"
                + " or above %.4f", base, base - maxDrop));
        double[] scores = new double[thresholds.length]; // NaN: not measured
        Arrays.fill(scores, Double.NaN);
        scores[0] = base; // threshold 0 cuts nothing
        int[] evaluations = {1};
        IntPredicate ok = i -> {
            Result r = result(before, thresholds[i]);
            scores[i] = score.applyAsDouble(r.graph());
            evaluations[0]++;
            boolean pass = scores[i] >= base - maxDrop;
            progress.accept(String.format(Locale.ROOT, "maxMapDrop: keeping %.3f of the GFLOPs scores mAP50 %.4f (drop"
                    + " %.4f): %s", r.flopsRatio(), scores[i], base - scores[i], pass ? "within" : "too much"));
            return pass;
        };
        int chosen;
        if (ok.test(target)) {
            chosen = target;
        } else {
            int lo = 0; // no cut: always within
            int hi = target;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (ok.test(mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            chosen = lo;
        }
        return new Limited(result(before, thresholds[chosen]), base, scores[chosen], evaluations[0]);
    }

    /** Index of the threshold that meets the settings' target. */
    private int targetIndex(GraphStats before, double[] thresholds) {
        if (!Double.isNaN(settings.channelRatio())) {
            int want = (int) Math.round(settings.channelRatio() * prunable);
            int most = removedAt(thresholds[thresholds.length - 1]).size();
            if (most < want) {
                throw new ChannelPruningException(String.format(Locale.ROOT,
                        "prune.channelRatio %.3f cannot be met: with every prunable layer at prune.roundTo=%d channels"
                                + " only %d of %d prunable channels can go (%.3f); lower prune.roundTo or the ratio",
                        settings.channelRatio(), settings.roundTo(), most, prunable, (double) most / prunable));
            }
            int lo = 0;
            int hi = thresholds.length - 1;
            while (lo < hi) { // the smallest threshold removing at least the wanted count
                int mid = (lo + hi) >>> 1;
                if (removedAt(thresholds[mid]).size() >= want) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }
        double target = settings.targetFlops();
        Result most = result(before, thresholds[thresholds.length - 1]);
        if (most.flopsRatio() > target * (1 + FLOPS_TOLERANCE)) {
            throw new ChannelPruningException(String.format(Locale.ROOT,
                    "prune.targetFlops %.3f cannot be met: with every prunable layer at prune.roundTo=%d channels"
                            + " the model still has %.3f of its GFLOPs (%.2f of %.2f)",
                    target, settings.roundTo(), most.flopsRatio(), most.after().gflops(), before.gflops()));
        }
        int lo = 0;
        int hi = thresholds.length - 1;
        while (lo < hi) { // the smallest threshold at or under the target
            int mid = (lo + hi) >>> 1;
            if (flopsAt(before, thresholds[mid]) <= target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        double at = flopsAt(before, thresholds[lo]);
        if (lo > 0 && Math.abs(at - target) > target * FLOPS_TOLERANCE) {
            // one step less pruning may land closer, above the target but within the tolerance
            if (Math.abs(flopsAt(before, thresholds[lo - 1]) - target) < Math.abs(at - target)) {
                return lo - 1;
            }
        }
        return lo;
    }

    private double flopsAt(GraphStats before, double t) {
        return GraphStats.gflops(ChannelRemoval.apply(deps, removedAt(t), compensation)) / before.gflops();
    }

    private Result result(GraphStats before, double t) {
        Set<Integer> removed = removedAt(t);
        Graph pruned = ChannelRemoval.apply(deps, removed, compensation);
        List<Layer> layers = new ArrayList<>();
        for (ChannelGroup g : groups) {
            int gone = 0;
            for (int cls : g.classes()) {
                gone += removed.contains(cls) ? 1 : 0;
            }
            for (String conv : g.convs()) {
                layers.add(new Layer(conv, g.channels(), g.channels() - gone));
            }
        }
        return new Result(pruned, layers, before, GraphStats.of(pruned), removed.size(), prunable);
    }

    /** Every distinct score, and one past the largest (removes all that rounding allows). */
    private double[] candidateThresholds() {
        Set<Double> all = new HashSet<>();
        all.add(0.0);
        double max = 0;
        for (int i = 0; i < groups.size(); i++) {
            if (groups.get(i).prunable()) {
                for (double v : scores.get(i)) {
                    all.add(v);
                    max = Math.max(max, v);
                }
            }
        }
        all.add(Math.nextUp(max));
        double[] t = all.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(t);
        return t;
    }

    /** The tie classes removed at threshold t, after each group is rounded to {@code roundTo}. */
    Set<Integer> removedAt(double t) {
        Set<Integer> removed = new HashSet<>();
        int round = settings.roundTo();
        for (int i = 0; i < groups.size(); i++) {
            ChannelGroup g = groups.get(i);
            int c = g.channels();
            if (!g.prunable() || c <= round) {
                continue;
            }
            double[] s = scores.get(i);
            Integer[] order = new Integer[c];
            for (int k = 0; k < c; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, b) -> s[a] != s[b] ? Double.compare(s[a], s[b]) : Integer.compare(a, b));
            int below = 0;
            while (below < c && s[order[below]] < t) {
                below++;
            }
            int keep = Math.max(round, (int) Math.ceil((c - below) / (double) round) * round);
            keep = Math.min(keep, c);
            int[] classes = g.classes();
            for (int k = 0; k < c - keep; k++) {
                removed.add(classes[order[k]]);
            }
        }
        return removed;
    }
}
