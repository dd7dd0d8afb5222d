package io.github.edgeprune.eval;

import java.util.Arrays;

/**
 * YOLOv5 v7.0 {@code ap_per_class} and val.py's means, in double precision with numpy's order of
 * operations where it can matter ({@code np.interp}, {@code np.trapz}, pairwise sums).
 *
 * <p>Detections are sorted by confidence, best first (equal confidences keep their order). For each
 * class that has labels: cumulative TP and FP counts give recall and precision curves; these are
 * sampled at 1000 confidences {@code px = linspace(0, 1, 1000)} ({@code np.interp(-px, -conf, ..)},
 * left value 0 for recall and 1 for precision); AP at each IoU threshold is {@link #computeAp}. The
 * F1 curves ({@code 2pr/(p+r+1e-16)}) are averaged over classes, smoothed with a box filter of 101
 * ({@link #smooth}), and P and R are taken at its maximum. mAP is the mean over the classes with
 * labels; a class without detections counts 0. With no true positive at all, everything is 0, as in
 * val.py.
 */
public final class Metrics {

    static final double EPS = 1e-16;
    static final int CURVE_POINTS = 1000;

    private final int[] classes;
    private final int[] instances;
    private final double[] p;
    private final double[] r;
    private final double[][] ap;
    private final double mp;
    private final double mr;
    private final double map50;
    private final double map;
    private final int f1Index;

    private Metrics(int[] classes, int[] instances, double[] p, double[] r, double[][] ap, int f1Index) {
        this.classes = classes;
        this.instances = instances;
        this.p = p;
        this.r = r;
        this.ap = ap;
        this.f1Index = f1Index;
        this.mp = mean(p);
        this.mr = mean(r);
        this.map50 = mean(ap50());
        this.map = mean(ap50to95());
    }

    /**
     * @param tp per detection a bit mask of true positive at each IoU threshold (bit 0: IoU 0.5)
     * @param conf per detection its confidence
     * @param predCls per detection its class
     * @param targetCls per label its class
     * @param nc number of classes (classes at or above it never have labels)
     */
    public static Metrics compute(int[] tp, float[] conf, int[] predCls, int[] targetCls, int nc) {
        int levels = DetectionStats.IOU_LEVELS;
        // unique target classes and counts (np.unique, sorted)
        int[] counts = new int[nc];
        for (int c : targetCls) {
            counts[c]++;
        }
        int nClasses = 0;
        for (int c = 0; c < nc; c++) {
            if (counts[c] > 0) {
                nClasses++;
            }
        }
        int[] classes = new int[nClasses];
        int[] nt = new int[nClasses];
        for (int c = 0, k = 0; c < nc; c++) {
            if (counts[c] > 0) {
                classes[k] = c;
                nt[k++] = counts[c];
            }
        }
        double[][] ap = new double[nClasses][levels];
        boolean anyTp = false;
        for (int m : tp) {
            if (m != 0) {
                anyTp = true;
                break;
            }
        }
        if (!anyTp) { // val.py: "if len(stats) and stats[0].any()", else all zero
            return new Metrics(classes, nt, new double[nClasses], new double[nClasses], ap, 0);
        }

        int[] order = sortByConfidence(conf);
        double[] px = linspace(0, 1, CURVE_POINTS);
        double[] negPx = new double[CURVE_POINTS];
        for (int i = 0; i < CURVE_POINTS; i++) {
            negPx[i] = -px[i];
        }
        double[][] pCurve = new double[nClasses][];
        double[][] rCurve = new double[nClasses][];
        int[] byClass = new int[order.length];
        for (int ci = 0; ci < nClasses; ci++) {
            int c = classes[ci];
            int np = 0;
            for (int i : order) {
                if (predCls[i] == c) {
                    byClass[np++] = i;
                }
            }
            if (np == 0) {
                pCurve[ci] = new double[CURVE_POINTS];
                rCurve[ci] = new double[CURVE_POINTS];
                continue;
            }
            double[] negConf = new double[np];
            double[][] recall = new double[levels][np];
            double[][] precision = new double[levels][np];
            int[] tpc = new int[levels];
            double nl = nt[ci] + EPS;
            for (int k = 0; k < np; k++) {
                int i = byClass[k];
                negConf[k] = -(double) conf[i];
                for (int j = 0; j < levels; j++) {
                    if ((tp[i] & (1 << j)) != 0) {
                        tpc[j]++;
                    }
                    recall[j][k] = tpc[j] / nl;
                    precision[j][k] = (double) tpc[j] / (k + 1);
                }
            }
            rCurve[ci] = interp(negPx, negConf, recall[0], 0.0, recall[0][np - 1]);
            pCurve[ci] = interp(negPx, negConf, precision[0], 1.0, precision[0][np - 1]);
            for (int j = 0; j < levels; j++) {
                ap[ci][j] = computeAp(recall[j], precision[j]);
            }
        }

        // F1 curve, mean over classes (numpy reduces axis 0 row by row), smoothed, argmax
        double[] f1Mean = new double[CURVE_POINTS];
        for (int ci = 0; ci < nClasses; ci++) {
            for (int x = 0; x < CURVE_POINTS; x++) {
                f1Mean[x] += f1(pCurve[ci][x], rCurve[ci][x]);
            }
        }
        for (int x = 0; x < CURVE_POINTS; x++) {
            f1Mean[x] /= nClasses;
        }
        int best = argmax(smooth(f1Mean, 0.1));
        double[] p = new double[nClasses];
        double[] r = new double[nClasses];
        for (int ci = 0; ci < nClasses; ci++) {
            p[ci] = pCurve[ci][best];
            r[ci] = rCurve[ci][best];
        }
        return new Metrics(classes, nt, p, r, ap, best);
    }

