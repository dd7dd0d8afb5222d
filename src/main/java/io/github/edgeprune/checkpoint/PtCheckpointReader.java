package io.github.edgeprune.checkpoint;

import io.github.edgeprune.tensor.HostTensor;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a YOLOv5 checkpoint written by Ultralytics' {@code train.py} / {@code torch.save}
 * (a dict with {@code model} and perhaps {@code ema}, or a bare pickled model) without Python:
 * the pickle goes through the allow-list {@link PickleReader}, so a file naming any other global
 * is refused before anything of it is built.
 */
public final class PtCheckpointReader {

    private static final int MAX_DEPTH = 64;

    private PtCheckpointReader() {
    }

    /** Reads the checkpoint; every problem is a {@link CheckpointException} whose message starts with the file name. */
    public static YoloCheckpoint read(Path file) {
        return fromArchive(TorchArchive.read(file));
    }

    /** The checkpoint from an archive read with {@link TorchArchive#read}. */
    public static YoloCheckpoint fromArchive(TorchArchive archive) {
        String where = String.valueOf(archive.source().getFileName());
        PyObject model = model(archive);
        LinkedHashMap<String, HostTensor> stateDict = ModuleStates.stateDict(model, where);
        Object yaml = model.get("yaml");
        if (!(yaml instanceof Map)) {
            throw new CheckpointException(where + ": the model (" + model.className() + ") has no yaml dict (its 'yaml' is "
                    + (model.has("yaml") ? PickleReader.describe(yaml) : "absent") + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> yamlMap = (Map<String, Object>) toJava(yaml, true, where, "yaml", 0);
        return new YoloCheckpoint(archive.source(), Collections.unmodifiableMap(yamlMap), stateDict,
                names(model, where), stride(model, where), info(archive.root(), where));
    }

    /**
     * The model object of a checkpoint: {@code ckpt['ema']} when present and not None, else
     * {@code ckpt['model']}; or the root itself when the file is a bare pickled model.
     */
    public static PyObject model(TorchArchive archive) {
        String where = String.valueOf(archive.source().getFileName());
        Object root = archive.root();
        if (root instanceof PyObject) {
            return module(root, where, "the pickled object");
        }
        if (!(root instanceof Map)) {
            throw new CheckpointException(where + ": the pickle holds a " + PickleReader.describe(root)
                    + ", not a checkpoint dict or a model");
        }
        Map<?, ?> ckpt = (Map<?, ?>) root;
        if (ckpt.get("ema") != null) {
            return module(ckpt.get("ema"), where, "ckpt['ema']");
        }
        if (ckpt.get("model") != null) {
            return module(ckpt.get("model"), where, "ckpt['model']");
        }
        List<String> keys = new ArrayList<>();
        for (Object k : ckpt.keySet()) {
            keys.add(String.valueOf(k));
        }
        boolean stateDictOnly = !ckpt.isEmpty() && ckpt.values().stream().allMatch(v -> v instanceof HostTensor);
        throw new CheckpointException(where + ": the checkpoint holds no model ("
                + (stateDictOnly ? "it is a bare state dict of " + ckpt.size() + " tensors"
                        : ckpt.containsKey("model") || ckpt.containsKey("ema") ? "'model' and 'ema' are None; keys: "
                                + String.join(", ", keys) : "no 'model' or 'ema' key; keys: " + String.join(", ", keys))
                + ")");
    }

    private static PyObject module(Object o, String where, String what) {
        if (!ModuleStates.isModule(o)) {
            throw new CheckpointException(where + ": " + what + " is a " + PickleReader.describe(o)
                    + ", not a YOLOv5 model (torch.nn.Module)");
        }
        return (PyObject) o;
    }

    private static List<String> names(PyObject model, String where) {
        Object names = model.get("names");
        List<String> out = new ArrayList<>();
        if (names instanceof List) {
            for (Object n : (List<?>) names) {
                out.add(String.valueOf(n));
            }
        } else if (names instanceof Map) {
            TreeMap<Long, String> byIndex = new TreeMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) names).entrySet()) {
                if (!(e.getKey() instanceof Long)) {
                    throw new CheckpointException(where + ": model.names has a key " + PickleReader.describe(e.getKey())
                            + ", expected class indices");
                }
                byIndex.put((Long) e.getKey(), String.valueOf(e.getValue()));
            }
            long expect = 0;
            for (Map.Entry<Long, String> e : byIndex.entrySet()) {
                if (e.getKey() != expect++) {
                    throw new CheckpointException(where + ": model.names has no class " + (expect - 1) + " (keys "
                            + byIndex.keySet() + ")");
                }
                out.add(e.getValue());
            }
        } else if (names != null) {
            throw new CheckpointException(where + ": model.names is a " + PickleReader.describe(names)
                    + ", expected a list or a dict");
        }
        return Collections.unmodifiableList(out);
    }

    private static double[] stride(PyObject model, String where) {
        Object stride = model.get("stride");
        if (stride == null) {
            // fall back to the Detect layer, the last module of model.model
            Object seq = ((Map<?, ?>) model.get("_modules")).get("model");
            if (ModuleStates.isModule(seq)) {
                Map<?, ?> layers = (Map<?, ?>) ((PyObject) seq).get("_modules");
                Object last = null;
                for (Object l : layers.values()) {
                    last = l;
                }
                if (last instanceof PyObject) {
                    stride = ((PyObject) last).get("stride");
                }
            }
        }
        if (stride == null) {
            return new double[0];
        }
        if (stride instanceof HostTensor) {
            HostTensor t = (HostTensor) stride;
            double[] out = new double[t.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.dtype() == HostTensor.DType.FLOAT32 ? t.floats()[i] : t.longs()[i];
            }
            return out;
        }
        if (stride instanceof List) {
            List<?> l = (List<?>) stride;
            double[] out = new double[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Number)) {
                    throw new CheckpointException(where + ": model.stride holds a " + PickleReader.describe(l.get(i)));
                }
                out[i] = ((Number) l.get(i)).doubleValue();
            }
            return out;
        }
        throw new CheckpointException(where + ": model.stride is a " + PickleReader.describe(stride)
                + ", expected a tensor");
    }

    private static Map<String, Object> info(Object root, String where) {
        Map<String, Object> info = new LinkedHashMap<>();
        if (root instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
                String key = String.valueOf(e.getKey());
                if (key.equals("model") || key.equals("ema") || e.getValue() == null) {
                    continue;
                }
                Object v = toJava(e.getValue(), false, where, key, 0);
                if (v != NOT_SIMPLE) {
                    info.put(key, v);
                }
            }
        }
        return Collections.unmodifiableMap(info);
    }

    private static final Object NOT_SIMPLE = new Object();

    /**
     * Converts an unpickled value to plain Java (Map / List / Integer / Long / Double / String /
     * Boolean / null). Values with no plain form (tensors, modules, ...) are an error when
     * {@code strict}, else {@link #NOT_SIMPLE}.
     */
    private static Object toJava(Object o, boolean strict, String where, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new CheckpointException(where + ": " + path + " is nested too deeply (a cycle?)");
        }
        if (o == null || o instanceof String || o instanceof Boolean || o instanceof Double) {
            return o;
        }
        if (o instanceof Long) {
            long v = (Long) o;
            return v == (int) v ? (Object) (int) v : o;
        }
        if (o instanceof BigInteger) {
            return o;
        }
        if (o instanceof PyGlobal && ((PyGlobal) o).kind() == PyGlobal.Kind.TORCH_DTYPE) {
            return o.toString();
        }
        if (o instanceof NumpyArray) {
            NumpyArray a = (NumpyArray) o;
            return a.values().size() == 1 ? toJava(a.scalar(), strict, where, path, depth + 1)
                    : toJava(a.values(), strict, where, path, depth + 1);
        }
        if (o instanceof Collection) { // list, tuple, set
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Object item : (Collection<?>) o) {
                Object v = toJava(item, strict, where, path + "[" + i++ + "]", depth + 1);
                if (v == NOT_SIMPLE) {
                    return v;
                }
                out.add(v);
            }
            return Collections.unmodifiableList(out);
        }
        if (o instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                String key = String.valueOf(e.getKey());
                Object v = toJava(e.getValue(), strict, where, path + "." + key, depth + 1);
                if (v == NOT_SIMPLE) {
                    return v;
                }
                out.put(key, v);
            }
            return Collections.unmodifiableMap(out);
        }
        if (strict) {
            throw new CheckpointException(where + ": " + path + " holds a " + PickleReader.describe(o)
                    + ", which has no plain value");
        }
        return NOT_SIMPLE;
    }
}
