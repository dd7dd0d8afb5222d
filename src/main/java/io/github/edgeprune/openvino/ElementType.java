package io.github.edgeprune.openvino;

/** OpenVINO element types as the IR names them ({@code element_type="f16"}, {@code precision="FP16"}). */
public enum ElementType {
    F32("f32", "FP32", 4, true),
    F16("f16", "FP16", 2, true),
    BF16("bf16", "BF16", 2, true),
    F64("f64", "FP64", 8, true),
    I64("i64", "I64", 8, false),
    I32("i32", "I32", 4, false),
    I16("i16", "I16", 2, false),
    I8("i8", "I8", 1, false),
    U64("u64", "U64", 8, false),
    U32("u32", "U32", 4, false),
    U16("u16", "U16", 2, false),
    U8("u8", "U8", 1, false),
    BOOLEAN("boolean", "BOOL", 1, false);

    private final String irName;
    private final String precision;
    private final int bytes;
    private final boolean floating;

    ElementType(String irName, String precision, int bytes, boolean floating) {
        this.irName = irName;
        this.precision = precision;
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The name in {@code element_type} / {@code destination_type} attributes. */
    public String irName() {
        return irName;
    }

    /** The name in a port's {@code precision} attribute. */
    public String precision() {
        return precision;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloatingPoint() {
        return floating;
    }

    /** The type for an IR name ("f16", "i64", ...) or a precision ("FP16", "I64"), or null if unknown. */
    public static ElementType parse(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim();
        for (ElementType t : values()) {
            if (t.irName.equals(n) || t.precision.equalsIgnoreCase(n)) {
                return t;
            }
        }
        return null;
    }
}
