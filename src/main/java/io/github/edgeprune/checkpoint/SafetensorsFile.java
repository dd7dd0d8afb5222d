package io.github.edgeprune.checkpoint;

import io.github.edgeprune.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of a safetensors file.
 *
 * @param tensors the tensors in header order; float types as float32, integer and bool types as int64
 * @param metadata the header's {@code __metadata__} strings (empty when it has none)
 */
public record SafetensorsFile(LinkedHashMap<String, HostTensor> tensors, Map<String, String> metadata) {
}
