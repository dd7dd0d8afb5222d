package io.github.edgeprune.yolo;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphStats;
import java.util.Locale;

/**
 * The one-line model summary Ultralytics prints ("YOLOv5n summary: 214 layers, 1872157
 * parameters, …, 4.5 GFLOPs"), with the non-zero count added so pruning shows.
 */
public record ModelSummary(String name, int layers, GraphStats stats, int imgsz) {

    public static ModelSummary of(String name, Graph graph) {
        int layers = Integer.parseInt(graph.metadata().getOrDefault("modules", Integer.toString(graph.nodes().size())));
        String size = graph.metadata().getOrDefault("imgsz", "640");
        int imgsz = Integer.parseInt(size.split(",")[0].trim());
        return new ModelSummary(name, layers, GraphStats.of(graph), imgsz);
    }

    /** "YOLOv5n" from "yolov5n.yaml". */
    public static String displayName(String yamlFile) {
        if (yamlFile == null || yamlFile.isBlank()) {
            return "Model";
        }
        String stem = yamlFile.replaceAll("^.*/", "").replaceAll("\\.ya?ml$", "");
        return stem.toLowerCase(Locale.ROOT).startsWith("yolo") ? "YOLO" + stem.substring(4) : stem;
    }

    public double sparsity() {
        return stats.parameters() == 0 ? 0 : 1.0 - (double) stats.nonZeroParameters() / stats.parameters();
    }

    @Override
    public String toString() {
        // Ultralytics prints one decimal; a tiny model at a small size would read "0.0"
        String gflops = String.format(Locale.ROOT, stats.gflops() >= 0.1 ? "%.1f" : "%.3f", stats.gflops());
        return String.format(Locale.ROOT, "%s summary: %d layers, %,d parameters, %,d non-zero (%.2f %% zeros), %s GFLOPs at %d",
                name, layers, stats.parameters(), stats.nonZeroParameters(), 100 * sparsity(), gflops, imgsz);
    }
}
