package io.github.edgeprune.yolo;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers a YOLOv5 (v6/v7 family) architecture into a graph of primitive ops, naming values and
 * parameters as PyTorch names the modules ({@code model.2.m.0.cv1.conv.weight}). Follows
 * Ultralytics' {@code parse_model}: depth gain {@code max(round(n·gd), 1)}, channels
 * {@code ceil(c·gw / 8)·8}, Conv = Conv2d(no bias) + BatchNorm2d(eps 0.001) + SiLU, and the
 * Detect head decoded in the graph exactly like Ultralytics' export.
 *
 * <p>The graph has one input {@code images} [-1, 3, H, W] and the output {@code output0}
 * [B, N, 5 + nc]. The raw head outputs [B, na, ny, nx, 5 + nc], which the loss needs, are the
 * values {@link #rawOutputName(int) model.&lt;i&gt;.raw&lt;level&gt;}.
 */
public final class YoloGraphBuilder {

    public static final String INPUT = "images";
    public static final String OUTPUT = "output0";
    public static final double BN_EPS = 1e-3;
    public static final double BN_MOMENTUM = 0.03;

    private final YoloArchitecture arch;
    private final WeightSource weights;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final List<String> layerOutputs = new ArrayList<>();
    private final List<long[]> layerShapes = new ArrayList<>(); // [C, H, W] per layer, C as the yaml says (a pruned model's actual widths: channelsOf)
    private int detectIndex = -1;
    private int levels;
    private double[] strides;
    /** PyTorch modules as {@code len(list(model.modules()))} counts them (YOLOv5 v7.0, one shared SiLU). */
    private int modules = 3; // Model, its Sequential, the shared SiLU

    private YoloGraphBuilder(YoloArchitecture arch, WeightSource weights) {
        this.arch = arch;
        this.weights = weights;
    }

    /** Name of the raw (pre-sigmoid) head output of a detection level. */
    public static String rawOutputName(int detectLayer, int level) {
        return "model." + detectLayer + ".raw" + level;
    }

    /**
     * Builds the graph for a square or rectangular input of this size (both multiples of the
     * largest stride).
     */
    public static Graph build(YoloArchitecture arch, WeightSource weights, int height, int width) {
        YoloGraphBuilder b = new YoloGraphBuilder(arch, weights);
        return b.lower(height, width);
    }

    private Graph lower(int height, int width) {
        long c = 3;
        long h = height;
        long w = width;
        for (YoloArchitecture.LayerSpec layer : arch.layers()) {
            String prefix = "model." + layer.index();
            List<Integer> from = absoluteFrom(layer);
            String in = from.get(0) < 0 ? INPUT : layerOutputs.get(from.get(0));
            long[] inShape = from.get(0) < 0 ? new long[] {c, h, w} : layerShapes.get(from.get(0));
            int n = layer.number() > 1 ? Math.max((int) Math.rint(layer.number() * arch.depthMultiple()), 1)
                    : layer.number();
            List<Object> args = resolveArgs(layer);
            String module = layer.module().replaceFirst("^(torch\\.)?nn\\.", "nn.");
            String out;
            long[] outShape;
            switch (module) {
                case "Conv", "Bottleneck", "SPPF", "SPP", "C3" -> {
                    long c1 = inShape[0];
                    long c2 = intArg(args, 0, layer);
                    c2 = makeDivisible(c2 * arch.widthMultiple());
                    long[] cur = inShape;
                    String x = in;
                    if (module.equals("C3")) {
                        boolean shortcut = args.size() < 2 || truthy(args.get(1));
                        out = c3(prefix, x, c1, c2, n, shortcut);
                        cur = new long[] {c2, inShape[1], inShape[2]};
                    } else {
                        if (n > 1) {
                            modules++; // nn.Sequential around repeated modules
                        }
                        for (int k = 0; k < n; k++) {
                            String p = n > 1 ? prefix + "." + k : prefix;
                            long cin = k == 0 ? c1 : c2;
                            switch (module) {
                                case "Conv" -> {
                                    int kk = args.size() > 1 ? intArg(args, 1, layer) : 1;
                                    int s = args.size() > 2 ? intArg(args, 2, layer) : 1;
                                    int pad = args.size() > 3 && args.get(3) != null ? intArg(args, 3, layer) : kk / 2;
                                    x = conv(p, x, cin, c2, kk, s, pad, 1);
                                    cur = new long[] {c2, Op.window(cur[1], kk, s, 2L * pad, 1), Op.window(cur[2], kk, s, 2L * pad, 1)};
                                }
                                case "Bottleneck" -> {
                                    boolean shortcut = args.size() < 2 || truthy(args.get(1));
                                    x = bottleneck(p, x, cin, c2, shortcut, 1.0);
                                    cur = new long[] {c2, cur[1], cur[2]};
                                }
                                case "SPPF" -> {
                                    int kk = args.size() > 1 ? intArg(args, 1, layer) : 5;
                                    x = sppf(p, x, cin, c2, kk);
                                    cur = new long[] {c2, cur[1], cur[2]};
                                }
                                default -> { // SPP
                                    List<Integer> ks = args.size() > 1 ? intList(args.get(1), layer) : List.of(5, 9, 13);
                                    x = spp(p, x, cin, c2, ks);
                                    cur = new long[] {c2, cur[1], cur[2]};
                                }
                            }
                        }
                        out = x;
                    }
                    outShape = cur;
                }
                case "nn.Upsample" -> {
                    long scale = args.size() > 1 && args.get(1) instanceof Number s ? s.longValue() : 2;
                    Object mode = args.size() > 2 ? args.get(2) : "nearest";
                    if (!"nearest".equals(mode)) {
                        throw new ModelFormatException("layer " + layer.index() + ": only nearest upsampling is supported, got " + mode);
                    }
                    out = prefix;
                    modules++;
                    nodes.add(new Node(prefix, new Op.ResizeNearest(scale, scale), List.of(in), out));
                    outShape = new long[] {inShape[0], inShape[1] * scale, inShape[2] * scale};
                }
                case "Concat" -> {
                    int dim = args.isEmpty() ? 1 : intArg(args, 0, layer);
                    if (dim != 1) {
                        throw new ModelFormatException("layer " + layer.index() + ": Concat over dimension " + dim + " is not supported");
                    }
                    List<String> ins = new ArrayList<>();
                    long channels = 0;
                    for (int f : from) {
                        ins.add(f < 0 ? INPUT : layerOutputs.get(f));
                        long[] s = f < 0 ? new long[] {3, h, w} : layerShapes.get(f);
                        if (s[1] != inShape[1] || s[2] != inShape[2]) {
                            throw new ModelFormatException("layer " + layer.index() + ": Concat of maps " + s[1] + "x" + s[2]
                                    + " and " + inShape[1] + "x" + inShape[2] + "; is the input size a multiple of the stride?");
                        }
                        channels += s[0];
                    }
                    out = prefix;
                    modules++;
                    nodes.add(new Node(prefix, new Op.Concat(1), ins, out));
                    outShape = new long[] {channels, inShape[1], inShape[2]};
                }
                case "Detect" -> {
                    detectIndex = layer.index();
                    out = detect(prefix, layer, from, height);
                    outShape = null;
                }
                default -> throw new ModelFormatException("layer " + layer.index() + ": module '" + layer.module()
                        + "' is not supported (supported: Conv, C3, Bottleneck, SPPF, SPP, nn.Upsample, Concat, Detect)");
            }
            layerOutputs.add(out);
            layerShapes.add(outShape);
        }
        if (detectIndex < 0) {
            throw new ModelFormatException("the model has no Detect layer");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("nc", Integer.toString(arch.nc()));
        meta.put("imgsz", height + "," + width);
        meta.put("stride", joinStrides());
        meta.put("detect_layer", Integer.toString(detectIndex));
        meta.put("levels", Integer.toString(levels));
        meta.put("modules", Integer.toString(modules));
        return new Graph("yolov5", List.of(new GraphInput(INPUT, new long[] {-1, 3, height, width})), List.of(OUTPUT),
                nodes, params, meta);
    }

    private String joinStrides() {
        StringBuilder sb = new StringBuilder();
        for (double s : strides) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append((long) s);
        }
        return sb.toString();
    }

    private List<Integer> absoluteFrom(YoloArchitecture.LayerSpec layer) {
        List<Integer> out = new ArrayList<>();
        for (int f : layer.from()) {
            int abs = f < 0 ? layer.index() + f : f;
            if (abs >= layer.index()) {
                throw new ModelFormatException("layer " + layer.index() + " reads layer " + f + ", which does not come before it");
            }
            out.add(abs); // -1 means the image input for layer 0
        }
        return out;
    }

    private List<Object> resolveArgs(YoloArchitecture.LayerSpec layer) {
        List<Object> out = new ArrayList<>();
        for (Object a : layer.args()) {
            if ("nc".equals(a)) {
                out.add(arch.nc());
            } else if ("anchors".equals(a)) {
                out.add(arch.anchors());
            } else if ("None".equals(a)) {
                out.add(null);
            } else {
                out.add(a);
            }
        }
        return out;
    }

    // ---- modules ----

    /** The channel count of a value built so far (the image input has 3); {@code fallback} if unknown. */
    private long channelsOf(String value, long fallback) {
        if (INPUT.equals(value)) {
            return 3;
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (!n.outputs().contains(value)) {
                continue;
            }
            if (n.op() instanceof Op.Conv2d) {
                return params.get(n.input(1)).tensor().shape()[0];
            }
            if (n.op() instanceof Op.Concat) {
                long sum = 0;
                for (String in : n.inputs()) {
                    long c = channelsOf(in, -1);
                    if (c < 0) {
                        return fallback;
                    }
                    sum += c;
                }
                return sum;
            }
            return channelsOf(n.input(0), fallback); // BatchNorm, SiLU, pooling, upsampling, Add
        }
        return fallback;
    }

    /** Conv2d(no bias) + BatchNorm2d + SiLU. Returns the name of the activation output. */
    private String conv(String p, String x, long c1Arch, long c2Arch, int k, int s, int pad, int groups) {
        modules += 3; // Conv, Conv2d, BatchNorm2d
        // widths come from what the graph already carries and from the weights themselves, so a
        // channel-pruned model (narrower convolutions than its yaml) builds with its own widths;
        // a wider tensor is left to the shape check (another model's weights, not a pruned one)
        long c1 = groups == 1 ? channelsOf(x, c1Arch) : c1Arch;
        long[] stored = weights.storedShape(p + ".conv.weight");
        long c2 = groups == 1 && stored != null && stored.length == 4 && stored[0] >= 1 && stored[0] <= c2Arch
                ? stored[0] : c2Arch;
        String weight = param(p + ".conv.weight", new long[] {c2, c1 / groups, k, k}, Parameter.Kind.WEIGHT,
                WeightSource.Init.CONV_WEIGHT, (c1 / groups) * k * k);
        nodes.add(new Node(p + ".conv", Op.Conv2d.symmetric(k, s, pad, groups), List.of(x, weight), p + ".conv"));
        String gamma = param(p + ".bn.weight", new long[] {c2}, Parameter.Kind.WEIGHT, WeightSource.Init.ONES, 0);
        String beta = param(p + ".bn.bias", new long[] {c2}, Parameter.Kind.WEIGHT, WeightSource.Init.ZEROS, 0);
        String mean = param(p + ".bn.running_mean", new long[] {c2}, Parameter.Kind.BUFFER, WeightSource.Init.ZEROS, 0);
        String var = param(p + ".bn.running_var", new long[] {c2}, Parameter.Kind.BUFFER, WeightSource.Init.ONES, 0);
        param(p + ".bn.num_batches_tracked", new long[] {}, Parameter.Kind.BUFFER, WeightSource.Init.COUNTER, 0);
        nodes.add(new Node(p + ".bn", new Op.BatchNorm(BN_EPS, BN_MOMENTUM), List.of(p + ".conv", gamma, beta, mean, var),
                p + ".bn"));
        nodes.add(new Node(p + ".act", new Op.Silu(), List.of(p + ".bn"), p + ".act"));
        return p + ".act";
    }

    private String bottleneck(String p, String x, long c1, long c2, boolean shortcut, double e) {
        modules += 1;
        long hidden = (long) (c2 * e);
        String y = conv(p + ".cv1", x, c1, hidden, 1, 1, 0, 1);
        y = conv(p + ".cv2", y, hidden, c2, 3, 1, 1, 1);
        if (shortcut && c1 == c2) {
            nodes.add(new Node(p + ".add", new Op.Binary(Op.Binary.Kind.ADD), List.of(x, y), p + ".add"));
            return p + ".add";
        }
        return y;
    }

    private String c3(String p, String x, long c1, long c2, int n, boolean shortcut) {
        modules += 2; // C3 and its Sequential m
        long hidden = (long) (c2 * 0.5);
        String a = conv(p + ".cv1", x, c1, hidden, 1, 1, 0, 1);
        // registration order in PyTorch is cv1, cv2, cv3, m: declare cv2 before m
        String b = conv(p + ".cv2", x, c1, hidden, 1, 1, 0, 1);
        for (int i = 0; i < n; i++) {
            a = bottleneck(p + ".m." + i, a, hidden, hidden, shortcut, 1.0);
        }
        nodes.add(new Node(p + ".cat", new Op.Concat(1), List.of(a, b), p + ".cat"));
        String out = conv(p + ".cv3", p + ".cat", 2 * hidden, c2, 1, 1, 0, 1);
        // PyTorch registers cv3 before m, so cv3 comes first in the state_dict
        reorderParameters(p + ".m.", p + ".cv3.");
        return out;
    }

    /** Moves parameters named {@code movePrefix*} to just before the first {@code anchorPrefix*}. */
    private void reorderParameters(String anchorPrefix, String movePrefix) {
        List<Parameter> moved = params.values().stream().filter(q -> q.name().startsWith(movePrefix)).toList();
        Map<String, Parameter> out = new LinkedHashMap<>();
        boolean inserted = false;
        for (Parameter q : params.values()) {
            if (q.name().startsWith(movePrefix)) {
                continue;
            }
            if (!inserted && q.name().startsWith(anchorPrefix)) {
                moved.forEach(m -> out.put(m.name(), m));
                inserted = true;
            }
            out.put(q.name(), q);
        }
        if (!inserted) {
            moved.forEach(m -> out.put(m.name(), m));
        }
        params.clear();
        params.putAll(out);
    }

    private String sppf(String p, String x, long c1, long c2, int k) {
        modules += 2; // SPPF and its MaxPool2d
        long hidden = c1 / 2;
        String a = conv(p + ".cv1", x, c1, hidden, 1, 1, 0, 1);
        Op.MaxPool pool = Op.MaxPool.square(k, 1, k / 2);
        nodes.add(new Node(p + ".m.0", pool, List.of(a), p + ".m.0"));
        nodes.add(new Node(p + ".m.1", pool, List.of(p + ".m.0"), p + ".m.1"));
        nodes.add(new Node(p + ".m.2", pool, List.of(p + ".m.1"), p + ".m.2"));
        nodes.add(new Node(p + ".cat", new Op.Concat(1), List.of(a, p + ".m.0", p + ".m.1", p + ".m.2"), p + ".cat"));
        return conv(p + ".cv2", p + ".cat", hidden * 4, c2, 1, 1, 0, 1);
    }

    private String spp(String p, String x, long c1, long c2, List<Integer> ks) {
        modules += 2 + ks.size(); // SPP, ModuleList, pools
        long hidden = c1 / 2;
        String a = conv(p + ".cv1", x, c1, hidden, 1, 1, 0, 1);
        List<String> cat = new ArrayList<>(List.of(a));
        for (int i = 0; i < ks.size(); i++) {
            int k = ks.get(i);
            nodes.add(new Node(p + ".m." + i, Op.MaxPool.square(k, 1, k / 2), List.of(a), p + ".m." + i));
            cat.add(p + ".m." + i);
        }
        nodes.add(new Node(p + ".cat", new Op.Concat(1), cat, p + ".cat"));
        return conv(p + ".cv2", p + ".cat", hidden * (ks.size() + 1), c2, 1, 1, 0, 1);
    }

    private String detect(String p, YoloArchitecture.LayerSpec layer, List<Integer> from, int inputHeight) {
        levels = from.size();
        modules += 2 + levels; // Detect, ModuleList, one Conv2d per level
        int nc = arch.nc();
        int no = nc + 5;
        int na = arch.anchors().isEmpty() ? 3 : arch.anchors().get(0).size() / 2;
        strides = new double[levels];
        for (int i = 0; i < levels; i++) {
            strides[i] = (double) inputHeight / layerShapes.get(from.get(i))[1];
        }
        // anchors buffer holds anchors in units of each level's stride, as Model.__init__ leaves it
        float[] anchorInit = new float[levels * na * 2];
        if (!arch.anchors().isEmpty()) {
            if (arch.anchors().size() != levels) {
                throw new ModelFormatException("layer " + layer.index() + ": " + arch.anchors().size()
                        + " anchor rows for " + levels + " detection levels");
            }
            for (int i = 0; i < levels; i++) {
                for (int j = 0; j < na * 2; j++) {
                    anchorInit[i * na * 2 + j] = (float) (arch.anchors().get(i).get(j) / strides[i]);
                }
            }
        }
        HostTensor anchors = weights.tensor(new WeightSource.Spec(p + ".anchors", new long[] {levels, na, 2},
                Parameter.Kind.BUFFER, WeightSource.Init.DERIVED, 0,
                arch.anchors().isEmpty() ? null : HostTensor.ofFloats(anchorInit, levels, na, 2)));
        params.put(p + ".anchors", new Parameter(p + ".anchors", anchors, Parameter.Kind.BUFFER));
        String two = constant(p + ".const.two", 2f);
        List<String> decoded = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            long[] fs = layerShapes.get(from.get(i));
            String in = layerOutputs.get(from.get(i));
            long ny = fs[1];
            long nx = fs[2];
            long cin = channelsOf(in, fs[0]); // narrower than the yaml in a channel-pruned model
            String w = param(p + ".m." + i + ".weight", new long[] {(long) na * no, cin, 1, 1}, Parameter.Kind.WEIGHT,
                    WeightSource.Init.CONV_WEIGHT, cin);
            String b = param(p + ".m." + i + ".bias", new long[] {(long) na * no}, Parameter.Kind.WEIGHT,
                    WeightSource.Init.CONV_BIAS, cin, detectBiasPrior(na, nc, strides[i]));
            String q = p + ".m." + i;
            nodes.add(new Node(q, Op.Conv2d.symmetric(1, 1, 0, 1), List.of(in, w, b), q));
            nodes.add(new Node(q + ".view", new Op.Reshape(new long[] {0, na, no, ny, nx}), List.of(q), q + ".view"));
            String raw = rawOutputName(layer.index(), i);
            nodes.add(new Node(raw, new Op.Transpose(new int[] {0, 1, 3, 4, 2}), List.of(q + ".view"), raw));
            // decode exactly as Ultralytics' export: sigmoid, split (2, 2, nc + 1), xy and wh to pixels
            String d = p + ".decode" + i;
            nodes.add(new Node(d + ".sigmoid", new Op.Sigmoid(), List.of(raw), d + ".sigmoid"));
            nodes.add(new Node(d + ".split", new Op.Split(4, new long[] {2, 2, nc + 1}), List.of(d + ".sigmoid"),
                    List.of(d + ".xy", d + ".wh", d + ".conf")));
            String grid = constantTensor(p + ".grid" + i, grid(na, ny, nx));
            String stride = constant(p + ".stride" + i, (float) strides[i]);
            String anchorGrid = constantTensor(p + ".anchor_grid" + i, anchorGrid(anchors, i, na, strides[i]));
            nodes.add(new Node(d + ".xy2", new Op.Binary(Op.Binary.Kind.MUL), List.of(d + ".xy", two), d + ".xy2"));
            nodes.add(new Node(d + ".xyg", new Op.Binary(Op.Binary.Kind.ADD), List.of(d + ".xy2", grid), d + ".xyg"));
            nodes.add(new Node(d + ".xyp", new Op.Binary(Op.Binary.Kind.MUL), List.of(d + ".xyg", stride), d + ".xyp"));
            nodes.add(new Node(d + ".wh2", new Op.Binary(Op.Binary.Kind.MUL), List.of(d + ".wh", two), d + ".wh2"));
            nodes.add(new Node(d + ".whsq", new Op.Binary(Op.Binary.Kind.POW), List.of(d + ".wh2", two), d + ".whsq"));
            nodes.add(new Node(d + ".whp", new Op.Binary(Op.Binary.Kind.MUL), List.of(d + ".whsq", anchorGrid), d + ".whp"));
            nodes.add(new Node(d + ".cat", new Op.Concat(4), List.of(d + ".xyp", d + ".whp", d + ".conf"), d + ".cat"));
            nodes.add(new Node(d + ".flat", new Op.Reshape(new long[] {0, -1, no}), List.of(d + ".cat"), d + ".flat"));
            decoded.add(d + ".flat");
        }
        nodes.add(new Node(OUTPUT, new Op.Concat(1), decoded, OUTPUT));
        return OUTPUT;
    }

    /** grid[0, a, y, x] = (x - 0.5, y - 0.5), as Detect._make_grid. */
    private static HostTensor grid(int na, long ny, long nx) {
        float[] g = new float[(int) (na * ny * nx * 2)];
        int o = 0;
        for (int a = 0; a < na; a++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    g[o++] = x - 0.5f;
                    g[o++] = y - 0.5f;
                }
            }
        }
        return HostTensor.ofFloats(g, 1, na, ny, nx, 2);
    }

    /** anchors[level] · stride as [1, na, 1, 1, 2], broadcast over the grid. */
    private static HostTensor anchorGrid(HostTensor anchors, int level, int na, double stride) {
        float[] a = anchors.floats();
        float[] g = new float[na * 2];
        for (int j = 0; j < na * 2; j++) {
            g[j] = a[level * na * 2 + j] * (float) stride;
        }
        return HostTensor.ofFloats(g, 1, na, 1, 1, 2);
    }

    // ---- parameter helpers ----

    private String param(String name, long[] shape, Parameter.Kind kind, WeightSource.Init init, long fanIn) {
        return param(name, shape, kind, init, fanIn, null);
    }

    private String param(String name, long[] shape, Parameter.Kind kind, WeightSource.Init init, long fanIn,
            HostTensor derived) {
        HostTensor t = weights.tensor(new WeightSource.Spec(name, shape, kind, init, fanIn, derived));
        params.put(name, new Parameter(name, t, kind));
        return name;
    }

    /**
     * Detect._initialize_biases: objectness prior log(8 / (640 / s)^2), class prior
     * log(0.6 / (nc - 0.99)), added to each anchor's bias when a model starts from scratch.
     */
    private static HostTensor detectBiasPrior(int na, int nc, double stride) {
        int no = nc + 5;
        float[] prior = new float[na * no];
        for (int a = 0; a < na; a++) {
            prior[a * no + 4] = (float) Math.log(8 / Math.pow(640 / stride, 2));
            for (int c = 0; c < nc; c++) {
                prior[a * no + 5 + c] = (float) Math.log(0.6 / (nc - 0.99));
            }
        }
        return HostTensor.ofFloats(prior, (long) na * no);
    }

    private String constant(String name, float value) {
        return constantTensor(name, HostTensor.ofFloats(new float[] {value}, 1));
    }

    private String constantTensor(String name, HostTensor t) {
        params.put(name, new Parameter(name, t, Parameter.Kind.CONSTANT));
        return name;
    }

    // ---- arithmetic as Ultralytics does it ----

    /** {@code math.ceil(x / 8) * 8}. */
    static long makeDivisible(double x) {
        return (long) Math.ceil(x / 8) * 8;
    }

    private static int intArg(List<Object> args, int i, YoloArchitecture.LayerSpec layer) {
        if (i >= args.size() || !(args.get(i) instanceof Number n)) {
            throw new ModelFormatException("layer " + layer.index() + " (" + layer.module() + "): argument " + i
                    + " must be an integer, got " + (i < args.size() ? args.get(i) : "nothing"));
        }
        return n.intValue();
    }

    private static List<Integer> intList(Object o, YoloArchitecture.LayerSpec layer) {
        if (!(o instanceof List<?> l)) {
            throw new ModelFormatException("layer " + layer.index() + ": expected a list of kernel sizes, got " + o);
        }
        List<Integer> out = new ArrayList<>();
        for (Object v : l) {
            out.add(((Number) v).intValue());
        }
        return out;
    }

    private static boolean truthy(Object o) {
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof Number n) {
            return n.doubleValue() != 0;
        }
        return !"False".equals(o);
    }
}
