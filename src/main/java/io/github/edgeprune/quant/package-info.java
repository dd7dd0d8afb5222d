/**
 * INT8 post-training quantization as a pass over the graph: {@link io.github.edgeprune.quant.Calibrator}
 * observes activation ranges on the user's images, {@link io.github.edgeprune.quant.Int8Quantizer}
 * puts OpenVINO-style {@code FakeQuantize} nodes in front of every convolution's data input
 * (per tensor, u8 grid) and on its weights (per output channel, symmetric int8 grid). Writers turn
 * those nodes into what each runtime runs on int8 kernels: FakeQuantize with int8 weight
 * constants in the IR, QuantizeLinear/DequantizeLinear pairs in the ONNX twin.
 */
package io.github.edgeprune.quant;
