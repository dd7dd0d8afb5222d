package io.github.edgeprune.checkpoint;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * A global (class or function) that a pickle may name, from the allow-list of what a YOLOv5
 * checkpoint contains. Nothing is imported or run: each global is a marker that the
 * {@link PickleReader} interprets itself. {@link #lookup} returns null for everything else.
 */
public record PyGlobal(String module, String name, Kind kind) {

    /** What the reader does when the global is called or instantiated. */
    public enum Kind {
        /** {@code collections.OrderedDict}: a LinkedHashMap. */
        ORDERED_DICT,
        /** {@code builtins.set} / {@code frozenset}: a LinkedHashSet. */
        SET,
        /** {@code torch._utils._rebuild_tensor_v2} and {@code _rebuild_tensor}. */
        REBUILD_TENSOR,
        /** {@code torch._utils._rebuild_parameter} and {@code _rebuild_parameter_with_state}. */
        REBUILD_PARAMETER,
        /** {@code torch._tensor._rebuild_from_type_v2}. */
        REBUILD_FROM_TYPE,
        /** {@code torch.Tensor}, {@code torch.nn.parameter.Parameter}: only as a type argument. */
        TENSOR_TYPE,
        /** {@code torch.HalfStorage} and friends: only inside a storage's persistent id. */
        STORAGE_TYPE,
        /** {@code torch.float16} and friends: a value. */
        TORCH_DTYPE,
        /** {@code torch.Size}: a tuple of ints. */
        TORCH_SIZE,
        /** {@code torch.device}: its string. */
        TORCH_DEVICE,
        /** {@code numpy.dtype}. */
        NUMPY_DTYPE,
        /** {@code numpy.core.multiarray.scalar}: a Java number or boolean. */
        NUMPY_SCALAR,
        /** {@code numpy.core.multiarray._reconstruct}: a numpy array. */
        NUMPY_RECONSTRUCT,
        /** {@code numpy.ndarray}: only as the type argument of {@code _reconstruct}. */
        NUMPY_NDARRAY,
        /** {@code _codecs.encode}: how protocol 2 spells bytes; latin-1 only. */
        CODECS_ENCODE,
        /** {@code pathlib.PosixPath} and friends: the path as a string. */
        PATH,
        /** {@code copyreg._reconstructor}: protocol 0/1 object creation. */
        RECONSTRUCTOR,
        /** {@code builtins.object}: only as the base argument of {@code _reconstructor}. */
        OBJECT,
        /** A module class of YOLOv5 or {@code torch.nn}: a {@link PyObject}. */
        MODULE_CLASS
    }

    private static final Pattern CLASS_NAME = Pattern.compile("[A-Z][A-Za-z0-9_]*");
    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    private static final Set<String> YOLO_MODULES = Set.of("models.common", "models.yolo", "models.experimental");
    private static final Set<String> NUMPY_MULTIARRAY = Set.of("numpy.core.multiarray", "numpy._core.multiarray");

    @Override
    public String toString() {
        return module + "." + name;
    }

    /** The allowed global of this name, or null when the name is not on the allow-list. */
    public static PyGlobal lookup(String module, String name) {
        Kind kind = kindOf(module, name);
        return kind == null ? null : new PyGlobal(module, name, kind);
    }

    private static Kind kindOf(String module, String name) {
        if (module == null || name == null || !MODULE_NAME.matcher(module).matches()) {
            return null;
        }
        switch (module) {
            case "collections":
                return "OrderedDict".equals(name) ? Kind.ORDERED_DICT : null;
            case "builtins":
            case "__builtin__":
                switch (name) {
                    case "set": case "frozenset": return Kind.SET;
                    case "object": return Kind.OBJECT;
                    default: return null;
                }
            case "copyreg":
            case "copy_reg":
                return "_reconstructor".equals(name) ? Kind.RECONSTRUCTOR : null;
            case "_codecs":
                return "encode".equals(name) ? Kind.CODECS_ENCODE : null;
            case "pathlib":
                return Set.of("Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath", "PureWindowsPath")
                        .contains(name) ? Kind.PATH : null;
            case "torch._utils":
                switch (name) {
                    case "_rebuild_tensor_v2": case "_rebuild_tensor": return Kind.REBUILD_TENSOR;
                    case "_rebuild_parameter": case "_rebuild_parameter_with_state": return Kind.REBUILD_PARAMETER;
                    default: return null;
                }
            case "torch._tensor":
                switch (name) {
                    case "_rebuild_from_type_v2": return Kind.REBUILD_FROM_TYPE;
                    case "Tensor": return Kind.TENSOR_TYPE;
                    default: return null;
                }
            case "torch.nn.parameter":
                return "Parameter".equals(name) ? Kind.TENSOR_TYPE : null;
            case "torch":
                if (StorageType.ofTorchClass(name) != null) {
                    return Kind.STORAGE_TYPE;
                }
                if (StorageType.ofTorchDType(name) != null) {
                    return Kind.TORCH_DTYPE;
                }
                switch (name) {
                    case "Size": return Kind.TORCH_SIZE;
                    case "device": return Kind.TORCH_DEVICE;
                    case "Tensor": return Kind.TENSOR_TYPE;
                    default: return null;
                }
            case "numpy":
                switch (name) {
                    case "dtype": return Kind.NUMPY_DTYPE;
                    case "ndarray": return Kind.NUMPY_NDARRAY;
                    default: return null;
                }
            default:
                break;
        }
        if (NUMPY_MULTIARRAY.contains(module)) {
            switch (name) {
                case "scalar": return Kind.NUMPY_SCALAR;
                case "_reconstruct": return Kind.NUMPY_RECONSTRUCT;
                default: return null;
            }
        }
        boolean moduleOk = YOLO_MODULES.contains(module) || module.equals("torch.nn.modules")
                || module.startsWith("torch.nn.modules.");
        return moduleOk && CLASS_NAME.matcher(name).matches() ? Kind.MODULE_CLASS : null;
    }
}
