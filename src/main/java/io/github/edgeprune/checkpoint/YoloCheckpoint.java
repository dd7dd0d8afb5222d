package io.github.edgeprune.checkpoint;

import io.github.edgeprune.tensor.HostTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a YOLOv5 {@code .pt} checkpoint holds, as plain Java values.
 *
 * @param source the file
 * @param yaml the model's {@code yaml} dict (Map / List / Integer / Long / Double / String /
 *     Boolean / null; Python tuples as Lists)
 * @param stateDict every tensor of the model's {@code state_dict()}, named and ordered as PyTorch
 *     does; float types as float32, integer types as int64
 * @param names the class names, by class index
 * @param stride the model's stride per detection level, e.g. [8, 16, 32]; empty if it has none
 * @param info the checkpoint's other top-level keys that hold simple values (epoch, best_fitness,
 *     date, opt, ...; None values left out)
 */
public record YoloCheckpoint(Path source, Map<String, Object> yaml, LinkedHashMap<String, HostTensor> stateDict,
        List<String> names, double[] stride, Map<String, Object> info) {

    /** The yaml's {@code nc}, or the number of names when the yaml has none. */
    public int nc() {
        Object nc = yaml.get("nc");
        return nc instanceof Number ? ((Number) nc).intValue() : names.size();
    }
}
