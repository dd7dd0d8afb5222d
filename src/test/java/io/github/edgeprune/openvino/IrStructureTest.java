package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.util.Log;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks the XML we write and checks it against the OpenVINO opset specification (the table below),
 * the IR rules (edges, ports, .bin layout) and against what Intel's own tools wrote for the same
 * constructs in the two yolov5n IRs.
 */
class IrStructureTest {

    /** Attributes, input and output port counts of each op as its opset specification defines them. */
    record Spec(Set<String> attributes, int minInputs, int maxInputs, int minOutputs, int maxOutputs) {
    }

    static final int MANY = Integer.MAX_VALUE;
    static final Set<String> WINDOW = Set.of("strides", "dilations", "pads_begin", "pads_end", "auto_pad");

    /** From the opset specifications: Parameter-1, Const (Constant-1), Convert-1, Convolution-1, … */
    static final Map<String, Spec> SPEC = Map.ofEntries(
            Map.entry("Parameter/opset1", new Spec(Set.of("shape", "element_type"), 0, 0, 1, 1)),
            Map.entry("Const/opset1", new Spec(Set.of("element_type", "shape", "offset", "size"), 0, 0, 1, 1)),
            Map.entry("Convert/opset1", new Spec(Set.of("destination_type"), 1, 1, 1, 1)),
            Map.entry("Convolution/opset1", new Spec(WINDOW, 2, 2, 1, 1)),
            Map.entry("GroupConvolution/opset1", new Spec(WINDOW, 2, 2, 1, 1)),
            Map.entry("Add/opset1", new Spec(Set.of("auto_broadcast"), 2, 2, 1, 1)),
            Map.entry("Subtract/opset1", new Spec(Set.of("auto_broadcast"), 2, 2, 1, 1)),
            Map.entry("Multiply/opset1", new Spec(Set.of("auto_broadcast"), 2, 2, 1, 1)),
            Map.entry("Divide/opset1", new Spec(Set.of("auto_broadcast", "m_pythondiv"), 2, 2, 1, 1)),
            Map.entry("Power/opset1", new Spec(Set.of("auto_broadcast"), 2, 2, 1, 1)),
            Map.entry("Swish/opset4", new Spec(Set.of(), 1, 2, 1, 1)),
            Map.entry("Sigmoid/opset1", new Spec(Set.of(), 1, 1, 1, 1)),
            Map.entry("ReLU/opset1", new Spec(Set.of(), 1, 1, 1, 1)),
            Map.entry("Concat/opset1", new Spec(Set.of("axis"), 1, MANY, 1, 1)),
            Map.entry("MaxPool/opset8", new Spec(Set.of("strides", "dilations", "pads_begin", "pads_end", "kernel",
                    "rounding_type", "auto_pad", "index_element_type", "axis"), 1, 1, 2, 2)),
            Map.entry("Interpolate/opset4", new Spec(Set.of("mode", "shape_calculation_mode",
                    "coordinate_transformation_mode", "nearest_mode", "antialias", "pads_begin", "pads_end", "cube_coeff"),
                    3, 4, 1, 1)),
            Map.entry("Reshape/opset1", new Spec(Set.of("special_zero"), 2, 2, 1, 1)),
            Map.entry("Transpose/opset1", new Spec(Set.of(), 2, 2, 1, 1)),
            Map.entry("Slice/opset8", new Spec(Set.of(), 4, 5, 1, 1)),
            Map.entry("VariadicSplit/opset1", new Spec(Set.of(), 3, 3, 1, MANY)),
            Map.entry("Result/opset1", new Spec(Set.of(), 1, 1, 0, 0)));

    /** Constructs that both our yolov5n IR and Intel's contain: names, versions and attributes must agree. */
    static final List<String> SHARED = List.of("Parameter", "Const", "Convert", "Convolution", "Add", "Swish", "MaxPool",
            "Concat", "Interpolate", "Reshape", "Transpose", "Sigmoid", "VariadicSplit", "Multiply", "Power", "Result");

    static IrXmlModel fp16;
    static IrXmlModel fp32;
    static byte[] bin16;
    static byte[] bin32;

    @BeforeAll
    static void export(@TempDir Path dir) throws Exception {
        Graph g = IrTestSupport.yolov5n(320, 21);
        OpenVinoExporter ex = new OpenVinoExporter(Log.silent());
        OpenVinoExporter.Result r16 = ex.export(g, dir.resolve("fp16"), "yolov5n", IrPrecision.FP16);
        OpenVinoExporter.Result r32 = ex.export(g, dir.resolve("fp32"), "yolov5n", IrPrecision.FP32);
        fp16 = IrXmlModel.parse(r16.xml());
        fp32 = IrXmlModel.parse(r32.xml());
        bin16 = Files.readAllBytes(r16.bin());
        bin32 = Files.readAllBytes(r32.bin());
    }

