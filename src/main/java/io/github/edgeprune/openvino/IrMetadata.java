package io.github.edgeprune.openvino;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Translates between graph metadata ({@code names} as a JSON array, {@code stride} "8,16,32",
 * {@code imgsz} "H,W", {@code nc}, {@code pruning.*}) and what sits beside or inside an IR: the
 * model {@code rt_info} and Ultralytics' {@code metadata.yaml}.
 *
 * <p>rt_info layout: {@code framework/names} (a Python dict literal {@code {0: 'person', ...}})
 * and {@code framework/stride} (the largest stride) exactly as an IR converted from a YOLOv5 ONNX
 * export carries them (YOLOv5 puts both into the ONNX metadata, the converter moves that metadata
 * into the {@code framework} section); our own figures under {@code edgeprune/} ({@code imgsz},
 * {@code stride}, {@code nc}, {@code precision}, and the pruning record under
 * {@code edgeprune/pruning/}).
 */
public final class IrMetadata {

    public static final String SECTION = "edgeprune";
    public static final String PRUNING_PREFIX = "pruning.";
    /** The INT8 pass's record ({@code quant.Int8Quantizer}): rt_info {@code edgeprune/quantization/}. */
    public static final String QUANTIZATION_PREFIX = "quantization.";

    private IrMetadata() {
    }

    // ---- class names ----