    private static double f1(double p, double r) {
        return 2 * p * r / (p + r + EPS);
    }

    /** Indices by confidence, highest first; equal confidences keep their order (a stable sort). */
    static int[] sortByConfidence(float[] conf) {
        long[] keys = new long[conf.length];
        for (int i = 0; i < conf.length; i++) {
            int bits = Float.floatToIntBits(-conf[i]);
            bits ^= (bits >> 31) & 0x7FFFFFFF; // order-preserving map of floats to signed ints
            keys[i] = ((long) bits << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[conf.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /**
     * {@code compute_ap}: the precision envelope of {@code [1, precision, 0]} over
     * {@code [0, recall, 1]}, sampled at 101 recalls {@code linspace(0, 1, 101)} with
     * {@code np.interp}, integrated with {@code np.trapz}. Note that the sentinel makes the curve 0
     * at recall 1, so a perfect detector scores 0.995, as in YOLOv5.
     */
    public static double computeAp(double[] recall, double[] precision) {
        int n = recall.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        mrec[0] = 0.0;
        mpre[0] = 1.0;
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1.0;
        mpre[n + 1] = 0.0;
        for (int i = n; i >= 0; i--) { // np.flip(np.maximum.accumulate(np.flip(mpre)))
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double[] x = linspace(0, 1, 101);
        double[] y = interp(x, mrec, mpre, mpre[0], mpre[n + 1]);
        return trapz(y, x);
    }

    /** {@code np.linspace(start, stop, num)}: {@code start + i * step}, the last point exactly {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.interp(x, xp, fp, left, right)}, with numpy's exact rules ({@code xp} ascending). */
    static double[] interp(double[] x, double[] xp, double[] fp, double left, double right) {
        int n = xp.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (n == 1) {
                out[i] = v < xp[0] ? left : (v > xp[0] ? right : fp[0]);
                continue;
            }
            if (Double.isNaN(v)) {
                out[i] = v;
                continue;
            }
            if (v > xp[n - 1]) {
                out[i] = right;
                continue;
            }
            if (v < xp[0]) {
                out[i] = left;
                continue;
            }
            // last j with xp[j] <= v
            int lo = 0;
            int hi = n;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (v >= xp[mid]) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int j = lo - 1;
            if (j == n - 1 || xp[j] == v) {
                out[i] = fp[j];
            } else {
                double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
                double r = slope * (v - xp[j]) + fp[j];
                if (Double.isNaN(r)) {
                    r = slope * (v - xp[j + 1]) + fp[j + 1];
                    if (Double.isNaN(r) && fp[j] == fp[j + 1]) {
                        r = fp[j];
                    }
                }
                out[i] = r;
            }
        }
        return out;
    }

    /** {@code np.trapz(y, x)}: the pairwise sum of {@code (x[i+1]-x[i]) * (y[i+1]+y[i]) / 2}. */
    static double trapz(double[] y, double[] x) {
        double[] terms = new double[y.length - 1];
        for (int i = 0; i < terms.length; i++) {
            terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
        }
        return sum(terms);
    }

    /**
     * YOLOv5 {@code smooth(y, f)}: a box filter of {@code round(len * f * 2) // 2 + 1} points,
     * the ends padded with the end values.
     */
    static double[] smooth(double[] y, double f) {
        int nf = (int) (Math.rint(y.length * f * 2) / 2) + 1;
        int half = nf / 2;
        double[] yp = new double[y.length + 2 * half];
        Arrays.fill(yp, 0, half, y[0]);
        System.arraycopy(y, 0, yp, half, y.length);
        Arrays.fill(yp, half + y.length, yp.length, y[y.length - 1]);
        double w = 1.0 / nf;
        double[] out = new double[yp.length - nf + 1]; // np.convolve(mode='valid')
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (int k = 0; k < nf; k++) {
                s += yp[i + k] * w;
            }
            out[i] = s;
        }
        return out;
    }

    /** First index of the maximum, as {@code np.argmax}. */
    static int argmax(double[] y) {
        int best = 0;
        for (int i = 1; i < y.length; i++) {
            if (y[i] > y[best]) {
                best = i;
            }
        }
        return best;
    }

    /** numpy's pairwise summation of a 1-D array (8 accumulators for blocks up to 128). */
    static double sum(double[] a) {
        return pairwise(a, 0, a.length);
    }

    private static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        } else if (n <= 128) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) {
                r[j] = a[from + j];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
        }
    }

    static double mean(double[] a) {
        return a.length == 0 ? 0.0 : sum(a) / a.length;
    }

    /** Classes that have labels, ascending (the rows of the per-class arrays). */
    public int[] classes() {
        return classes.clone();
    }

    /** Labels of each class of {@link #classes()}. */
    public int[] instances() {
        return instances.clone();
    }

    /** Precision of each class at the confidence of maximum mean F1. */
    public double[] precision() {
        return p.clone();
    }

    public double[] recall() {
        return r.clone();
    }

    public double[] ap50() {
        double[] v = new double[ap.length];
        for (int i = 0; i < ap.length; i++) {
            v[i] = ap[i][0];
        }
        return v;
    }

    public double[] ap50to95() {
        double[] v = new double[ap.length];
        for (int i = 0; i < ap.length; i++) {
            v[i] = mean(ap[i]);
        }
        return v;
    }

    /** Index into {@code linspace(0, 1, 1000)} of the confidence where P and R are taken. */
    public int f1Index() {
        return f1Index;
    }

    public double meanPrecision() {
        return mp;
    }

    public double meanRecall() {
        return mr;
    }

    public double map50() {
        return map50;
    }

    public double map50to95() {
        return map;
    }
}