    @Test
    void layersFollowTheOpsetSpecification() {
        for (IrXmlModel m : List.of(fp16, fp32)) {
            assertEquals("11", m.version());
            for (IrXmlModel.Layer l : m.layers()) {
                Spec s = SPEC.get(l.key());
                assertNotNull(s, "layer " + l.id() + " '" + l.name() + "' has type/version " + l.key()
                        + ", which is not in the table");
                assertEquals(s.attributes(), l.data().keySet(), "attributes of " + l.key() + " layer '" + l.name() + "'");
                assertTrue(l.inputs().size() >= s.minInputs() && l.inputs().size() <= s.maxInputs(),
                        l.key() + " '" + l.name() + "' has " + l.inputs().size() + " inputs");
                assertTrue(l.outputs().size() >= s.minOutputs() && l.outputs().size() <= s.maxOutputs(),
                        l.key() + " '" + l.name() + "' has " + l.outputs().size() + " outputs");
                // ports: inputs numbered 0.., outputs after them; every dim static
                for (int i = 0; i < l.inputs().size(); i++) {
                    assertEquals(i, l.inputs().get(i).id(), "input port ids of '" + l.name() + "'");
                }
                for (int i = 0; i < l.outputs().size(); i++) {
                    assertEquals(l.inputs().size() + i, l.outputs().get(i).id(), "output port ids of '" + l.name() + "'");
                }
                for (IrXmlModel.Port p : concat(l.inputs(), l.outputs())) {
                    assertTrue(Set.of("FP32", "FP16", "I64").contains(p.precision()), "precision " + p.precision());
                    for (long d : p.dims()) {
                        assertTrue(d >= 1, "dynamic or empty dim in '" + l.name() + "'");
                    }
                }
                checkAttributeValues(l);
            }
            // layer ids 0..n-1, unique names
            Set<String> names = new HashSet<>();
            for (int i = 0; i < m.layers().size(); i++) {
                assertEquals(i, m.layers().get(i).id());
                assertTrue(names.add(m.layers().get(i).name()), "duplicate layer name " + m.layers().get(i).name());
            }
        }
        IrXmlModel.Layer images = fp16.byName("images");
        assertEquals("1,3,320,320", images.data().get("shape"));
        assertEquals("f32", images.data().get("element_type"));
        assertEquals("images", images.outputs().get(0).names());
        IrXmlModel.Layer out = fp16.producer(fp16.byName("output0/sink_port_0"), 0);
        assertEquals("output0", out.name());
        assertArrayEquals(new long[] {1, 6300, 85}, out.outputs().get(0).dims());
    }

    private static void checkAttributeValues(IrXmlModel.Layer l) {
        Map<String, String> d = l.data();
        switch (l.type()) {
            case "Convolution" -> assertEquals("explicit", d.get("auto_pad"));
            case "Add", "Multiply", "Power", "Subtract", "Divide" -> assertEquals("numpy", d.get("auto_broadcast"));
            case "MaxPool" -> {
                assertEquals("floor", d.get("rounding_type"));
                assertEquals("explicit", d.get("auto_pad"));
                assertEquals("i64", d.get("index_element_type"));
                assertEquals("FP32", l.outputs().get(0).precision());
                assertEquals("I64", l.outputs().get(1).precision());
            }
            case "Interpolate" -> {
                assertEquals("nearest", d.get("mode"));
                assertEquals("scales", d.get("shape_calculation_mode"));
                assertEquals("asymmetric", d.get("coordinate_transformation_mode"));
                assertEquals("floor", d.get("nearest_mode"));
            }
            case "Reshape" -> assertEquals("true", d.get("special_zero"));
            case "Convert" -> assertEquals("f32", d.get("destination_type"));
            default -> {
            }
        }
    }

