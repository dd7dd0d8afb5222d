package io.github.edgeprune.train;

import io.github.edgeprune.util.AtomicOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code results.csv} in YOLOv5's column naming (plus the sparsity of the saved weights). The whole
 * file is rewritten atomically after every epoch, so a crash leaves the previous complete file,
 * never a truncated row.
 */
public final class ResultsCsv {

    public static final List<String> COLUMNS = List.of("epoch", "train/box_loss", "train/obj_loss", "train/cls_loss",
            "metrics/precision", "metrics/recall", "metrics/mAP_0.5", "metrics/mAP_0.5:0.95", "sparsity/conv2d",
            "sparsity/batchnorm2d", "x/lr0", "x/lr1", "x/lr2", "slimming/gamma_lt_0.01");

    private ResultsCsv() {
    }

    public static void write(Path file, List<EpochRecord> rows) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (EpochRecord r : rows) {
            double[] lr = r.lr();
            sb.append(String.format(Locale.ROOT, "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6f,%.6f,%.6g,%.6g,%.6g,%.6f%n",
                    r.epoch(), r.boxLoss(), r.objLoss(), r.clsLoss(), r.metrics().precision(), r.metrics().recall(),
                    r.metrics().map50(), r.metrics().map50to95(), r.convSparsity(), r.bnSparsity(), lr[0], lr[1], lr[2], r.smallGamma()));
        }
        AtomicOutput.writeString(file, sb.toString());
    }

    /** Reads the rows back (values by column), checking the header and that every row is complete. */
    public static List<double[]> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(String.join(",", COLUMNS))) {
            throw new IOException(file + ": not a results.csv written by this trainer");
        }
        List<double[]> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != COLUMNS.size()) {
                throw new IOException(file + ": line " + (i + 1) + " has " + cells.length + " cells, expected "
                        + COLUMNS.size());
            }
            double[] v = new double[cells.length];
            for (int c = 0; c < cells.length; c++) {
                v[c] = Double.parseDouble(cells[c]);
            }
            out.add(v);
        }
        return out;
    }
}
