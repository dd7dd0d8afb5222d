package io.github.edgeprune.openvino;

import java.util.List;

/**
 * Translates one IR layer into graph ops or a folded constant: returns one value per output port
 * (null for an output that is never read). Registered by type and opset in {@link LayerTranslators}.
 */
@FunctionalInterface
interface LayerTranslator {

    List<IrReader.Val> translate(LayerContext layer, List<IrReader.Val> inputs);
}
