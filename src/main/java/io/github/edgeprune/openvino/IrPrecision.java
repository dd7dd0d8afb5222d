package io.github.edgeprune.openvino;

/**
 * How the writer stores floating point constants. FP16 (the default, as {@code ovc} and
 * {@code save_model(compress_to_fp16=True)} write it): each weight is an f16 {@code Const}
 * followed by a {@code Convert} to f32 marked as decompression, so the model still computes in
 * f32. FP32: f32 {@code Const}s, no {@code Convert}. INT8 (Intel's "FP16-INT8"): the graph has
 * been through the INT8 pass ({@code quant.Int8Quantizer}); its FakeQuantize nodes are written
 * as such, each quantized convolution weight as an i8 {@code Const}, a {@code Convert} and a
 * per-channel scale {@code Multiply}, and the remaining float constants (biases) as in FP16.
 */
public enum IrPrecision {
    FP16, FP32, INT8;

    /** Parses "FP16"/"fp16"/"f16"/"half" and "FP32"/"fp32"/"f32"/"float". */
    public static IrPrecision parse(String s) {
        String n = s == null ? "" : s.trim().toUpperCase(java.util.Locale.ROOT);
        return switch (n) {
            case "FP16", "F16", "HALF" -> FP16;
            case "FP32", "F32", "FLOAT" -> FP32;
            case "INT8", "I8", "FP16-INT8" -> INT8;
            default -> throw new IllegalArgumentException("precision must be FP16, FP32 or INT8, got '" + s + "'");
        };
    }
}
