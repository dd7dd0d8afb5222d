package io.github.edgeprune.openvino;

/**
 * How the writer stores floating point constants. FP16 (the default, as {@code ovc} and
 * {@code save_model(compress_to_fp16=True)} write it): each weight is an f16 {@code Const}
 * followed by a {@code Convert} to f32 marked as decompression, so the model still computes in
 * f32. FP32: f32 {@code Const}s, no {@code Convert}.
 */
public enum IrPrecision {
    FP16, FP32;

    /** Parses "FP16"/"fp16"/"f16"/"half" and "FP32"/"fp32"/"f32"/"float". */
    public static IrPrecision parse(String s) {
        String n = s == null ? "" : s.trim().toUpperCase(java.util.Locale.ROOT);
        return switch (n) {
            case "FP16", "F16", "HALF" -> FP16;
            case "FP32", "F32", "FLOAT" -> FP32;
            default -> throw new IllegalArgumentException("precision must be FP16 or FP32, got '" + s + "'");
        };
    }
}
