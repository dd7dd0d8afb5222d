package io.github.edgeprune.yolo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YOLOv5 model yaml in Ultralytics' schema ({@code nc}, {@code depth_multiple},
 * {@code width_multiple}, {@code anchors}, {@code backbone}, {@code head}), as written in
 * {@code yolov5n.yaml} … {@code yolov5x.yaml} and as pickled inside a checkpoint.
 */
public record YoloArchitecture(int nc, double depthMultiple, double widthMultiple, List<List<Double>> anchors,
        List<LayerSpec> layers, Map<String, Object> source) {

    /** One row of backbone/head: {@code [from, number, module, args]}. */
    public record LayerSpec(int index, List<Integer> from, int number, String module, List<Object> args) {
        public LayerSpec {
            from = List.copyOf(from);
            args = java.util.Collections.unmodifiableList(new ArrayList<>(args));
        }
    }

    public YoloArchitecture {
        anchors = List.copyOf(anchors);
        layers = List.copyOf(layers);
    }

    /** Parses the yaml as a map; {@code where} names the file for error messages. */
    public static YoloArchitecture fromMap(Map<String, Object> yaml, String where) {
        if (yaml == null) {
            throw new ModelFormatException(where + ": model yaml is empty");
        }
        int nc = intField(yaml, "nc", where);
        if (nc < 1) {
            throw new ModelFormatException(where + ": nc must be at least 1, got " + nc);
        }
        double gd = numberField(yaml, "depth_multiple", where);
        double gw = numberField(yaml, "width_multiple", where);
        Object anchorsRaw = yaml.get("anchors");
        List<List<Double>> anchors = new ArrayList<>();
        if (anchorsRaw instanceof List<?> rows) {
            for (Object row : rows) {
                if (!(row instanceof List<?> values) || values.size() % 2 != 0 || values.isEmpty()) {
                    throw new ModelFormatException(where + ": each anchors row must be a list of w,h pairs, got " + row);
                }
                List<Double> r = new ArrayList<>();
                for (Object v : values) {
                    r.add(toDouble(v, where, "anchors"));
                }
                anchors.add(r);
            }
        } else if (!(anchorsRaw instanceof Number)) {
            throw new ModelFormatException(where + ": 'anchors' is missing or not a list");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (String section : List.of("backbone", "head")) {
            Object rows = yaml.get(section);
            if (!(rows instanceof List<?> list)) {
                throw new ModelFormatException(where + ": '" + section + "' is missing or not a list");
            }
            for (Object row : list) {
                layers.add(parseLayer(layers.size(), row, where));
            }
        }
        return new YoloArchitecture(nc, gd, gw, anchors, layers, new LinkedHashMap<>(yaml));
    }

    /** The same architecture with another number of classes (a data set's nc). */
    public YoloArchitecture withNc(int newNc) {
        Map<String, Object> copy = new LinkedHashMap<>(source);
        copy.put("nc", newNc);
        return new YoloArchitecture(newNc, depthMultiple, widthMultiple, anchors, layers, copy);
    }

    private static LayerSpec parseLayer(int index, Object row, String where) {
        if (!(row instanceof List<?> cells) || cells.size() != 4) {
            throw new ModelFormatException(where + ": layer " + index + " must be [from, number, module, args], got " + row);
        }
        List<Integer> from = new ArrayList<>();
        if (cells.get(0) instanceof Number n) {
            from.add(n.intValue());
        } else if (cells.get(0) instanceof List<?> fs) {
            for (Object f : fs) {
                if (!(f instanceof Number n)) {
                    throw new ModelFormatException(where + ": layer " + index + ": 'from' must hold integers, got " + f);
                }
                from.add(n.intValue());
            }
        } else {
            throw new ModelFormatException(where + ": layer " + index + ": 'from' must be an integer or a list, got " + cells.get(0));
        }
        if (!(cells.get(1) instanceof Number number)) {
            throw new ModelFormatException(where + ": layer " + index + ": 'number' must be an integer, got " + cells.get(1));
        }
        if (!(cells.get(2) instanceof String module)) {
            throw new ModelFormatException(where + ": layer " + index + ": module must be a name, got " + cells.get(2));
        }
        if (!(cells.get(3) instanceof List<?> args)) {
            throw new ModelFormatException(where + ": layer " + index + ": args must be a list, got " + cells.get(3));
        }
        return new LayerSpec(index, from, number.intValue(), module, new ArrayList<>(args));
    }

    private static int intField(Map<String, Object> yaml, String key, String where) {
        Object v = yaml.get(key);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new ModelFormatException(where + ": '" + key + "' must be an integer, got " + v);
        }
        return n.intValue();
    }

    private static double numberField(Map<String, Object> yaml, String key, String where) {
        Object v = yaml.get(key);
        if (!(v instanceof Number n) || !(n.doubleValue() > 0)) {
            throw new ModelFormatException(where + ": '" + key + "' must be a positive number, got " + v);
        }
        return n.doubleValue();
    }

    private static double toDouble(Object v, String where, String field) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new ModelFormatException(where + ": '" + field + "' must hold numbers, got " + v);
    }
}
