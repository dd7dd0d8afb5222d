package io.github.edgeprune.yolo;

import io.github.edgeprune.graph.FoldBatchNorm;
import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YOLOv5 model in memory: its architecture, its state dict (PyTorch names) and class names,
 * plus free-form metadata (where it came from, its pruning record). Graphs for any input size
 * are built from it on demand and share its tensors.
 */
public final class YoloModel {

    private final YoloArchitecture architecture;
    private final Map<String, HostTensor> stateDict;
    private final List<String> names;
    private final String source;
    private final Map<String, String> metadata;

    public YoloModel(YoloArchitecture architecture, Map<String, HostTensor> stateDict, List<String> names,
            String source, Map<String, String> metadata) {
        this.architecture = architecture;
        this.stateDict = new LinkedHashMap<>(stateDict);
        this.names = List.copyOf(names);
        this.source = source;
        this.metadata = new LinkedHashMap<>(metadata);
        if (names.size() != architecture.nc()) {
            throw new ModelFormatException(source + ": " + names.size() + " class names for nc=" + architecture.nc());
        }
    }

    /** A freshly initialised model (seeded) for this architecture and these class names. */
    public static YoloModel random(YoloArchitecture architecture, List<String> names, long seed, String source) {
        Graph g = YoloGraphBuilder.build(architecture, new RandomWeights(seed), 256, 256);
        return new YoloModel(architecture, g.stateDict(), names, source, Map.of());
    }

    /** Class names "0", "1", … for a model that came without names. */
    public static List<String> defaultNames(int nc) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nc; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /** The unfused graph for this input size (trainable: BatchNorm kept). */
    public Graph graph(int height, int width) {
        StateDictWeights weights = new StateDictWeights(stateDict, source);
        Graph g = YoloGraphBuilder.build(architecture, weights, height, width);
        if (!weights.unused().isEmpty()) {
            throw new ModelFormatException(source + ": tensors the architecture does not use: "
                    + String.join(", ", weights.unused().stream().limit(8).toList())
                    + (weights.unused().size() > 8 ? " … (" + weights.unused().size() + " in all)" : ""));
        }
        Map<String, String> meta = new LinkedHashMap<>(g.metadata());
        meta.put("names", namesJson());
        meta.putAll(metadata);
        return g.withMetadata(meta);
    }

    public Graph graph(int imgsz) {
        return graph(imgsz, imgsz);
    }

    /** The inference graph: BatchNorm folded into the convolutions, as Ultralytics fuses for val. */
    public Graph fusedGraph(int imgsz) {
        return FoldBatchNorm.apply(graph(imgsz));
    }

    /** The same model with other tensors (same names), e.g. after pruning a copy. */
    public YoloModel withStateDict(Map<String, HostTensor> replacement) {
        return new YoloModel(architecture, replacement, names, source, metadata);
    }

    public YoloModel withMetadata(Map<String, String> replacement) {
        return new YoloModel(architecture, stateDict, names, source, replacement);
    }

    /** A deep copy of the state dict, for passes that edit weights. */
    public Map<String, HostTensor> copyStateDict() {
        Map<String, HostTensor> copy = new LinkedHashMap<>();
        stateDict.forEach((k, v) -> copy.put(k, v.copy()));
        return copy;
    }

    public YoloArchitecture architecture() {
        return architecture;
    }

    public Map<String, HostTensor> stateDict() {
        return java.util.Collections.unmodifiableMap(stateDict);
    }

    public List<String> names() {
        return names;
    }

    public String source() {
        return source;
    }

    public Map<String, String> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** "YOLOv5n" for summaries. */
    public String displayName() {
        Object file = architecture.source().get("yaml_file");
        return ModelSummary.displayName(file == null ? null : file.toString());
    }

    private String namesJson() {
        com.google.gson.JsonArray arr = new com.google.gson.JsonArray();
        names.forEach(arr::add);
        return arr.toString();
    }
}