    @Test
    void edgesJoinExistingPortsAndFeedEveryInputOnce() {
        for (IrXmlModel m : List.of(fp16, fp32)) {
            Map<String, Integer> fed = new HashMap<>();
            for (IrXmlModel.Edge e : m.edges()) {
                IrXmlModel.Layer from = m.layer(e.fromLayer());
                IrXmlModel.Layer to = m.layer(e.toLayer());
                assertNotNull(from, "edge from missing layer " + e.fromLayer());
                assertNotNull(to, "edge to missing layer " + e.toLayer());
                IrXmlModel.Port op = from.output(e.fromPort());
                IrXmlModel.Port ip = to.input(e.toPort());
                assertNotNull(op, "edge from missing output port " + e);
                assertNotNull(ip, "edge to missing input port " + e);
                assertEquals(op.precision(), ip.precision(), "precision across " + e);
                assertArrayEquals(op.dims(), ip.dims(), "dims across " + e);
                assertTrue(e.fromLayer() < e.toLayer(), "layers are in topological order: " + e);
                fed.merge(e.toLayer() + ":" + e.toPort(), 1, Integer::sum);
            }
            for (IrXmlModel.Layer l : m.layers()) {
                for (IrXmlModel.Port p : l.inputs()) {
                    assertEquals(1, fed.getOrDefault(l.id() + ":" + p.id(), 0),
                            "input port " + p.id() + " of '" + l.name() + "' must have exactly one edge");
                }
            }
        }
    }

    @Test
    void constantsAreAlignedInRangeAndDisjoint() {
        for (Object[] c : new Object[][] {{fp16, bin16}, {fp32, bin32}}) {
            IrXmlModel m = (IrXmlModel) c[0];
            byte[] bin = (byte[]) c[1];
            List<long[]> ranges = new ArrayList<>();
            for (IrXmlModel.Layer l : m.layers()) {
                if (!l.type().equals("Const")) {
                    continue;
                }
                long offset = Long.parseLong(l.data().get("offset"));
                long size = Long.parseLong(l.data().get("size"));
                long elements = 1;
                String shape = l.data().get("shape");
                if (!shape.isEmpty()) {
                    for (String s : shape.split(",")) {
                        elements *= Long.parseLong(s.trim());
                    }
                }
                int bytes = switch (l.data().get("element_type")) {
                    case "f16" -> 2;
                    case "f32" -> 4;
                    case "i64" -> 8;
                    default -> throw new AssertionError("element type " + l.data().get("element_type"));
                };
                assertEquals(elements * bytes, size, "size of '" + l.name() + "'");
                assertEquals(0, offset % IrWriter.ALIGNMENT, "offset of '" + l.name() + "' is 64-byte aligned");
                assertTrue(offset + size <= bin.length, "'" + l.name() + "' ends inside the .bin");
                ranges.add(new long[] {offset, offset + size});
            }
            ranges.sort(Comparator.comparingLong(r -> r[0]));
            long end = 0;
            for (long[] r : ranges) {
                assertTrue(r[0] >= end, "constants overlap at " + r[0]);
                for (long i = end; i < r[0]; i++) {
                    assertEquals(0, bin[(int) i], "padding byte " + i + " is zero");
                }
                end = r[1];
            }
            assertEquals(bin.length, end, "the .bin ends with the last constant");
        }
    }

    @Test
    void fp16ConstantsAreDecompressedAndShapeConstantsStayI64() {
        int compressed = 0;
        for (IrXmlModel.Layer l : fp16.layers()) {
            if (l.type().equals("Const") && l.data().get("element_type").equals("f16")) {
                compressed++;
                assertTrue(l.name().endsWith("_compressed"), l.name());
                for (IrXmlModel.Layer u : fp16.consumers(l)) {
                    assertEquals("Convert", u.type(), "an f16 constant feeds only its Convert");
                    assertEquals(List.of("decompression"), u.rtAttributes(), "Convert '" + u.name() + "' is marked");
                    assertEquals(l.name(), u.name() + "_compressed");
                }
            }
            if (l.type().equals("Convert")) {
                assertEquals("FP16", l.inputs().get(0).precision());
            }
        }
        assertTrue(compressed > 100, "weights are compressed: " + compressed);
        assertTrue(fp32.layers().stream().noneMatch(l -> l.type().equals("Convert")));
        for (IrXmlModel m : List.of(fp16, fp32)) {
            for (IrXmlModel.Layer l : m.layers()) {
                List<Integer> shapePorts = switch (l.type()) {
                    case "Reshape", "Transpose" -> List.of(1);
                    case "VariadicSplit" -> List.of(1, 2);
                    case "Interpolate" -> List.of(1);
                    case "Slice" -> List.of(1, 2, 3, 4);
                    default -> List.of();
                };
                for (int p : shapePorts) {
                    IrXmlModel.Layer c = m.producer(l, p);
                    assertEquals("Const", c.type(), "port " + p + " of '" + l.name() + "' comes from a Const");
                    assertEquals("i64", c.data().get("element_type"), "port " + p + " of '" + l.name() + "'");
                }
                if (l.type().equals("Interpolate")) {
                    IrXmlModel.Layer scales = m.producer(l, 2);
                    assertEquals("f32", scales.data().get("element_type"), "Interpolate scales are never compressed");
                    ByteBuffer b = ByteBuffer.wrap(m == fp16 ? bin16 : bin32).order(ByteOrder.LITTLE_ENDIAN);
                    int off = Integer.parseInt(scales.data().get("offset"));
                    assertEquals(List.of(1f, 1f, 2f, 2f), List.of(b.getFloat(off), b.getFloat(off + 4), b.getFloat(off + 8),
                            b.getFloat(off + 12)));
                }
            }
        }
        // every convolution's bias is a separate Add with a [1, C, 1, 1] constant, as OpenVINO writes it
        for (IrXmlModel.Layer conv : fp16.layers().stream().filter(l -> l.type().equals("Convolution")).toList()) {
            List<IrXmlModel.Layer> users = fp16.consumers(conv);
            assertEquals(1, users.size());
            IrXmlModel.Layer add = users.get(0);
            assertEquals("Add", add.type(), "bias of '" + conv.name() + "'");
            long c = conv.outputs().get(0).dims()[1];
            assertArrayEquals(new long[] {1, c, 1, 1}, add.inputs().get(1).dims());
        }
    }

