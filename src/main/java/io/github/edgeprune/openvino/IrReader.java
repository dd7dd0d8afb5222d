package io.github.edgeprune.openvino;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphException;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.Half;
import io.github.edgeprune.tensor.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads OpenVINO IR (v10 and v11: ours and Intel's) into a {@link Graph}.
 *
 * <p>Every layer's type and opset are checked against the supported set before a byte of the
 * weights file is read; the first unsupported layer (in document order) is named in the error,
 * e.g. {@code yolov5n.xml: layer 12 'foo' of type NonMaxSuppression (opset5) is not supported}.
 * Then every Const's byte range is checked against the .bin's length.
 *
 * <p>All shapes in a readable IR are static, so shape sub-graphs (ShapeOf → Convert → Multiply →
 * Convert → Interpolate sizes/scales, ShapeOf → Slice → Concat, …) are evaluated while reading and
 * the plain op is emitted. Decompression {@code Convert}s of f16 constants become float32
 * parameters named after the Convert ({@code model.0.conv.weight}); {@code Convolution} followed by
 * {@code Add} of a per-channel constant becomes one Conv2d with a bias. The graph input keeps the
 * Parameter's name ({@code images}); a graph output is named after the layer that feeds the
 * Result ({@code output0}, {@code output}). Model rt_info (names, stride, our {@code edgeprune}
 * section) and, when present, the {@code <name>.yaml} or {@code metadata.yaml} beside the xml
 * become graph metadata. Every value's shape is checked against the dims the IR declares.
 */
public final class IrReader {

    /** Highest opset this reader knows; a layer claiming a later one is refused. */
    static final int MAX_OPSET = 16;

    private IrReader() {
    }

    /** Reads {@code <name>.xml} and the {@code <name>.bin} beside it. */
    public static Graph read(Path xml) {
        return read(xml, IrFiles.bin(xml));
    }

    public static Graph read(Path xml, Path bin) {
        return new Reader(xml, bin).read();
    }

    /**
     * Reads only what the named values need, and makes them the graph's outputs (in this order)
     * instead of the IR's Results: a way to run the part of a model our static graph can express,
     * e.g. the trunk of a detector whose post-processing has data-dependent shapes. A name is a
     * layer name (its first output port), {@code layer:port}, or a tensor name an output port
     * declares. Layers nobody needs are neither checked nor read; an unknown name is an
     * {@link IrFormatException}.
     */
    public static Graph readUpTo(Path xml, List<String> outputs) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("readUpTo needs at least one output");
        }
        Reader r = new Reader(xml, IrFiles.bin(xml));
        r.upTo = List.copyOf(outputs);
        return r.read();
    }

    /**
     * Parses the XML and checks that every layer is supported, without touching the weights.
     * Returns the number of layers; throws {@link IrFormatException} naming the first unsupported one.
     */
    public static int check(Path xml) {
        Reader r = new Reader(xml, null);
        r.parse();
        r.checkSupported();
        return r.layers.size();
    }

    // ---- the supported set ----

    enum Kind {
        PARAMETER, CONST, RESULT, CONVERT, CONVOLUTION, GROUP_CONVOLUTION, ADD, SUBTRACT, MULTIPLY, DIVIDE, POWER,
        SWISH, SIGMOID, RELU, CONCAT, MAXPOOL, INTERPOLATE1, INTERPOLATE4, INTERPOLATE11, RESHAPE, SQUEEZE, UNSQUEEZE,
        TRANSPOSE, STRIDED_SLICE, SLICE, VARIADIC_SPLIT, SPLIT, SHAPE_OF, GATHER, FAKE_QUANTIZE,
        /** Translated by a {@link LayerTranslator} from {@link LayerTranslators}. */
        TRANSLATED
    }

    /** Type → (first opset with this version, kind), latest first. */
    private static final Map<String, Object[][]> SUPPORTED = new HashMap<>();

    static {
        one("Parameter", Kind.PARAMETER);
        one("Const", Kind.CONST);
        one("Constant", Kind.CONST);
        one("Result", Kind.RESULT);
        one("Convert", Kind.CONVERT);
        one("Convolution", Kind.CONVOLUTION);
        one("GroupConvolution", Kind.GROUP_CONVOLUTION);
        one("Add", Kind.ADD);
        one("Subtract", Kind.SUBTRACT);
        one("Multiply", Kind.MULTIPLY);
        one("Divide", Kind.DIVIDE);
        one("Power", Kind.POWER);
        SUPPORTED.put("Swish", new Object[][] {{4, Kind.SWISH}});
        one("Sigmoid", Kind.SIGMOID);
        one("Relu", Kind.RELU);
        one("ReLU", Kind.RELU);
        one("Concat", Kind.CONCAT);
        SUPPORTED.put("MaxPool", new Object[][] {{14, Kind.MAXPOOL}, {8, Kind.MAXPOOL}, {1, Kind.MAXPOOL}});
        SUPPORTED.put("Interpolate", new Object[][] {{11, Kind.INTERPOLATE11}, {4, Kind.INTERPOLATE4},
            {1, Kind.INTERPOLATE1}});
        one("Reshape", Kind.RESHAPE);
        SUPPORTED.put("Squeeze", new Object[][] {{15, Kind.SQUEEZE}, {1, Kind.SQUEEZE}});
        one("Unsqueeze", Kind.UNSQUEEZE);
        one("Transpose", Kind.TRANSPOSE);
        one("StridedSlice", Kind.STRIDED_SLICE);
        SUPPORTED.put("Slice", new Object[][] {{8, Kind.SLICE}});
        one("VariadicSplit", Kind.VARIADIC_SPLIT);
        one("Split", Kind.SPLIT);
        one("FakeQuantize", Kind.FAKE_QUANTIZE);
        SUPPORTED.put("ShapeOf", new Object[][] {{3, Kind.SHAPE_OF}, {1, Kind.SHAPE_OF}});
        SUPPORTED.put("Gather", new Object[][] {{8, Kind.GATHER}, {7, Kind.GATHER}, {1, Kind.GATHER}});
    }

    private static void one(String type, Kind kind) {
        SUPPORTED.put(type, new Object[][] {{1, kind}});
    }

    /** The kind for a layer type and version ("opset8"), or null when not supported. */
    static Kind resolve(String type, String version) {
        Object[][] entries = SUPPORTED.get(type);
        if (entries == null || version == null || !version.startsWith("opset")) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(version.substring(5));
        } catch (NumberFormatException e) {
            return null;
        }
        if (n > MAX_OPSET) {
            return null;
        }
        for (Object[] e : entries) {
            if (n >= (Integer) e[0]) {
                return (Kind) e[1];
            }
        }
        return null;
    }

    // ---- parsed XML ----

    private record IrPort(int id, ElementType precision, long[] dims, List<String> names) {
    }

    private static final class IrLayer {
        int docIndex;
        long id;
        String name;
        String type;
        String version;
        Kind kind;
        LayerTranslator translator;
        final Map<String, String> data = new LinkedHashMap<>();
        final List<IrPort> inputs = new ArrayList<>();
        final List<IrPort> outputs = new ArrayList<>();
        /** Producer of each input, by input index. */
        final List<long[]> sources = new ArrayList<>();
    }

    /** What an output port carries while the graph is built: a known constant or a run-time value. */
    record Val(Lit lit, String name, long[] shape) {
        static Val constant(Lit lit) {
            return new Val(lit, null, lit.shape);
        }

        static Val runtime(String name, long[] shape) {
            return new Val(null, name, shape.clone());
        }

        boolean isConst() {
            return lit != null;
        }
    }

    private static final class Reader {
        private final Path xmlPath;
        private final Path binPath;
        private final String file;
        private String netName;
        private int irVersion;
        private Element root;
        private final List<IrLayer> layers = new ArrayList<>();
        private final Map<Long, IrLayer> byId = new HashMap<>();
        private final Map<String, Integer> consumers = new HashMap<>(); // "layer:port" → edges from it
        private ByteBuffer bin;
        /** When set, the values to read up to (see {@link IrReader#readUpTo}). */
        private List<String> upTo;
        private final List<String> upToPorts = new ArrayList<>();

        // graph under construction
        private final List<GraphInput> inputs = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Parameter> params = new LinkedHashMap<>();
        private final Set<String> used = new HashSet<>();
        private final Map<String, Val> portValues = new HashMap<>(); // "layer:port" → value
        private final Map<String, Integer> biasFree = new HashMap<>(); // conv output value → node index
        private final Map<String, String> convOutputPort = new HashMap<>(); // conv output value → "layer:port"

        Reader(Path xml, Path bin) {
            this.xmlPath = xml;
            this.binPath = bin;
            this.file = xml.getFileName().toString();
        }

        Graph read() {
            parse();
            if (upTo != null) {
                readEdges();
                keepOnlyWhatUpToNeeds();
                checkSupported();
            } else {
                checkSupported();
                readEdges();
            }
            checkConsts();
            mapBin();
            build();
            try {
                return new Graph(netName, inputs, outputs, nodes, params, metadata());
            } catch (GraphException e) {
                throw new IrFormatException(file + ": " + e.getMessage(), e);
            }
        }

        // ---- XML ----

        void parse() {
            Document doc;
            try (InputStream in = Files.newInputStream(xmlPath)) {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                f.setFeature("http://xml.org/sax/features/external-general-entities", false);
                f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
                f.setXIncludeAware(false);
                f.setExpandEntityReferences(false);
                DocumentBuilder b = f.newDocumentBuilder();
                b.setErrorHandler(null);
                doc = b.parse(in);
            } catch (IOException e) {
                throw new IrFormatException(file + ": cannot read: " + e.getMessage(), e);
            } catch (Exception e) {
                throw new IrFormatException(file + ": not well-formed XML: " + e.getMessage(), e);
            }
            root = doc.getDocumentElement();
            if (!"net".equals(root.getTagName())) {
                throw new IrFormatException(file + ": root element is <" + root.getTagName() + ">, expected <net>");
            }
            netName = root.getAttribute("name");
            String v = root.getAttribute("version");
            try {
                irVersion = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IrFormatException(file + ": <net> has no IR version (version=\"" + v + "\")");
            }
            if (irVersion != 10 && irVersion != 11) {
                throw new IrFormatException(file + ": IR version " + irVersion + " is not supported (only 10 and 11)");
            }
            Element layersEl = child(root, "layers");
            if (layersEl == null) {
                throw new IrFormatException(file + ": no <layers>");
            }
            int index = 0;
            for (Element le : children(layersEl, "layer")) {
                IrLayer l = new IrLayer();
                l.docIndex = index++;
                l.name = le.getAttribute("name");
                l.type = le.getAttribute("type");
                l.version = le.getAttribute("version");
                try {
                    l.id = Long.parseLong(le.getAttribute("id").trim());
                } catch (NumberFormatException e) {
                    throw new IrFormatException(file + ": layer '" + l.name + "' has no numeric id");
                }
                if (byId.put(l.id, l) != null) {
                    throw new IrFormatException(file + ": layer id " + l.id + " is used twice");
                }
                Element data = child(le, "data");
                if (data != null) {
                    NamedNodeMap attrs = data.getAttributes();
                    for (int i = 0; i < attrs.getLength(); i++) {
                        l.data.put(attrs.item(i).getNodeName(), attrs.item(i).getNodeValue());
                    }
                }
                Element in = child(le, "input");
                if (in != null) {
                    for (Element p : children(in, "port")) {
                        l.inputs.add(port(l, p));
                    }
                }
                Element out = child(le, "output");
                if (out != null) {
                    for (Element p : children(out, "port")) {
                        l.outputs.add(port(l, p));
                    }
                }
                layers.add(l);
            }
        }

        private IrPort port(IrLayer l, Element p) {
            int id;
            try {
                id = Integer.parseInt(p.getAttribute("id").trim());
            } catch (NumberFormatException e) {
                throw new IrFormatException(where(l) + ": a port has no numeric id");
            }
            List<Element> dimEls = children(p, "dim");
            long[] dims = new long[dimEls.size()];
            for (int i = 0; i < dims.length; i++) {
                String t = dimEls.get(i).getTextContent().trim();
                try {
                    dims[i] = Long.parseLong(t);
                } catch (NumberFormatException e) {
                    dims[i] = -1; // "?", "1..10": dynamic
                }
            }
            List<String> names = new ArrayList<>();
            if (p.hasAttribute("names")) {
                String raw = p.getAttribute("names");
                StringBuilder cur = new StringBuilder();
                for (int i = 0; i < raw.length(); i++) {
                    char c = raw.charAt(i);
                    if (c == '\\' && i + 1 < raw.length() && raw.charAt(i + 1) == ',') {
                        cur.append(',');
                        i++;
                    } else if (c == ',') {
                        names.add(cur.toString().trim());
                        cur.setLength(0);
                    } else {
                        cur.append(c);
                    }
                }
                if (cur.length() > 0) {
                    names.add(cur.toString().trim());
                }
            }
            return new IrPort(id, ElementType.parse(p.getAttribute("precision")), dims, names);
        }

        private static Element child(Element parent, String tag) {
            for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(tag)) {
                    return e;
                }
            }
            return null;
        }

        private static List<Element> children(Element parent, String tag) {
            List<Element> out = new ArrayList<>();
            for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && (tag == null || e.getTagName().equals(tag))) {
                    out.add(e);
                }
            }
            return out;
        }

        private String where(IrLayer l) {
            return file + ": layer " + l.id + " '" + l.name + "' (" + l.type + ")";
        }

        // ---- checks before any weight is read ----

        void checkSupported() {
            for (IrLayer l : layers) {
                l.kind = resolve(l.type, l.version);
                if (l.kind == null) {
                    l.translator = LayerTranslators.find(l.type, l.version);
                    l.kind = l.translator == null ? null : Kind.TRANSLATED;
                }
                if (l.kind == null) {
                    throw new IrFormatException(file + ": layer " + l.id + " '" + l.name + "' of type " + l.type + " ("
                            + (l.version.isEmpty() ? "no version" : l.version) + ") is not supported");
                }
            }
        }

        void readEdges() {
            Element edgesEl = child(root, "edges");
            Map<String, long[]> into = new HashMap<>();
            if (edgesEl != null) {
                for (Element e : children(edgesEl, "edge")) {
                    long fl;
                    long tl;
                    int fp;
                    int tp;
                    try {
                        fl = Long.parseLong(e.getAttribute("from-layer").trim());
                        fp = Integer.parseInt(e.getAttribute("from-port").trim());
                        tl = Long.parseLong(e.getAttribute("to-layer").trim());
                        tp = Integer.parseInt(e.getAttribute("to-port").trim());
                    } catch (NumberFormatException ex) {
                        throw new IrFormatException(file + ": an <edge> has a non-numeric layer or port");
                    }
                    IrLayer from = byId.get(fl);
                    IrLayer to = byId.get(tl);
                    if (from == null || to == null) {
                        throw new IrFormatException(file + ": edge " + fl + ":" + fp + " -> " + tl + ":" + tp
                                + " names a layer that does not exist");
                    }
                    if (from.outputs.stream().noneMatch(p -> p.id() == fp)) {
                        throw new IrFormatException(where(from) + " has no output port " + fp + " (edge to layer " + tl + ")");
                    }
                    if (to.inputs.stream().noneMatch(p -> p.id() == tp)) {
                        throw new IrFormatException(where(to) + " has no input port " + tp + " (edge from layer " + fl + ")");
                    }
                    if (into.put(tl + ":" + tp, new long[] {fl, fp}) != null) {
                        throw new IrFormatException(where(to) + ": input port " + tp + " has more than one incoming edge");
                    }
                    consumers.merge(fl + ":" + fp, 1, Integer::sum);
                }
            }
            for (IrLayer l : layers) {
                for (IrPort p : l.inputs) {
                    long[] src = into.get(l.id + ":" + p.id());
                    if (src == null) {
                        throw new IrFormatException(where(l) + ": input port " + p.id() + " has no incoming edge");
                    }
                    l.sources.add(src);
                }
            }
        }

        void checkConsts() {
            long binLength = -1;
            for (IrLayer l : layers) {
                if (l.kind != Kind.CONST) {
                    continue;
                }
                String et = l.data.get("element_type");
                ElementType t = ElementType.parse(et);
                if (t == null) {
                    throw new IrFormatException(where(l) + ": constant element type '" + et + "' is not supported");
                }
                long[] shape = parseShape(l, l.data.get("shape"));
                long offset = attrLong(l, "offset");
                long size = attrLong(l, "size");
                long need = HostTensor.elementCount(shape) * t.bytes();
                if (size != need) {
                    throw new IrFormatException(where(l) + ": size " + size + " does not match " + Arrays.toString(shape)
                            + " " + t.irName() + " (" + need + " bytes)");
                }
                if (binLength < 0) {
                    if (binPath == null || !Files.isRegularFile(binPath)) {
                        throw new IrFormatException(file + ": weights file " + (binPath == null ? "(none)" : binPath.getFileName())
                                + " not found (needed by layer " + l.id + " '" + l.name + "')");
                    }
                    try {
                        binLength = Files.size(binPath);
                    } catch (IOException e) {
                        throw new IrFormatException(file + ": cannot read " + binPath.getFileName() + ": " + e.getMessage(), e);
                    }
                }
                if (offset < 0 || offset + size > binLength) {
                    throw new IrFormatException(where(l) + ": needs bytes " + offset + ".." + (offset + size) + " but "
                            + binPath.getFileName() + " has only " + binLength + " bytes");
                }
            }
        }

        void mapBin() {
            if (binPath == null || !Files.isRegularFile(binPath) || layers.stream().noneMatch(l -> l.kind == Kind.CONST)) {
                return;
            }
            try (FileChannel ch = FileChannel.open(binPath, StandardOpenOption.READ)) {
                bin = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new IrFormatException(file + ": cannot read " + binPath.getFileName() + ": " + e.getMessage(), e);
            }
        }

        // ---- attributes ----

        private long attrLong(IrLayer l, String key) {
            String v = l.data.get(key);
            if (v == null) {
                throw new IrFormatException(where(l) + ": attribute '" + key + "' is missing");
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IrFormatException(where(l) + ": attribute " + key + "=\"" + v + "\" is not an integer");
            }
        }

        private long[] attrLongs(IrLayer l, String key, long[] dflt) {
            String v = l.data.get(key);
            if (v == null) {
                if (dflt == null) {
                    throw new IrFormatException(where(l) + ": attribute '" + key + "' is missing");
                }
                return dflt;
            }
            if (v.isBlank()) {
                return new long[0];
            }
            try {
                return Arrays.stream(v.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            } catch (NumberFormatException e) {
                throw new IrFormatException(where(l) + ": attribute " + key + "=\"" + v + "\" is not a list of integers");
            }
        }

        private String attr(IrLayer l, String key, String dflt) {
            String v = l.data.get(key);
            return v == null ? dflt : v.trim();
        }

        private boolean attrBool(IrLayer l, String key, boolean dflt) {
            String v = l.data.get(key);
            if (v == null) {
                return dflt;
            }
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw new IrFormatException(where(l) + ": attribute " + key + "=\"" + v + "\" is not a boolean");
            };
        }

        private long[] parseShape(IrLayer l, String s) {
            if (s == null) {
                throw new IrFormatException(where(l) + ": attribute 'shape' is missing");
            }
            if (s.isBlank()) {
                return new long[0];
            }
            try {
                long[] shape = Arrays.stream(s.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
                for (long d : shape) {
                    if (d < 0) {
                        throw new NumberFormatException();
                    }
                }
                return shape;
            } catch (NumberFormatException e) {
                throw new IrFormatException(where(l) + ": shape \"" + s + "\" is not static; only static shapes are supported");
            }
        }

        // ---- building the graph ----

        private void build() {
            for (IrLayer l : topologicalOrder()) {
                List<Val> in = new ArrayList<>();
                for (long[] src : l.sources) {
                    Val v = portValues.get(src[0] + ":" + src[1]);
                    if (v == null) {
                        throw new IrFormatException(where(l) + ": input from layer " + src[0] + " port " + src[1]
                                + " has no value (is port " + src[1] + " an output that layer does not produce?)");
                    }
                    in.add(v);
                }
                List<Val> out;
                try {
                    out = convert(l, in);
                } catch (IrFormatException e) {
                    throw e;
                } catch (GraphException | IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
                    throw new IrFormatException(where(l) + ": " + e.getMessage(), e);
                }
                for (int i = 0; i < out.size() && i < l.outputs.size(); i++) {
                    Val v = out.get(i);
                    if (v == null) {
                        continue;
                    }
                    IrPort p = l.outputs.get(i);
                    checkDims(l, p, v.shape());
                    portValues.put(l.id + ":" + p.id(), v);
                }
            }
            for (int i = 0; upTo != null && i < upTo.size(); i++) {
                Val v = portValues.get(upToPorts.get(i));
                if (v == null || v.isConst()) {
                    throw new IrFormatException(file + ": output '" + upTo.get(i) + "' "
                            + (v == null ? "has no value" : "is a constant"));
                }
                outputs.add(v.name());
            }
            if (inputs.isEmpty()) {
                throw new IrFormatException(file + ": the model has no Parameter");
            }
            if (outputs.isEmpty()) {
                throw new IrFormatException(file + ": the model has no Result");
            }
        }

        private void checkDims(IrLayer l, IrPort p, long[] actual) {
            long[] declared = p.dims();
            boolean dynamic = Arrays.stream(declared).anyMatch(d -> d < 0);
            if (dynamic) {
                return; // nothing to compare with
            }
            if (!Arrays.equals(declared, actual)) {
                throw new IrFormatException(where(l) + ": output port " + p.id() + " declares " + Arrays.toString(declared)
                        + " but its inputs give " + Arrays.toString(actual));
            }
        }

        private List<IrLayer> topologicalOrder() {
            Map<Long, Integer> pending = new HashMap<>();
            Map<Long, List<IrLayer>> users = new HashMap<>();
            for (IrLayer l : layers) {
                pending.put(l.id, l.sources.size());
                for (long[] s : l.sources) {
                    users.computeIfAbsent(s[0], k -> new ArrayList<>()).add(l);
                }
            }
            PriorityQueue<IrLayer> ready = new PriorityQueue<>(Comparator.comparingInt(x -> x.docIndex));
            layers.stream().filter(l -> l.sources.isEmpty()).forEach(ready::add);
            List<IrLayer> order = new ArrayList<>();
            while (!ready.isEmpty()) {
                IrLayer l = ready.poll();
                order.add(l);
                for (IrLayer u : users.getOrDefault(l.id, List.of())) {
                    if (pending.merge(u.id, -1, Integer::sum) == 0) {
                        ready.add(u);
                    }
                }
            }
            if (order.size() != layers.size()) {
                IrLayer stuck = layers.stream().filter(l -> pending.get(l.id) > 0).findFirst().orElseThrow();
                throw new IrFormatException(where(stuck) + " is part of a cycle");
            }
            return order;
        }

        private String unique(String base) {
            String b = base == null || base.isEmpty() ? "value" : base;
            String n = b;
            for (int i = 1; !used.add(n); i++) {
                n = b + "_" + i;
            }
            return n;
        }

        /** The graph name of a layer's output port. */
        private String valueName(IrLayer l, int outIndex) {
            if (l.outputs.size() <= 1) {
                return unique(l.name);
            }
            IrPort p = l.outputs.get(outIndex);
            if (!p.names().isEmpty() && !used.contains(p.names().get(0))) {
                return unique(p.names().get(0));
            }
            return unique(l.name + ":" + p.id());
        }

        /** The graph parameter holding this constant (made once). */
        private String parameter(IrLayer l, Lit lit, Parameter.Kind kind) {
            if (lit.parameter != null) {
                return lit.parameter;
            }
            if (!lit.isFloat()) {
                throw new IrFormatException(where(l) + ": integer constant '" + lit.origin + "' "
                        + Arrays.toString(lit.shape) + " used as float data is not supported");
            }
            String name = unique(lit.origin);
            params.put(name, new Parameter(name, HostTensor.ofFloats(lit.f, lit.shape), kind));
            lit.parameter = name;
            return name;
        }

        private String input(IrLayer l, Val v, Parameter.Kind kind) {
            return v.isConst() ? parameter(l, v.lit(), kind) : v.name();
        }

        private Val runtimeOf(IrLayer l, Val v, String what) {
            if (v.isConst()) {
                throw new IrFormatException(where(l) + ": a constant " + what + " is not supported (only run-time data)");
            }
            return v;
        }

        private Lit constOf(IrLayer l, Val v, String what) {
            if (!v.isConst()) {
                throw new IrFormatException(where(l) + ": " + what + " must be a constant (or computable from static"
                        + " shapes) but depends on the model input");
            }
            return v.lit();
        }

        /** Adds a node with one output named after the layer; returns its value. */
        private Val addNode(IrLayer l, Op op, List<String> in) {
            String name = valueName(l, 0);
            Node n = new Node(name, op, in, name);
            List<long[]> shapes = new ArrayList<>();
            for (String s : in) {
                shapes.add(shapeOf(s));
            }
            long[] shape = op.outputShapes(shapes).get(0);
            nodes.add(n);
            shapeCache.put(name, shape);
            return Val.runtime(name, shape);
        }

        private final Map<String, long[]> shapeCache = new HashMap<>();

        private long[] shapeOf(String value) {
            long[] s = shapeCache.get(value);
            if (s == null) {
                Parameter p = params.get(value);
                if (p != null) {
                    return p.tensor().shape();
                }
                throw new IllegalStateException("no shape for '" + value + "'");
            }
            return s;
        }

        // ---- one layer ----

        private List<Val> convert(IrLayer l, List<Val> in) {
            switch (l.kind) {
                case PARAMETER -> {
                    String et = attr(l, "element_type", "f32");
                    if (ElementType.parse(et) != ElementType.F32) {
                        throw new IrFormatException(where(l) + ": input element type " + et + " is not supported (only f32)");
                    }
                    long[] shape = parseShape(l, l.data.get("shape"));
                    String name = unique(l.name);
                    inputs.add(new GraphInput(name, shape));
                    shapeCache.put(name, shape);
                    return List.of(Val.runtime(name, shape));
                }
                case CONST -> {
                    return List.of(Val.constant(readConst(l)));
                }
                case RESULT -> {
                    if (upTo != null) {
                        return List.of(); // read up to named values: those are the outputs
                    }
                    Val v = in.get(0);
                    if (v.isConst()) {
                        throw new IrFormatException(where(l) + ": the model output is a constant");
                    }
                    outputs.add(v.name());
                    return List.of();
                }
                case CONVERT -> {
                    ElementType to = ElementType.parse(attr(l, "destination_type", ""));
                    if (to == null) {
                        throw new IrFormatException(where(l) + ": destination_type '" + attr(l, "destination_type", "")
                                + "' is not supported");
                    }
                    Val v = in.get(0);
                    if (v.isConst()) {
                        return List.of(Val.constant(v.lit().convert(to, l.name)));
                    }
                    if (to == ElementType.F32) {
                        return List.of(v); // run-time values are f32 already: identity
                    }
                    throw new IrFormatException(where(l) + ": conversion of a run-time value to " + to.irName()
                            + " is not supported");
                }
                case CONVOLUTION, GROUP_CONVOLUTION -> {
                    return List.of(convolution(l, in));
                }
                case ADD, SUBTRACT, MULTIPLY, DIVIDE, POWER -> {
                    return List.of(binary(l, in));
                }
                case SWISH -> {
                    return List.of(swish(l, in));
                }
                case FAKE_QUANTIZE -> {
                    return List.of(fakeQuantize(l, in));
                }
                case SIGMOID, RELU -> {
                    Val x = in.get(0);
                    boolean sigmoid = l.kind == Kind.SIGMOID;
                    if (x.isConst()) {
                        return List.of(Val.constant(map(x.lit(), v -> sigmoid ? 1 / (1 + Math.exp(-v)) : Math.max(0, v), l)));
                    }
                    return List.of(addNode(l, sigmoid ? new Op.Sigmoid() : new Op.Relu(), List.of(x.name())));
                }
                case CONCAT -> {
                    int axis = (int) attrLong(l, "axis");
                    if (in.stream().allMatch(Val::isConst)) {
                        return List.of(Val.constant(Lit.concat(in.stream().map(Val::lit).toList(), axis, l.name)));
                    }
                    List<String> names = new ArrayList<>();
                    for (Val v : in) {
                        names.add(input(l, v, Parameter.Kind.CONSTANT));
                    }
                    int rank = in.get(0).shape().length;
                    return List.of(addNode(l, new Op.Concat(axis < 0 ? axis + rank : axis), names));
                }
                case MAXPOOL -> {
                    return maxPool(l, in);
                }
                case INTERPOLATE1, INTERPOLATE4, INTERPOLATE11 -> {
                    return List.of(interpolate(l, in));
                }
                case RESHAPE -> {
                    Val x = in.get(0);
                    long[] target = constOf(l, in.get(1), "the target shape").asLongs();
                    boolean specialZero = attrBool(l, "special_zero", false);
                    if (!specialZero) {
                        for (long t : target) {
                            if (t == 0) {
                                throw new IrFormatException(where(l) + ": a zero-sized target " + Arrays.toString(target)
                                        + " is not supported");
                            }
                        }
                    }
                    if (x.isConst()) {
                        long[] shape = Op.resolveReshape(x.shape(), target);
                        return List.of(Val.constant(x.lit().withShape(shape, l.name)));
                    }
                    return List.of(addNode(l, new Op.Reshape(target), List.of(x.name())));
                }
                case SQUEEZE, UNSQUEEZE -> {
                    Val x = in.get(0);
                    long[] shape = l.kind == Kind.SQUEEZE ? squeeze(l, x.shape(), in.size() > 1 ? in.get(1) : null)
                            : unsqueeze(l, x.shape(), in.get(1));
                    if (x.isConst()) {
                        return List.of(Val.constant(x.lit().withShape(shape, l.name)));
                    }
                    return List.of(addNode(l, new Op.Reshape(shape), List.of(x.name())));
                }
                case TRANSPOSE -> {
                    Val x = in.get(0);
                    long[] order = constOf(l, in.get(1), "the permutation").asLongs();
                    int rank = x.shape().length;
                    int[] perm = new int[rank];
                    if (order.length == 0) {
                        for (int i = 0; i < rank; i++) {
                            perm[i] = rank - 1 - i;
                        }
                    } else {
                        if (order.length != rank) {
                            throw new IrFormatException(where(l) + ": permutation " + Arrays.toString(order) + " for rank " + rank);
                        }
                        for (int i = 0; i < rank; i++) {
                            perm[i] = (int) (order[i] < 0 ? order[i] + rank : order[i]);
                        }
                    }
                    if (x.isConst()) {
                        return List.of(Val.constant(x.lit().transpose(perm, l.name)));
                    }
                    return List.of(addNode(l, new Op.Transpose(perm), List.of(x.name())));
                }
                case STRIDED_SLICE -> {
                    return List.of(stridedSlice(l, in));
                }
                case SLICE -> {
                    return List.of(slice8(l, in));
                }
                case VARIADIC_SPLIT, SPLIT -> {
                    return split(l, in);
                }
                case SHAPE_OF -> {
                    ElementType t = ElementType.parse(attr(l, "output_type", "i64"));
                    long[] s = in.get(0).shape();
                    return List.of(Val.constant(Lit.longs(t == null ? ElementType.I64 : t, new long[] {s.length}, s.clone(),
                            l.name)));
                }
                case GATHER -> {
                    if (!in.get(0).isConst()) {
                        return RuntimeGather.translate(new Context(l), in);
                    }
                    return List.of(gather(l, in));
                }
                case TRANSLATED -> {
                    return l.translator.translate(new Context(l), in);
                }
                default -> throw new IrFormatException(where(l) + ": not supported");
            }
        }

        private Lit readConst(IrLayer l) {
            ElementType t = ElementType.parse(l.data.get("element_type"));
            long[] shape = parseShape(l, l.data.get("shape"));
            int offset = (int) attrLong(l, "offset");
            int n = (int) HostTensor.elementCount(shape);
            ByteBuffer b = bin.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            b.position(offset);
            if (t.isFloatingPoint()) {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = switch (t) {
                        case F32 -> b.getFloat();
                        case F16 -> Half.toFloat(b.getShort());
                        case BF16 -> Half.bf16ToFloat(b.getShort());
                        default -> (float) b.getDouble();
                    };
                }
                return Lit.floats(t, shape, f, l.name);
            }
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (t) {
                    case I64, U64 -> b.getLong();
                    case I32 -> b.getInt();
                    case U32 -> b.getInt() & 0xffffffffL;
                    case I16 -> b.getShort();
                    case U16 -> b.getShort() & 0xffff;
                    case I8 -> b.get();
                    case BOOLEAN -> b.get() != 0 ? 1 : 0;
                    default -> b.get() & 0xff; // U8
                };
            }
            return Lit.longs(t, shape, v, l.name);
        }

        private interface DoubleFn {
            double apply(double v);
        }

        private Lit map(Lit x, DoubleFn fn, IrLayer l) {
            float[] out = new float[x.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) fn.apply(x.get(i));
            }
            return Lit.floats(x.isFloat() ? x.type : ElementType.F32, x.shape, out, l.name);
        }

        private Val convolution(IrLayer l, List<Val> in) {
            Val x = runtimeOf(l, in.get(0), "convolution input");
            Val w = in.get(1);
            long[] xs = x.shape();
            if (xs.length != 4) {
                throw new IrFormatException(where(l) + ": only 2-D convolution is supported, input is " + Arrays.toString(xs));
            }
            int groups = 1;
            String weight;
            long[] ws;
            if (l.kind == Kind.GROUP_CONVOLUTION) {
                Lit g = constOf(l, w, "the grouped weights");
                if (g.rank() != 5) {
                    throw new IrFormatException(where(l) + ": grouped weights must be 5-D, got " + Arrays.toString(g.shape));
                }
                groups = (int) g.shape[0];
                ws = new long[] {g.shape[0] * g.shape[1], g.shape[2], g.shape[3], g.shape[4]};
                weight = parameter(l, g.withShape(ws, g.origin), Parameter.Kind.WEIGHT);
            } else {
                ws = w.shape();
                if (ws.length != 4) {
                    throw new IrFormatException(where(l) + ": weights must be 4-D, got " + Arrays.toString(ws));
                }
                weight = input(l, w, Parameter.Kind.WEIGHT);
            }
            if (xs[1] != ws[1] * groups) {
                throw new IrFormatException(where(l) + ": weights " + Arrays.toString(ws) + " (groups " + groups
                        + ") do not fit an input of " + xs[1] + " channels");
            }
            long[] strides = attrLongs(l, "strides", null);
            long[] dilations = attrLongs(l, "dilations", new long[] {1, 1});
            long[][] pads = pads(l, xs, new long[] {ws[2], ws[3]}, strides, dilations);
            Op.Conv2d op = new Op.Conv2d(strides, pads[0], pads[1], dilations, groups);
            Val out = addNode(l, op, List.of(x.name(), weight));
            biasFree.put(out.name(), nodes.size() - 1);
            convOutputPort.put(out.name(), l.id + ":" + l.outputs.get(0).id());
            return out;
        }

        /** Explicit pads for auto_pad explicit / notset / valid / same_upper / same_lower. */
        private long[][] pads(IrLayer l, long[] xs, long[] kernel, long[] strides, long[] dilations) {
            String autoPad = attr(l, "auto_pad", "explicit").toLowerCase(Locale.ROOT);
            if (strides.length != 2 || dilations.length != 2) {
                throw new IrFormatException(where(l) + ": only 2-D windows are supported");
            }
            long[] pb = new long[2];
            long[] pe = new long[2];
            switch (autoPad) {
                case "explicit", "notset", "" -> {
                    pb = attrLongs(l, "pads_begin", new long[] {0, 0});
                    pe = attrLongs(l, "pads_end", new long[] {0, 0});
                }
                case "valid" -> {
                }
                case "same_upper", "same_lower" -> {
                    for (int i = 0; i < 2; i++) {
                        long in = xs[2 + i];
                        long out = (in + strides[i] - 1) / strides[i];
                        long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
                        long small = total / 2;
                        pb[i] = autoPad.equals("same_upper") ? small : total - small;
                        pe[i] = total - pb[i];
                    }
                }
                default -> throw new IrFormatException(where(l) + ": auto_pad '" + autoPad + "' is not supported");
            }
            if (pb.length != 2 || pe.length != 2) {
                throw new IrFormatException(where(l) + ": only 2-D windows are supported");
            }
            return new long[][] {pb, pe};
        }

        private Val binary(IrLayer l, List<Val> in) {
            Val a = in.get(0);
            Val b = in.get(1);
            String autoBroadcast = attr(l, "auto_broadcast", "numpy").toLowerCase(Locale.ROOT);
            if (autoBroadcast.equals("none") && !Arrays.equals(a.shape(), b.shape())) {
                throw new IrFormatException(where(l) + ": auto_broadcast none with shapes " + Arrays.toString(a.shape())
                        + " and " + Arrays.toString(b.shape()));
            }
            if (!autoBroadcast.equals("numpy") && !autoBroadcast.equals("none")) {
                throw new IrFormatException(where(l) + ": auto_broadcast '" + autoBroadcast + "' is not supported");
            }
            if (a.isConst() && b.isConst()) {
                boolean pythonDiv = attrBool(l, "m_pythondiv", true);
                Lit r = switch (l.kind) {
                    case ADD -> Lit.binary(a.lit(), b.lit(), Double::sum, Long::sum, l.name);
                    case SUBTRACT -> Lit.binary(a.lit(), b.lit(), (p, q) -> p - q, (p, q) -> p - q, l.name);
                    case MULTIPLY -> Lit.binary(a.lit(), b.lit(), (p, q) -> p * q, (p, q) -> p * q, l.name);
                    case DIVIDE -> Lit.binary(a.lit(), b.lit(), (p, q) -> p / q,
                            (p, q) -> pythonDiv ? Math.floorDiv(p, q) : p / q, l.name);
                    default -> Lit.binary(a.lit(), b.lit(), Math::pow, (p, q) -> (long) Math.pow(p, q), l.name);
                };
                return Val.constant(r);
            }
            if (l.kind == Kind.ADD) {
                Val fused = fuseBias(l, a, b);
                if (fused == null) {
                    fused = fuseBias(l, b, a);
                }
                if (fused != null) {
                    return fused;
                }
            }
            Op.Binary.Kind k = switch (l.kind) {
                case ADD -> Op.Binary.Kind.ADD;
                case SUBTRACT -> Op.Binary.Kind.SUB;
                case MULTIPLY -> Op.Binary.Kind.MUL;
                case DIVIDE -> Op.Binary.Kind.DIV;
                default -> Op.Binary.Kind.POW;
            };
            return addNode(l, new Op.Binary(k), List.of(input(l, a, Parameter.Kind.CONSTANT),
                    input(l, b, Parameter.Kind.CONSTANT)));
        }

        /** Convolution (no bias, read only by this Add) + per-channel constant → Conv2d with a bias. */
        private Val fuseBias(IrLayer l, Val conv, Val bias) {
            if (conv.isConst() || !bias.isConst() || !bias.lit().isFloat()) {
                return null;
            }
            Integer index = biasFree.get(conv.name());
            if (index == null || consumers.getOrDefault(convOutputPort.get(conv.name()), 0) != 1) {
                return null;
            }
            Node c = nodes.get(index);
            long channels = conv.shape()[1];
            long[] bs = bias.lit().shape;
            long[] aligned = new long[4];
            Arrays.fill(aligned, 1);
            if (bs.length > 4) {
                return null;
            }
            System.arraycopy(bs, 0, aligned, 4 - bs.length, bs.length);
            if (aligned[0] != 1 || aligned[1] != channels || aligned[2] != 1 || aligned[3] != 1) {
                return null;
            }
            Lit b = bias.lit().parameter == null ? bias.lit().withShape(new long[] {channels}, bias.lit().origin)
                    : Lit.floats(bias.lit().type, new long[] {channels}, bias.lit().f, bias.lit().origin);
            String biasName = parameter(l, b, Parameter.Kind.WEIGHT);
            String name = valueName(l, 0);
            Node fused = new Node(name, c.op(), List.of(c.input(0), c.input(1), biasName), name);
            nodes.set(index, fused);
            biasFree.remove(conv.name());
            shapeCache.put(name, conv.shape());
            return Val.runtime(name, conv.shape());
        }

        /**
         * FakeQuantize-1 as the op itself: its ranges become constant parameters; a constant input
         * (FakeQuantize on f32 weights, as POT writes them) becomes a weight parameter, so the
         * weights stay trainable and the grid is still applied when the model runs.
         */
        private Val fakeQuantize(IrLayer l, List<Val> in) {
            if (in.size() != 5) {
                throw new IrFormatException(where(l) + ": FakeQuantize needs 5 inputs, got " + in.size());
            }
            long levels = attrLong(l, "levels");
            String autoBroadcast = attr(l, "auto_broadcast", "numpy").toLowerCase(Locale.ROOT);
            if (!autoBroadcast.equals("numpy") && !autoBroadcast.equals("none")) {
                throw new IrFormatException(where(l) + ": auto_broadcast '" + autoBroadcast + "' is not supported");
            }
            String[] names = {"input_low", "input_high", "output_low", "output_high"};
            List<String> inputs = new ArrayList<>();
            inputs.add(input(l, in.get(0), Parameter.Kind.WEIGHT));
            for (int i = 1; i < 5; i++) {
                constOf(l, in.get(i), names[i - 1]);
                inputs.add(input(l, in.get(i), Parameter.Kind.CONSTANT));
            }
            try {
                return addNode(l, new Op.FakeQuantize(levels), inputs);
            } catch (IllegalArgumentException e) {
                throw new IrFormatException(where(l) + ": " + e.getMessage());
            }
        }

        private Val swish(IrLayer l, List<Val> in) {
            Val x = in.get(0);
            double beta = 1;
            if (in.size() > 1) {
                Lit b = constOf(l, in.get(1), "beta");
                if (b.size() != 1) {
                    throw new IrFormatException(where(l) + ": beta must be a scalar");
                }
                beta = b.get(0);
            }
            if (x.isConst()) {
                double bt = beta;
                return Val.constant(map(x.lit(), v -> v / (1 + Math.exp(-bt * v)), l));
            }
            if (beta == 1) {
                return addNode(l, new Op.Silu(), List.of(x.name()));
            }
            // x · sigmoid(β·x)
            String betaName = parameter(l, Lit.floats(ElementType.F32, new long[] {1}, new float[] {(float) beta}, l.name + "/beta"),
                    Parameter.Kind.CONSTANT);
            String scaled = unique(l.name + "/scaled");
            nodes.add(new Node(scaled, new Op.Binary(Op.Binary.Kind.MUL), List.of(x.name(), betaName), scaled));
            shapeCache.put(scaled, x.shape());
            String gate = unique(l.name + "/gate");
            nodes.add(new Node(gate, new Op.Sigmoid(), List.of(scaled), gate));
            shapeCache.put(gate, x.shape());
            return addNode(l, new Op.Binary(Op.Binary.Kind.MUL), List.of(x.name(), gate));
        }

        private List<Val> maxPool(IrLayer l, List<Val> in) {
            Val x = runtimeOf(l, in.get(0), "pooling input");
            long[] xs = x.shape();
            if (xs.length != 4) {
                throw new IrFormatException(where(l) + ": only 2-D pooling is supported, input is " + Arrays.toString(xs));
            }
            long[] kernel = attrLongs(l, "kernel", null);
            long[] strides = attrLongs(l, "strides", null);
            long[] dilations = attrLongs(l, "dilations", new long[] {1, 1});
            if (Arrays.stream(dilations).anyMatch(d -> d != 1)) {
                throw new IrFormatException(where(l) + ": dilated pooling " + Arrays.toString(dilations) + " is not supported");
            }
            long[][] pads = pads(l, xs, kernel, strides, dilations);
            long[] pe = pads[1].clone();
            String rounding = attr(l, "rounding_type", "floor").toLowerCase(Locale.ROOT);
            if (!rounding.equals("floor")) {
                // ceil (and ceil_torch): the extra window at the end reads only padding, -inf for MaxPool
                for (int i = 0; i < 2; i++) {
                    long span = xs[2 + i] + pads[0][i] + pe[i] - kernel[i];
                    long floorOut = span / strides[i] + 1;
                    long ceilOut = (span + strides[i] - 1) / strides[i] + 1;
                    if (rounding.equals("ceil_torch") && (ceilOut - 1) * strides[i] >= xs[2 + i] + pads[0][i]) {
                        ceilOut--;
                    }
                    pe[i] += (ceilOut - floorOut) * strides[i];
                }
            }
            if (l.outputs.size() > 1 && consumers.getOrDefault(l.id + ":" + l.outputs.get(1).id(), 0) > 0) {
                throw new IrFormatException(where(l) + ": the pooling indices output is used; not supported");
            }
            Val out = addNode(l, new Op.MaxPool(kernel, strides, pads[0], pe), List.of(x.name()));
            List<Val> outs = new ArrayList<>();
            outs.add(out);
            if (l.outputs.size() > 1) {
                outs.add(null); // indices: never read
            }
            return outs;
        }

        private Val interpolate(IrLayer l, List<Val> in) {
            Val x = runtimeOf(l, in.get(0), "interpolation input");
            long[] xs = x.shape();
            int rank = xs.length;
            String mode = attr(l, "mode", "").toLowerCase(Locale.ROOT);
            long[] padsBegin = attrLongs(l, "pads_begin", new long[0]);
            long[] padsEnd = attrLongs(l, "pads_end", new long[0]);
            if (Arrays.stream(padsBegin).anyMatch(p -> p != 0) || Arrays.stream(padsEnd).anyMatch(p -> p != 0)) {
                throw new IrFormatException(where(l) + ": padded interpolation is not supported");
            }
            if (attrBool(l, "antialias", false)) {
                throw new IrFormatException(where(l) + ": antialias is not supported");
            }
            long[] out = xs.clone();
            String coordinate;
            String nearestMode;
            if (l.kind == Kind.INTERPOLATE1) {
                long[] axes = attrLongs(l, "axes", null);
                long[] target = constOf(l, in.get(1), "the target spatial shape").asLongs();
                if (axes.length != target.length) {
                    throw new IrFormatException(where(l) + ": " + axes.length + " axes but " + target.length + " sizes");
                }
                for (int i = 0; i < axes.length; i++) {
                    out[(int) axes[i]] = target[i];
                }
                if (attrBool(l, "align_corners", true)) {
                    throw new IrFormatException(where(l) + ": align_corners is not supported");
                }
                coordinate = "asymmetric";
                nearestMode = "floor";
            } else {
                String calc = attr(l, "shape_calculation_mode", "").toLowerCase(Locale.ROOT);
                coordinate = attr(l, "coordinate_transformation_mode", "half_pixel").toLowerCase(Locale.ROOT);
                nearestMode = attr(l, "nearest_mode", "round_prefer_floor").toLowerCase(Locale.ROOT);
                Val valuesIn;
                Val axesIn;
                if (l.kind == Kind.INTERPOLATE4) {
                    valuesIn = calc.equals("sizes") ? in.get(1) : in.get(2);
                    axesIn = in.size() > 3 ? in.get(3) : null;
                } else {
                    valuesIn = in.get(1);
                    axesIn = in.size() > 2 ? in.get(2) : null;
                }
                long[] axes = axesIn == null ? Lit.all(rank) : constOf(l, axesIn, "the axes").asLongs();
                Lit values = constOf(l, valuesIn, calc.equals("sizes") ? "the sizes" : "the scales");
                if (values.size() != axes.length) {
                    throw new IrFormatException(where(l) + ": " + axes.length + " axes but " + values.size() + " " + calc);
                }
                for (int i = 0; i < axes.length; i++) {
                    int a = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
                    switch (calc) {
                        case "sizes" -> out[a] = values.getLong(i);
                        case "scales" -> out[a] = (long) Math.floor(values.get(i) * xs[a] + 1e-5);
                        default -> throw new IrFormatException(where(l) + ": shape_calculation_mode '" + calc
                                + "' is not supported");
                    }
                }
            }
            if (!mode.equals("nearest")) {
                throw new IrFormatException(where(l) + ": mode '" + mode + "' is not supported (only nearest)");
            }
            boolean repeats = switch (coordinate) {
                case "asymmetric" -> nearestMode.equals("floor");
                case "half_pixel", "pytorch_half_pixel" -> nearestMode.equals("round_prefer_floor")
                        || nearestMode.equals("round_prefer_ceil");
                case "tf_half_pixel_for_nn" -> nearestMode.equals("floor");
                default -> false;
            };
            if (!repeats) {
                throw new IrFormatException(where(l) + ": nearest interpolation with coordinate_transformation_mode '"
                        + coordinate + "' and nearest_mode '" + nearestMode + "' is not supported");
            }
            if (rank != 4 || out[0] != xs[0] || out[1] != xs[1] || out[2] % xs[2] != 0 || out[3] % xs[3] != 0
                    || out[2] < xs[2] || out[3] < xs[3]) {
                throw new IrFormatException(where(l) + ": resizing " + Arrays.toString(xs) + " to " + Arrays.toString(out)
                        + " is not supported (only upsampling H and W by integer factors)");
            }
            return addNode(l, new Op.ResizeNearest(out[2] / xs[2], out[3] / xs[3]), List.of(x.name()));
        }

        private long[] squeeze(IrLayer l, long[] shape, Val axesVal) {
            List<Long> out = new ArrayList<>();
            if (axesVal == null) {
                for (long d : shape) {
                    if (d != 1) {
                        out.add(d);
                    }
                }
            } else {
                Set<Integer> axes = new HashSet<>();
                for (long a : constOf(l, axesVal, "the axes").asLongs()) {
                    int ax = (int) (a < 0 ? a + shape.length : a);
                    if (ax < 0 || ax >= shape.length) {
                        throw new IrFormatException(where(l) + ": axis " + a + " out of range for " + Arrays.toString(shape));
                    }
                    if (shape[ax] != 1) {
                        throw new IrFormatException(where(l) + ": cannot squeeze axis " + a + " of " + Arrays.toString(shape));
                    }
                    axes.add(ax);
                }
                for (int i = 0; i < shape.length; i++) {
                    if (!axes.contains(i)) {
                        out.add(shape[i]);
                    }
                }
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }

        private long[] unsqueeze(IrLayer l, long[] shape, Val axesVal) {
            long[] axes = constOf(l, axesVal, "the axes").asLongs();
            int rank = shape.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + rank : a);
                if (ax < 0 || ax >= rank || inserted[ax]) {
                    throw new IrFormatException(where(l) + ": bad axes " + Arrays.toString(axes));
                }
                inserted[ax] = true;
            }
            long[] out = new long[rank];
            int j = 0;
            for (int i = 0; i < rank; i++) {
                out[i] = inserted[i] ? 1 : shape[j++];
            }
            return out;
        }

        /** Indices a Python-style slice picks (negative bounds count from the end; bounds are clamped). */
        private static long[] sliceIndices(long dim, long start, long stop, long step) {
            if (step == 0) {
                throw new IllegalArgumentException("slice step 0");
            }
            long s;
            long e;
            if (step > 0) {
                s = start < 0 ? Math.max(0, start + dim) : Math.min(start, dim);
                e = stop < 0 ? Math.max(0, stop + dim) : Math.min(stop, dim);
                return e <= s ? new long[0] : Lit.range(s, (e - s + step - 1) / step, step);
            }
            s = start < 0 ? Math.max(-1, start + dim) : Math.min(start, dim - 1);
            e = stop < 0 ? Math.max(-1, stop + dim) : Math.min(stop, dim - 1);
            return s <= e ? new long[0] : Lit.range(s, (s - e - step - 1) / -step, step);
        }

        private Val slice8(IrLayer l, List<Val> in) {
            Val x = in.get(0);
            long[] start = constOf(l, in.get(1), "start").asLongs();
            long[] stop = constOf(l, in.get(2), "stop").asLongs();
            long[] step = constOf(l, in.get(3), "step").asLongs();
            long[] axes = in.size() > 4 ? constOf(l, in.get(4), "axes").asLongs() : Lit.all(start.length);
            int rank = x.shape().length;
            List<long[]> idx = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                idx.add(Lit.all(x.shape()[d]));
            }
            int[] ax = new int[axes.length];
            for (int i = 0; i < axes.length; i++) {
                ax[i] = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
                idx.set(ax[i], sliceIndices(x.shape()[ax[i]], start[i], stop[i], step[i]));
            }
            if (x.isConst()) {
                return Val.constant(x.lit().select(idx, l.name));
            }
            return runtimeSlice(l, x, ax, idx, step);
        }

        /** A Slice node with begin/end resolved against the static shape (positive steps only). */
        private Val runtimeSlice(IrLayer l, Val x, int[] axes, List<long[]> idx, long[] steps) {
            long[] begin = new long[axes.length];
            long[] end = new long[axes.length];
            for (int i = 0; i < axes.length; i++) {
                if (steps[i] < 0) {
                    throw new IrFormatException(where(l) + ": a negative step on run-time data is not supported");
                }
                long[] picked = idx.get(axes[i]);
                begin[i] = picked.length == 0 ? 0 : picked[0];
                end[i] = picked.length == 0 ? 0 : picked[picked.length - 1] + 1;
            }
            return addNode(l, new Op.Slice(axes, begin, end, steps), List.of(x.name()));
        }

        private Val stridedSlice(IrLayer l, List<Val> in) {
            Val x = in.get(0);
            long[] begin = constOf(l, in.get(1), "begin").asLongs();
            long[] end = constOf(l, in.get(2), "end").asLongs();
            long[] stride = in.size() > 3 ? constOf(l, in.get(3), "stride").asLongs() : filled(begin.length, 1);
            long[] beginMask = attrLongs(l, "begin_mask", new long[0]);
            long[] endMask = attrLongs(l, "end_mask", new long[0]);
            long[] newAxis = attrLongs(l, "new_axis_mask", new long[0]);
            long[] shrink = attrLongs(l, "shrink_axis_mask", new long[0]);
            long[] ellipsis = attrLongs(l, "ellipsis_mask", new long[0]);
            if (Arrays.stream(ellipsis).anyMatch(v -> v != 0)) {
                throw new IrFormatException(where(l) + ": ellipsis_mask is not supported");
            }
            long[] xs = x.shape();
            List<long[]> idx = new ArrayList<>();
            for (long d : xs) {
                idx.add(Lit.all(d));
            }
            List<Long> outShape = new ArrayList<>();
            List<Integer> slicedAxes = new ArrayList<>();
            List<Long> slicedSteps = new ArrayList<>();
            boolean plain = true;
            int axis = 0;
            for (int i = 0; i < begin.length; i++) {
                if (bit(newAxis, i)) {
                    outShape.add(1L);
                    plain = false;
                    continue;
                }
                if (axis >= xs.length) {
                    throw new IrFormatException(where(l) + ": more slice entries than input dimensions");
                }
                long dim = xs[axis];
                long st = stride[i];
                if (bit(shrink, i)) {
                    long b = begin[i] < 0 ? begin[i] + dim : begin[i];
                    if (b < 0 || b >= dim) {
                        throw new IrFormatException(where(l) + ": index " + begin[i] + " out of range for " + dim);
                    }
                    idx.set(axis, new long[] {b});
                    plain = false;
                } else {
                    long b = bit(beginMask, i) ? (st > 0 ? 0 : dim - 1) : begin[i];
                    long[] picked;
                    if (bit(endMask, i)) {
                        picked = st > 0 ? sliceIndices(dim, b, dim, st)
                                : sliceIndices(dim, b, -dim - 1, st); // through index 0
                    } else {
                        picked = sliceIndices(dim, b, end[i], st);
                    }
                    idx.set(axis, picked);
                    outShape.add((long) picked.length);
                    slicedAxes.add(axis);
                    slicedSteps.add(st);
                }
                axis++;
            }
            for (; axis < xs.length; axis++) {
                outShape.add(xs[axis]);
            }
            long[] finalShape = outShape.stream().mapToLong(Long::longValue).toArray();
            if (x.isConst()) {
                return Val.constant(x.lit().select(idx, l.name).withShape(finalShape, l.name));
            }
            if (!plain) {
                throw new IrFormatException(where(l) + ": new_axis_mask/shrink_axis_mask on run-time data is not supported");
            }
            return runtimeSlice(l, x, slicedAxes.stream().mapToInt(Integer::intValue).toArray(), idx,
                    slicedSteps.stream().mapToLong(Long::longValue).toArray());
        }

        private static boolean bit(long[] mask, int i) {
            return i < mask.length && mask[i] != 0;
        }

        private static long[] filled(int n, long v) {
            long[] a = new long[n];
            Arrays.fill(a, v);
            return a;
        }

        private List<Val> split(IrLayer l, List<Val> in) {
            Val x = in.get(0);
            long[] xs = x.shape();
            Lit axisLit = constOf(l, in.get(1), "the axis");
            if (axisLit.size() != 1) {
                throw new IrFormatException(where(l) + ": the axis must be a scalar");
            }
            int axis = (int) axisLit.getLong(0);
            axis = axis < 0 ? axis + xs.length : axis;
            long dim = xs[axis];
            long[] sizes;
            if (l.kind == Kind.SPLIT) {
                long parts = attrLong(l, "num_splits");
                if (parts < 1 || dim % parts != 0) {
                    throw new IrFormatException(where(l) + ": " + dim + " does not split into " + parts + " equal parts");
                }
                sizes = filled((int) parts, dim / parts);
            } else {
                sizes = constOf(l, in.get(2), "the split lengths").asLongs();
                int inferred = -1;
                long known = 0;
                for (int i = 0; i < sizes.length; i++) {
                    if (sizes[i] == -1) {
                        inferred = i;
                    } else {
                        known += sizes[i];
                    }
                }
                if (inferred >= 0) {
                    sizes[inferred] = dim - known;
                }
                if (Arrays.stream(sizes).sum() != dim) {
                    throw new IrFormatException(where(l) + ": split lengths " + Arrays.toString(sizes) + " do not add up to " + dim);
                }
            }
            if (sizes.length != l.outputs.size()) {
                throw new IrFormatException(where(l) + ": " + sizes.length + " parts but " + l.outputs.size() + " output ports");
            }
            List<Val> outs = new ArrayList<>();
            if (x.isConst()) {
                long at = 0;
                for (long s : sizes) {
                    List<long[]> idx = new ArrayList<>();
                    for (int d = 0; d < xs.length; d++) {
                        idx.add(d == axis ? Lit.range(at, s, 1) : Lit.all(xs[d]));
                    }
                    outs.add(Val.constant(x.lit().select(idx, l.name)));
                    at += s;
                }
                return outs;
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                names.add(valueName(l, i));
            }
            Op.Split op = new Op.Split(axis, sizes);
            nodes.add(new Node(unique(l.name), op, List.of(x.name()), names));
            List<long[]> shapes = op.outputShapes(List.of(xs));
            for (int i = 0; i < names.size(); i++) {
                shapeCache.put(names.get(i), shapes.get(i));
                outs.add(Val.runtime(names.get(i), shapes.get(i)));
            }
            return outs;
        }

        private Val gather(IrLayer l, List<Val> in) {
            Lit data = constOf(l, in.get(0), "Gather data");
            Lit indices = constOf(l, in.get(1), "the indices");
            Lit axisLit = constOf(l, in.get(2), "the axis");
            if (attrLong0(l, "batch_dims") != 0) {
                throw new IrFormatException(where(l) + ": batch_dims is not supported");
            }
            int rank = data.rank();
            int axis = (int) axisLit.getLong(0);
            axis = axis < 0 ? axis + rank : axis;
            long dim = data.shape[axis];
            long[] ix = indices.asLongs();
            for (int i = 0; i < ix.length; i++) {
                ix[i] = ix[i] < 0 ? ix[i] + dim : ix[i];
                if (ix[i] < 0 || ix[i] >= dim) {
                    throw new IrFormatException(where(l) + ": index " + indices.getLong(i) + " out of range for " + dim);
                }
            }
            List<long[]> idx = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                idx.add(d == axis ? ix : Lit.all(data.shape[d]));
            }
            Lit picked = data.select(idx, l.name);
            long[] shape = new long[rank - 1 + indices.rank()];
            int j = 0;
            for (int d = 0; d < axis; d++) {
                shape[j++] = data.shape[d];
            }
            for (long d : indices.shape) {
                shape[j++] = d;
            }
            for (int d = axis + 1; d < rank; d++) {
                shape[j++] = data.shape[d];
            }
            return Val.constant(picked.withShape(shape, l.name));
        }

        private long attrLong0(IrLayer l, String key) {
            return l.data.containsKey(key) ? attrLong(l, key) : 0;
        }

        // ---- reading up to named values ----

        /** Resolves the {@link #upTo} names to ports and drops every layer they do not need. */
        private void keepOnlyWhatUpToNeeds() {
            for (String want : upTo) {
                String port = null;
                for (IrLayer l : layers) {
                    if (l.outputs.isEmpty()) {
                        continue;
                    }
                    if (l.name.equals(want)) {
                        port = l.id + ":" + l.outputs.get(0).id();
                    }
                    for (IrPort p : l.outputs) {
                        if (want.equals(l.name + ":" + p.id()) || p.names().contains(want)) {
                            port = l.id + ":" + p.id();
                        }
                    }
                    if (port != null) {
                        break;
                    }
                }
                if (port == null) {
                    throw new IrFormatException(file + ": no layer or tensor named '" + want + "' to read up to");
                }
                upToPorts.add(port);
                consumers.merge(port, 1, Integer::sum); // an output: never fused away
            }
            Set<Long> needed = new HashSet<>();
            List<Long> todo = new ArrayList<>();
            for (String p : upToPorts) {
                todo.add(Long.parseLong(p.substring(0, p.indexOf(':'))));
            }
            while (!todo.isEmpty()) {
                long id = todo.remove(todo.size() - 1);
                if (needed.add(id)) {
                    for (long[] src : byId.get(id).sources) {
                        todo.add(src[0]);
                    }
                }
            }
            layers.removeIf(l -> !needed.contains(l.id));
        }

        /** One layer as a {@link LayerTranslator} sees it. */
        private final class Context implements LayerContext {
            private final IrLayer l;

            Context(IrLayer l) {
                this.l = l;
            }

            @Override
            public String where() {
                return Reader.this.where(l);
            }

            @Override
            public String name() {
                return l.name;
            }

            @Override
            public int outputCount() {
                return l.outputs.size();
            }

            @Override
            public boolean outputUsed(int i) {
                return consumers.getOrDefault(l.id + ":" + l.outputs.get(i).id(), 0) > 0;
            }

            @Override
            public boolean has(String key) {
                return l.data.containsKey(key);
            }

            @Override
            public String attr(String key, String dflt) {
                return Reader.this.attr(l, key, dflt);
            }

            @Override
            public long attrLong(String key) {
                return Reader.this.attrLong(l, key);
            }

            @Override
            public long[] attrLongs(String key, long[] dflt) {
                return Reader.this.attrLongs(l, key, dflt);
            }

            @Override
            public boolean attrBool(String key, boolean dflt) {
                return Reader.this.attrBool(l, key, dflt);
            }

            @Override
            public Lit constOf(Val v, String what) {
                return Reader.this.constOf(l, v, what);
            }

            @Override
            public String input(Val v) {
                return Reader.this.input(l, v, Parameter.Kind.CONSTANT);
            }

            @Override
            public Val addNode(Op op, List<String> in) {
                return Reader.this.addNode(l, op, in);
            }
        }

        // ---- metadata ----

        private Map<String, String> metadata() {
            RtInfo rt = null;
            Element rtEl = child(root, "rt_info");
            if (rtEl != null) {
                rt = RtInfo.section();
                readRtInfo(rtEl, rt);
            }
            Map<String, String> meta = IrMetadata.fromRtInfo(rt);
            sidecarYaml(meta);
            if (!meta.containsKey("imgsz") && inputs.size() == 1) {
                long[] s = inputs.get(0).shape();
                if (s.length == 4) {
                    meta.put("imgsz", s[2] + "," + s[3]);
                }
            }
            meta.put("ir.version", Integer.toString(irVersion));
            meta.put("ir.source", file);
            return meta;
        }

        private static void readRtInfo(Element el, RtInfo into) {
            for (Element c : children(el, null)) {
                if (c.hasAttribute("value") && children(c, null).isEmpty()) {
                    into.put(c.getTagName(), c.getAttribute("value"));
                } else {
                    readRtInfo(c, into.section(c.getTagName()));
                }
            }
        }

        /** names/stride from {@code <name>.yaml} (YOLOv5 export) or {@code metadata.yaml} (Ultralytics) beside the xml. */
        private void sidecarYaml(Map<String, String> meta) {
            if (meta.containsKey("names") && meta.containsKey("stride")) {
                return;
            }
            String base = file.endsWith(".xml") ? file.substring(0, file.length() - 4) : file;
            for (String candidate : List.of(base + ".yaml", "metadata.yaml")) {
                Path p = xmlPath.resolveSibling(candidate);
                if (!Files.isRegularFile(p)) {
                    continue;
                }
                Object doc;
                try (InputStream in = Files.newInputStream(p)) {
                    doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
                } catch (IOException | RuntimeException e) {
                    continue; // not an export metadata file
                }
                if (!(doc instanceof Map<?, ?> m) || !m.containsKey("names")) {
                    continue;
                }
                if (!meta.containsKey("names")) {
                    List<String> names = new ArrayList<>();
                    Object n = m.get("names");
                    if (n instanceof List<?> list) {
                        list.forEach(v -> names.add(String.valueOf(v)));
                    } else if (n instanceof Map<?, ?> map) {
                        new java.util.TreeMap<>(map.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                                e -> Long.parseLong(String.valueOf(e.getKey())), e -> String.valueOf(e.getValue()))))
                                .values().forEach(names::add);
                    }
                    meta.put("names", IrMetadata.namesJson(names));
                    meta.putIfAbsent("nc", Integer.toString(names.size()));
                }
                if (!meta.containsKey("stride") && m.get("stride") != null) {
                    meta.put("stride", IrMetadata.join(IrMetadata.parseLongs(String.valueOf(m.get("stride")))));
                }
                return;
            }
        }
    }
}
