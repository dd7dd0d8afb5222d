package io.github.edgeprune.train;

import io.github.edgeprune.util.AtomicOutput;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts of a run (headless JFreeChart): training losses, validation metrics and sparsity per epoch. */
public final class Plots {

    public static final String LOSSES = "losses.png";
    public static final String METRICS = "metrics.png";
    public static final String SPARSITY = "sparsity.png";

    private Plots() {
    }

    /** The three charts {@link #write} writes into the folder. */
    public static List<Path> paths(Path dir) {
        return List.of(dir.resolve(LOSSES), dir.resolve(METRICS), dir.resolve(SPARSITY));
    }

    /** Writes the three charts into the folder (at {@link #paths}). */
    public static void write(Path dir, List<EpochRecord> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = paths(dir);
        Path losses = files.get(0);
        Path metrics = files.get(1);
        Path sparsity = files.get(2);
        chart(losses, "Training loss", "loss", rows, new String[] {"box", "obj", "cls"},
                List.of(EpochRecord::boxLoss, EpochRecord::objLoss, EpochRecord::clsLoss));
        chart(metrics, "Validation", "value", rows, new String[] {"precision", "recall", "mAP50", "mAP50-95"},
                List.of(r -> r.metrics().precision(), r -> r.metrics().recall(), r -> r.metrics().map50(),
                        r -> r.metrics().map50to95()));
        chart(sparsity, "Sparsity of the saved weights", "zeros / total", rows, new String[] {"Conv2d", "BatchNorm2d"},
                List.of(EpochRecord::convSparsity, EpochRecord::bnSparsity));
    }

    private static void chart(Path file, String title, String yLabel, List<EpochRecord> rows, String[] names,
            List<ToDoubleFunction<EpochRecord>> values) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int s = 0; s < names.length; s++) {
            XYSeries series = new XYSeries(names[s]);
            for (EpochRecord r : rows) {
                series.add(r.epoch(), values.get(s).applyAsDouble(r));
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, rows.size() <= 50);
        for (int s = 0; s < names.length; s++) {
            renderer.setSeriesStroke(s, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        AtomicOutput.writeFile(file, tmp -> ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 800, 500));
    }
}
