package io.github.edgeprune.device.verify;

import io.github.edgeprune.device.MemorySample;
import io.github.edgeprune.device.MemoryProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Inline SVG charts for the HTML report: no scripts, no external assets, readable when printed. */
final class Charts {

    static final int WIDTH = 640;
    static final int HEIGHT = 260;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 44;
    private static final int BOTTOM = 44;

    private Charts() {
    }

    /** A histogram of latencies (ms) with the median, p90 and the budget (when set) as vertical lines. */
    static String latencyHistogram(double[] ms, LatencyStats stats, Double budgetMs, String title) {
        StringBuilder s = open(title);
        if (ms.length == 0) {
            return empty(s, "no latencies were measured");
        }
        double lo = stats.min();
        double hi = stats.max();
        boolean budgetShown = budgetMs != null && onChart(budgetMs, stats.min(), stats.max());
        if (budgetShown) {
            hi = Math.max(hi, budgetMs);
            lo = Math.min(lo, budgetMs);
        }
        if (hi - lo < 1e-9) {
            lo -= 0.5;
            hi += 0.5;
        }
        double[] xt = ticks(lo, hi);
        lo = Math.min(lo, xt[0]);
        hi = Math.max(hi, xt[xt.length - 1]);
        int bins = Math.max(5, Math.min(40, (int) Math.ceil(Math.sqrt(ms.length))));
        double dataLo = stats.min();
        double dataHi = stats.max() > stats.min() ? stats.max() : stats.min() + 1e-9;
        double width = (dataHi - dataLo) / bins;
        int[] counts = new int[bins];
        for (double v : ms) {
            int i = (int) Math.floor((v - dataLo) / width);
            counts[Math.max(0, Math.min(bins - 1, i))]++;
        }
        int maxCount = 0;
        for (int c : counts) {
            maxCount = Math.max(maxCount, c);
        }
        double[] yt = ticks(0, maxCount);
        double yMax = Math.max(maxCount, yt[yt.length - 1]);
        Scale x = new Scale(lo, hi, LEFT, WIDTH - RIGHT);
        Scale y = new Scale(0, yMax, HEIGHT - BOTTOM, TOP);
        axes(s, x, y, xt, integerTicks(yt), "latency (ms)", "inferences");
        s.append("<g class=\"bars\">");
        for (int i = 0; i < bins; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double x0 = x.map(dataLo + i * width);
            double x1 = x.map(dataLo + (i + 1) * width);
            double y0 = y.map(counts[i]);
            s.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#7aa6d8\" stroke=\"#3f6d9e\" stroke-width=\"0.5\"><title>%s-%s ms: %d</title></rect>",
                    x0, y0, Math.max(0.8, x1 - x0), y.map(0) - y0, num(dataLo + i * width), num(dataLo + (i + 1) * width),
                    counts[i]));
        }
        s.append("</g>");
        List<String> legend = new ArrayList<>();
        vline(s, x, y, stats.median(), "#1f5fa8", "4 0", "median " + num(stats.median()) + " ms", legend);
        vline(s, x, y, stats.p90(), "#d9822b", "5 3", "p90 " + num(stats.p90()) + " ms", legend);
        if (budgetShown) {
            vline(s, x, y, budgetMs, "#c0392b", "2 2", "budget " + num(budgetMs) + " ms", legend);
        } else if (budgetMs != null) {
            legend.add("#c0392b|2 2|budget " + num(budgetMs) + " ms (off the chart)");
        }
        legend(s, legend);
        return s.append("</svg>").toString();
    }

    /** Resident memory over time, with the peak marked and the budget (when set) as a line. */
    static String memoryPlot(MemoryProfile m, Double budgetMb, String title) {
        StringBuilder s = open(title);
        if (m == null || m.series().isEmpty()) {
            return empty(s, "no memory samples were taken");
        }
        List<MemorySample> series = m.series();
        double tMax = series.get(series.size() - 1).seconds();
        double yTop = Math.max(m.peakMb(), m.maxSampledMb());
        boolean budgetShown = budgetMb != null && onChart(budgetMb, 0, yTop);
        if (budgetShown) {
            yTop = Math.max(yTop, budgetMb);
        }
        double xMax = Math.max(tMax, 1);
        double[] xt = within(ticks(0, xMax), xMax);
        double[] yt = ticks(0, yTop * 1.05);
        Scale x = new Scale(0, xMax, LEFT, WIDTH - RIGHT);
        Scale y = new Scale(0, Math.max(yTop * 1.05, yt[yt.length - 1]), HEIGHT - BOTTOM, TOP);
        axes(s, x, y, xt, yt, "time since start (s)", "resident memory (MB)");
        StringBuilder pts = new StringBuilder();
        StringBuilder area = new StringBuilder();
        area.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.map(series.get(0).seconds()), y.map(0)));
        for (MemorySample p : series) {
            String xy = String.format(Locale.ROOT, "%.1f,%.1f ", x.map(p.seconds()), y.map(p.rssMb()));
            pts.append(xy);
            area.append(xy);
        }
        area.append(String.format(Locale.ROOT, "%.1f,%.1f", x.map(tMax), y.map(0)));
        s.append("<polygon points=\"").append(area).append("\" fill=\"#cfe3d4\" stroke=\"none\"/>");
        s.append("<polyline class=\"rss\" points=\"").append(pts.toString().strip())
                .append("\" fill=\"none\" stroke=\"#2e7d4f\" stroke-width=\"2\"/>");
        for (MemorySample p : series) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#2e7d4f\"><title>%s s: %s MB</title></circle>",
                    x.map(p.seconds()), y.map(p.rssMb()), num(p.seconds()), num(p.rssMb())));
        }
        List<String> legend = new ArrayList<>();
        legend.add("#2e7d4f|0|VmRSS every sample");
        double peakY = y.map(m.peakMb());
        s.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#6a1b9a\" stroke-dasharray=\"5 3\" stroke-width=\"1.2\"/>",
                LEFT, WIDTH - RIGHT, peakY, peakY));
        legend.add("#6a1b9a|5 3|peak " + num(m.peakMb()) + " MB"
                + (Double.isNaN(m.peakPercent()) ? "" : String.format(Locale.ROOT, " (%.1f%% of RAM)", m.peakPercent())));
        if (budgetMb != null && !budgetShown) {
            legend.add("#c0392b|2 2|budget " + num(budgetMb) + " MB (off the chart)");
        } else if (budgetMb != null) {
            double by = y.map(budgetMb);
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"2 2\" stroke-width=\"1.5\"/>",
                    LEFT, WIDTH - RIGHT, by, by));
            legend.add("#c0392b|2 2|budget " + num(budgetMb) + " MB");
        }
        legend(s, legend);
        return s.append("</svg>").toString();
    }

    /**
     * A budget far from the data would squash the data into a sliver; it is drawn only when it
     * lies within three times the data's span, else named in the legend.
     */
    static boolean onChart(double budget, double dataLo, double dataHi) {
        double span = Math.max(dataHi - dataLo, Math.abs(dataHi) * 0.1);
        return budget >= dataLo - 3 * span && budget <= dataHi + 3 * span;
    }

    private static StringBuilder open(String title) {
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(Html.escape(title)).append("\" font-family=\"sans-serif\" font-size=\"11\">");
        s.append("<title>").append(Html.escape(title)).append("</title>");
        s.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" fill=\"#ffffff\"/>");
        s.append("<text x=\"").append(LEFT).append("\" y=\"16\" font-size=\"13\" font-weight=\"bold\">")
                .append(Html.escape(title)).append("</text>");
        return s;
    }

    private static String empty(StringBuilder s, String why) {
        s.append("<text x=\"").append(WIDTH / 2).append("\" y=\"").append(HEIGHT / 2)
                .append("\" text-anchor=\"middle\" fill=\"#777\">").append(Html.escape(why)).append("</text></svg>");
        return s.toString();
    }

    private static void axes(StringBuilder s, Scale x, Scale y, double[] xt, double[] yt, String xLabel, String yLabel) {
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int y0 = HEIGHT - BOTTOM;
        s.append("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">");
        for (double t : yt) {
            double py = y.map(t);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", x0, x1, py, py));
        }
        s.append("</g>");
        s.append("<g class=\"axes\" stroke=\"#444\" stroke-width=\"1\">");
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", x0, x1, y0, y0));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", x0, x0, TOP, y0));
        s.append("</g><g class=\"ticks\" fill=\"#333\">");
        for (double t : xt) {
            double px = x.map(t);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#444\"/>", px, px, y0, y0 + 4));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px, y0 + 16, num(t)));
        }
        for (double t : yt) {
            double py = y.map(t);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", x0 - 6, py + 4, num(t)));
        }
        s.append("</g>");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">%s</text>",
                (x0 + x1) / 2, HEIGHT - 8, Html.escape(xLabel)));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(14 %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">%s</text>",
                (TOP + y0) / 2, Html.escape(yLabel)));
    }

    private static void vline(StringBuilder s, Scale x, Scale y, double v, String color, String dash, String label,
                              List<String> legend) {
        if (Double.isNaN(v)) {
            return;
        }
        double px = x.map(v);
        s.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.8\" stroke-dasharray=\"%s\"><title>%s</title></line>",
                px, px, TOP, HEIGHT - BOTTOM, color, dash, Html.escape(label)));
        legend.add(color + "|" + dash + "|" + label);
    }

    /** One row of legend entries under the title, outside the plot area. */
    private static void legend(StringBuilder s, List<String> entries) {
        int yy = 26;
        double xx = LEFT;
        s.append("<g class=\"legend\">");
        for (String e : entries) {
            String[] p = e.split("\\|", 3);
            String dash = p[1].equals("0") ? "" : " stroke-dasharray=\"" + p[1] + "\"";
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>",
                    xx, xx + 22, yy, yy, p[0], dash));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#222\">%s</text>", xx + 27, yy + 4, Html.escape(p[2])));
            xx += 27 + 6.2 * p[2].length() + 18;
        }
        s.append("</g>");
    }

    /** About five round tick values covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        double step = niceStep((hi - lo) / 5);
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    private static double[] within(double[] t, double max) {
        return java.util.Arrays.stream(t).filter(v -> v <= max * (1 + 1e-9)).toArray();
    }

    private static double[] integerTicks(double[] t) {
        double step = t.length > 1 ? t[1] - t[0] : 1;
        if (step >= 1) {
            return t;
        }
        return new double[] {0, Math.max(1, t[t.length - 1])};
    }

    static double niceStep(double rough) {
        double exp = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / exp;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * exp;
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String num3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Linear map from data to pixels. */
    private record Scale(double d0, double d1, double p0, double p1) {
        double map(double v) {
            return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
        }
    }
}
