package io.github.edgeprune.optimize.paper;

import java.util.List;
import java.util.Locale;

/**
 * An inline SVG bar chart, one bar per row, each labelled with its value: the shape of the paper's
 * Figs. 5-8 (inference time and memory, dynamic against static). No scripts, well-formed XML.
 */
final class BarChart {

    static final int WIDTH = 420;
    static final int HEIGHT = 240;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 36;
    private static final int BOTTOM = 40;

    /** One bar. */
    record Bar(String label, double value, String color) {
    }

    private BarChart() {
    }

    /**
     * @param format how a value is written on its bar (e.g. "%.1f")
     */
    static String svg(String title, String unit, List<Bar> bars, String format) {
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\">");
        s.append("<title>").append(PaperReport.escape(title)).append("</title>");
        s.append(text(WIDTH / 2.0, 18, "middle", 13, "bold", title));
        double max = 0;
        for (Bar b : bars) {
            if (Double.isFinite(b.value())) {
                max = Math.max(max, b.value());
            }
        }
        double top = max > 0 ? niceCeiling(max) : 1;
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double baseY = TOP + plotH;
        // y axis with four ticks
        for (int i = 0; i <= 4; i++) {
            double v = top * i / 4;
            double y = baseY - plotH * (v / top);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>",
                    LEFT, y, WIDTH - RIGHT, y));
            s.append(text(LEFT - 6, y + 4, "end", 10, "normal", tick(v)));
        }
        s.append(text(14, TOP + plotH / 2.0, "middle", 10, "normal", unit)
                .replace("<text ", String.format(Locale.ROOT, "<text transform=\"rotate(-90 14 %.1f)\" ",
                        TOP + plotH / 2.0)));
        double slot = (double) plotW / Math.max(1, bars.size());
        double barW = slot * 0.6;
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double x = LEFT + slot * i + (slot - barW) / 2;
            boolean measured = Double.isFinite(b.value());
            double h = measured ? plotH * (b.value() / top) : 0;
            s.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                    + " fill=\"%s\"/>", x, baseY - h, barW, h, b.color()));
            s.append(text(x + barW / 2, baseY - h - 4, "middle", 11, "normal",
                    measured ? String.format(Locale.ROOT, format, b.value()) : "not measured"));
            s.append(text(x + barW / 2, baseY + 16, "middle", 11, "normal", b.label()));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>", LEFT,
                baseY, WIDTH - RIGHT, baseY));
        s.append("</svg>");
        return s.toString();
    }

    private static String text(double x, double y, String anchor, int size, String weight, String content) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\""
                + " font-weight=\"%s\" font-family=\"sans-serif\">%s</text>", x, y, anchor, size, weight,
                PaperReport.escape(content));
    }

    /** 1, 2 or 5 times a power of ten, at or above v: round axis ends. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String tick(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 0.1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