    @Test
    void typesVersionsAndAttributesMatchIntelsIrs() throws Exception {
        Map<String, Set<String>> intel = new TreeMap<>(); // type → {"version attrs"}
        Map<String, Set<String>> intelPorts = new TreeMap<>(); // type → {"in/out"}
        for (Path p : List.of(IrTestSupport.intel640(), IrTestSupport.intel416())) {
            for (IrXmlModel.Layer l : IrXmlModel.parse(p).layers()) {
                intel.computeIfAbsent(l.type(), k -> new TreeSet<>()).add(l.version() + " " + new TreeSet<>(l.data().keySet()));
                intelPorts.computeIfAbsent(l.type(), k -> new TreeSet<>()).add(l.inputs().size() + "/" + l.outputs().size());
            }
        }
        Set<String> ours = new TreeSet<>();
        for (IrXmlModel.Layer l : fp16.layers()) {
            ours.add(l.type());
            Set<String> theirs = intel.get(l.type());
            if (theirs == null) {
                continue; // a construct Intel's yolov5n does not have
            }
            String mine = l.version() + " " + new TreeSet<>(l.data().keySet());
            assertTrue(theirs.contains(mine), l.type() + ": ours " + mine + ", Intel's " + theirs);
            String ports = l.inputs().size() + "/" + l.outputs().size();
            if (!l.type().equals("Concat")) {
                assertTrue(intelPorts.get(l.type()).contains(ports), l.type() + " ports " + ports + ", Intel's "
                        + intelPorts.get(l.type()));
            }
        }
        for (String t : SHARED) {
            assertTrue(ours.contains(t), "our IR has a " + t);
            assertTrue(intel.containsKey(t), "Intel's IR has a " + t);
        }
        // the decompression attribute is where Intel's converters put it
        IrXmlModel intelModel = IrXmlModel.parse(IrTestSupport.intel416());
        IrXmlModel.Layer theirs = intelModel.byName("model.0.conv.weight");
        IrXmlModel.Layer mine = fp16.byName("model.0.conv.weight");
        assertEquals(theirs.type(), mine.type());
        assertEquals(theirs.rtAttributes(), mine.rtAttributes());
        assertEquals(theirs.data(), mine.data());
        assertEquals(intelModel.byName("model.0.conv.weight_compressed").data().get("shape"),
                fp16.byName("model.0.conv.weight_compressed").data().get("shape"));
    }

    @Test
    void modelRtInfoCarriesNamesStrideAndSize() {
        org.w3c.dom.Element rt = IrXmlModel.kid(fp16.root(), "rt_info");
        assertNotNull(rt);
        org.w3c.dom.Element fw = IrXmlModel.kid(rt, "framework");
        assertTrue(IrXmlModel.kid(fw, "names").getAttribute("value").startsWith("{0: 'class 0', 1: 'class 1', "));
        assertEquals("32", IrXmlModel.kid(fw, "stride").getAttribute("value"));
        org.w3c.dom.Element own = IrXmlModel.kid(rt, "edgeprune");
        assertEquals("320,320", IrXmlModel.kid(own, "imgsz").getAttribute("value"));
        assertEquals("8,16,32", IrXmlModel.kid(own, "stride").getAttribute("value"));
        assertEquals("FP16", IrXmlModel.kid(own, "precision").getAttribute("value"));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