    /**
     * The class names the metadata holds (a JSON array under {@code names}); when absent, Ultralytics'
     * defaults {@code class0 … class<nc-1>} for the metadata's {@code nc} (or {@code ncFallback}).
     */
    public static List<String> names(Map<String, String> meta, int ncFallback) {
        String json = meta.get("names");
        if (json != null && !json.isBlank()) {
            JsonElement e;
            try {
                e = JsonParser.parseString(json);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("metadata 'names' is not a JSON array: " + json, ex);
            }
            List<String> out = new ArrayList<>();
            if (e.isJsonArray()) {
                for (JsonElement n : e.getAsJsonArray()) {
                    out.add(n.getAsString());
                }
                return out;
            }
            if (e.isJsonObject()) { // {"0": "person", ...}
                TreeMap<Integer, String> sorted = new TreeMap<>();
                e.getAsJsonObject().entrySet().forEach(en -> sorted.put(Integer.parseInt(en.getKey()), en.getValue().getAsString()));
                return new ArrayList<>(sorted.values());
            }
            throw new IllegalArgumentException("metadata 'names' is not a JSON array: " + json);
        }
        int nc = ncFallback;
        String ncs = meta.get("nc");
        if (ncs != null) {
            try {
                nc = Integer.parseInt(ncs.trim());
            } catch (NumberFormatException ignored) {
                // keep the fallback
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nc; i++) {
            out.add("class" + i);
        }
        return out;
    }

    public static String namesJson(List<String> names) {
        JsonArray a = new JsonArray();
        names.forEach(a::add);
        return a.toString(); // as YoloModel writes it: no HTML escaping
    }

    /** {@code {0: 'person', 1: 'bicycle'}}, as Python's {@code str(dict)} prints it. */
    public static String pythonDict(List<String> names) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(i).append(": ").append(pythonRepr(names.get(i)));
        }
        return sb.append('}').toString();
    }

    /** Python's {@code repr(str)}: single quotes unless the text holds a single quote and no double quote. */
    static String pythonRepr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == q) {
                        sb.append('\\');
                    }
                    sb.append(c);
                }
            }
        }
        return sb.append(q).toString();
    }

    /**
     * Parses a Python literal of class names: a dict {@code {0: 'a', 1: "b"}} or a list
     * {@code ['a', 'b']}. Returns null when the text is neither.
     */
    public static List<String> parsePythonNames(String text) {
        if (text == null) {
            return null;
        }
        try {
            PyParser p = new PyParser(text.trim());
            List<String> out = p.names();
            p.skipSpace();
            return p.pos == p.s.length() ? out : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final class PyParser {
        final String s;
        int pos;

        PyParser(String s) {
            this.s = s;
        }

        List<String> names() {
            skipSpace();
            char open = s.charAt(pos++);
            if (open == '[') {
                List<String> out = new ArrayList<>();
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    return out;
                }
                while (true) {
                    out.add(string());
                    skipSpace();
                    char c = s.charAt(pos++);
                    if (c == ']') {
                        return out;
                    }
                    if (c != ',') {
                        throw new IllegalArgumentException();
                    }
                    skipSpace();
                    if (peek() == ']') {
                        pos++;
                        return out;
                    }
                }
            }
            if (open != '{') {
                throw new IllegalArgumentException();
            }
            TreeMap<Long, String> map = new TreeMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                return new ArrayList<>();
            }
            while (true) {
                skipSpace();
                long key = integer();
                skipSpace();
                if (s.charAt(pos++) != ':') {
                    throw new IllegalArgumentException();
                }
                skipSpace();
                map.put(key, string());
                skipSpace();
                char c = s.charAt(pos++);
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException();
                }
                skipSpace();
                if (peek() == '}') {
                    pos++;
                    break;
                }
            }
            return new ArrayList<>(map.values());
        }

        char peek() {
            return s.charAt(pos);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        long integer() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            return Long.parseLong(s.substring(start, pos));
        }

        String string() {
            char q = s.charAt(pos++);
            if (q != '\'' && q != '"') {
                throw new IllegalArgumentException();
            }
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = s.charAt(pos++);
                if (c == q) {
                    return sb.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'x' -> {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 2), 16));
                            pos += 2;
                        }
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
        }
    }

    // ---- strides and sizes ----

    /** The strides in the metadata ("8,16,32"), or an empty array. */
    public static long[] strides(Map<String, String> meta) {
        return parseLongs(meta.get("stride"));
    }

    static long[] parseLongs(String s) {
        if (s == null || s.isBlank()) {
            return new long[0];
        }
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isBlank()) {
            return new long[0];
        }
        try {
            return Arrays.stream(t.split(",")).map(String::trim).mapToLong(v -> (long) Double.parseDouble(v)).toArray();
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }

    static String join(long[] values) {
        StringBuilder sb = new StringBuilder();
        for (long v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v);
        }
        return sb.toString();
    }

    // ---- rt_info ----

    /** The model rt_info the writer stores for this graph metadata. */
    public static RtInfo toRtInfo(Map<String, String> meta, List<String> names, long[] imgsz, IrPrecision precision) {
        RtInfo root = RtInfo.section();
        RtInfo fw = root.section("framework");
        fw.put("names", pythonDict(names));
        long[] strides = strides(meta);
        if (strides.length > 0) {
            fw.put("stride", Long.toString(Arrays.stream(strides).max().getAsLong()));
        }
        RtInfo own = root.section(SECTION);
        own.put("nc", Integer.toString(names.size()));
        if (imgsz.length > 0) {
            own.put("imgsz", join(imgsz));
        }
        if (strides.length > 0) {
            own.put("stride", join(strides));
        }
        own.put("precision", precision.name());
        section(own, meta, PRUNING_PREFIX, "pruning");
        section(own, meta, QUANTIZATION_PREFIX, "quantization");
        return root;
    }

    /** The metadata entries under {@code prefix} as a section of rt_info (none: no section). */
    private static void section(RtInfo own, Map<String, String> meta, String prefix, String name) {
        RtInfo section = null;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getValue() != null) {
                if (section == null) {
                    section = own.section(name);
                }
                section.put(xmlName(e.getKey().substring(prefix.length())), e.getValue());
            }
        }
    }

    /** Graph metadata from a model rt_info (ours, an Ultralytics/YOLOv5 export's, or any other). */
    public static Map<String, String> fromRtInfo(RtInfo rt) {
        Map<String, String> meta = new LinkedHashMap<>();
        if (rt == null) {
            return meta;
        }
        List<String> names = parsePythonNames(rt.leafValue("framework", "names"));
        if (names == null) {
            String labels = rt.leafValue("model_info", "labels"); // Ultralytics (v8) layout: space-separated
            if (labels != null && !labels.isBlank()) {
                names = new ArrayList<>(Arrays.asList(labels.trim().split("\\s+")));
            }
        }
        if (names != null) {
            meta.put("names", namesJson(names));
            meta.put("nc", Integer.toString(names.size()));
        }
        String nc = rt.leafValue(SECTION, "nc");
        if (nc != null) {
            meta.put("nc", nc);
        }
        String stride = rt.leafValue(SECTION, "stride");
        if (stride == null) {
            stride = rt.leafValue("framework", "stride");
        }
        if (stride != null) {
            meta.put("stride", join(parseLongs(stride)));
        }
        String imgsz = rt.leafValue(SECTION, "imgsz");
        if (imgsz != null) {
            meta.put("imgsz", join(parseLongs(imgsz)));
        }
        String precision = rt.leafValue(SECTION, "precision");
        if (precision != null) {
            meta.put("ir.precision", precision);
        }
        for (String[] section : new String[][] {{"pruning", PRUNING_PREFIX}, {"quantization", QUANTIZATION_PREFIX}}) {
            RtInfo r = rt.get(SECTION, section[0]);
            if (r != null) {
                r.children().forEach((k, v) -> {
                    if (v.isLeaf()) {
                        meta.put(section[1] + k, v.value());
                    }
                });
            }
        }
        return meta;
    }

    /** A valid XML element name for a metadata key: other characters become '_'. */
    static String xmlName(String key) {
        StringBuilder sb = new StringBuilder();
        for (char c : key.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-' ? c : '_');
        }
        if (sb.length() == 0 || !(Character.isLetter(sb.charAt(0)) || sb.charAt(0) == '_')) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    // ---- metadata.yaml ----

    /**
     * Ultralytics' {@code metadata.yaml} (what {@code AutoBackend} and YOLOv5's
     * {@code DetectMultiBackend} read): description, version, stride, task, batch, imgsz,
     * names as {0: person, …}, plus the pruning record.
     */
    public static String metadataYaml(Map<String, String> meta, List<String> names, long[] imgsz, String version) {
        Map<String, Object> y = new LinkedHashMap<>();
        y.put("description", "YOLOv5 detector exported by prune-maven-plugin");
        if (version != null && !version.isBlank()) {
            y.put("version", version);
        }
        long[] strides = strides(meta);
        y.put("stride", strides.length > 0 ? Arrays.stream(strides).max().getAsLong() : 32L);
        y.put("task", "detect");
        y.put("batch", 1);
        List<Long> size = new ArrayList<>();
        for (long v : imgsz) {
            size.add(v);
        }
        y.put("imgsz", size);
        Map<Integer, String> n = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            n.put(i, names.get(i));
        }
        y.put("names", n);
        Map<String, String> pruning = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(PRUNING_PREFIX) && v != null) {
                pruning.put(k.substring(PRUNING_PREFIX.length()), v);
            }
        });
        if (!pruning.isEmpty()) {
            y.put("pruning", pruning);
        }
        Map<String, String> quantization = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(QUANTIZATION_PREFIX) && v != null) {
                quantization.put(k.substring(QUANTIZATION_PREFIX.length()), v);
            }
        });
        if (!quantization.isEmpty()) {
            y.put("quantization", quantization);
        }
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setWidth(1 << 20);
        o.setAllowUnicode(true);
        return new Yaml(o).dump(y);
    }
}
