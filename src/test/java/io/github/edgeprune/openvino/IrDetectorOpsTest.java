package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's translation of the detector ops (Clamp, Exp, SoftMax, Reduce*, MVN,
 * PriorBoxClustered, DetectionOutput, Gather of run-time data) on hand-written IRs: folding with
 * hand-worked values, the op emitted, a clear refusal naming the layer for what is not supported,
 * and {@link IrReader#readUpTo}.
 */
class IrDetectorOpsTest {

    @TempDir
    Path dir;

    /** A tiny IR: layers (their xml) and edges ("from:port-to:port"). */
    private Path ir(String name, String layers, String edges, byte[] bin) throws IOException {
        StringBuilder e = new StringBuilder();
        for (String edge : edges.split(",")) {
            String[] ft = edge.trim().split("-");
            String[] f = ft[0].split(":");
            String[] t = ft[1].split(":");
            e.append("<edge from-layer=\"").append(f[0]).append("\" from-port=\"").append(f[1]).append("\" to-layer=\"")
                    .append(t[0]).append("\" to-port=\"").append(t[1]).append("\"/>\n");
        }
        Path xml = dir.resolve(name + ".xml");
        Files.writeString(xml, "<?xml version=\"1.0\"?>\n<net name=\"" + name + "\" version=\"11\">\n<layers>\n" + layers
                + "</layers>\n<edges>\n" + e + "</edges>\n</net>\n");
        if (bin != null) {
            Files.write(dir.resolve(name + ".bin"), bin);
        }
        return xml;
    }

    private static String port(int id, long... dims) {
        StringBuilder b = new StringBuilder("<port id=\"" + id + "\" precision=\"FP32\">");
        for (long d : dims) {
            b.append("<dim>").append(d).append("</dim>");
        }
        return b.append("</port>").toString();
    }

    private static String param(int id, String name, long... dims) {
        StringBuilder shape = new StringBuilder();
        for (long d : dims) {
            shape.append(shape.length() > 0 ? "," : "").append(d);
        }
        return "<layer id=\"" + id + "\" name=\"" + name + "\" type=\"Parameter\" version=\"opset1\"><data shape=\"" + shape
                + "\" element_type=\"f32\"/><output>" + port(0, dims) + "</output></layer>\n";
    }

    /** A one-input, one-output layer of the given type and attributes on shape dims. */
    private static String unary(int id, String name, String type, String version, String attrs, long... dims) {
        return "<layer id=\"" + id + "\" name=\"" + name + "\" type=\"" + type + "\" version=\"" + version + "\"><data "
                + attrs + "/><input>" + port(0, dims) + "</input><output>" + port(1, dims) + "</output></layer>\n";
    }

    private static String result(int id, long... dims) {
        return "<layer id=\"" + id + "\" name=\"out\" type=\"Result\" version=\"opset1\"><input>" + port(0, dims)
                + "</input></layer>\n";
    }

    private Path clampExp(String clampAttrs) throws IOException {
        return ir("clamp", param(0, "x", 4) + unary(1, "c", "Clamp", "opset1", clampAttrs, 4)
                + unary(2, "e", "Exp", "opset1", "", 4) + unary(3, "nz", "NonZero", "opset3", "output_type=\"i64\"", 4)
                + result(4, 4), "0:0-1:0,1:1-2:0,2:1-3:0,3:1-4:0", null);
    }

    @Test
    void clampAndExpBecomeOpsAndReadUpToStopsBeforeWhatIsNotSupported() throws IOException {
        Path xml = clampExp("min=\"0\" max=\"6\"");
        IrFormatException refused = assertThrows(IrFormatException.class, () -> IrReader.read(xml));
        assertEquals("clamp.xml: layer 3 'nz' of type NonZero (opset3) is not supported", refused.getMessage());
        Graph g = IrReader.readUpTo(xml, List.of("e", "c"));
        assertEquals(List.of("e", "c"), g.outputs());
        assertEquals(List.of(new Op.Clamp(0, 6), new Op.Exp()), g.nodes().stream().map(n -> n.op()).toList());
        // inputs 1 (runOnce fills the input with ones): clamp 1, exp e
        assertArrayEquals(new float[] {(float) Math.E, (float) Math.E, (float) Math.E, (float) Math.E},
                IrConformanceTest.runOnce(g).get("e"), 1e-6f);
        IrFormatException unknown = assertThrows(IrFormatException.class, () -> IrReader.readUpTo(xml, List.of("nope")));
        assertEquals("clamp.xml: no layer or tensor named 'nope' to read up to", unknown.getMessage());
    }

    @Test
    void badClampAttributesNameTheLayer() throws IOException {
        IrFormatException e = assertThrows(IrFormatException.class,
                () -> IrReader.readUpTo(clampExp("min=\"zero\" max=\"6\""), List.of("c")));
        assertEquals("clamp.xml: layer 1 'c' (Clamp): attribute min=\"zero\" is not a number", e.getMessage());
        e = assertThrows(IrFormatException.class, () -> IrReader.readUpTo(clampExp("min=\"7\" max=\"6\""), List.of("c")));
        assertEquals("clamp.xml: layer 1 'c' (Clamp): min 7.0 is above max 6.0", e.getMessage());
        e = assertThrows(IrFormatException.class, () -> IrReader.readUpTo(clampExp("max=\"6\""), List.of("c")));
        assertEquals("clamp.xml: layer 1 'c' (Clamp): attribute 'min' is missing", e.getMessage());
    }

    private static byte[] i64s(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    private static String constant(int id, String name, long offset, long n) {
        return "<layer id=\"" + id + "\" name=\"" + name + "\" type=\"Const\" version=\"opset1\"><data element_type=\"i64\""
                + " shape=\"" + n + "\" offset=\"" + offset + "\" size=\"" + 8 * n + "\"/><output><port id=\"0\" precision=\"I64\">"
                + "<dim>" + n + "</dim></port></output></layer>\n";
    }

    /** PriorBoxClustered of a 2x2 map on an 8x8 image (consts), added to an input so the model output is not a constant. */
    private Path priors(String attrs) throws IOException {
        String pbc = "<layer id=\"3\" name=\"pbc\" type=\"PriorBoxClustered\" version=\"opset1\"><data " + attrs
                + "/><input><port id=\"0\"><dim>2</dim></port><port id=\"1\"><dim>2</dim></port></input><output>"
                + port(2, 2, 16) + "</output></layer>\n";
        String add = "<layer id=\"4\" name=\"sum\" type=\"Add\" version=\"opset1\"><input>" + port(0, 2, 16) + port(1, 2, 16)
                + "</input><output>" + port(2, 2, 16) + "</output></layer>\n";
        return ir("pbc", param(0, "x", 2, 16) + constant(1, "map", 0, 2) + constant(2, "img", 16, 2) + pbc + add
                + result(5, 2, 16), "1:0-3:0,2:0-3:1,0:0-4:0,3:2-4:1,4:2-5:0", i64s(2, 2, 8, 8));
    }

    @Test
    void priorBoxClusteredIsFoldedToItsBoxesAndVariances() throws IOException {
        // cells (h, w) of a 2x2 map at step 4 on 8x8: centres (2, 2), (6, 2), (2, 6), (6, 6); a 2 x 4 prior spans
        // ±1 in x and ±2 in y around it, divided by 8
        Graph g = IrReader.read(priors("width=\"2\" height=\"4\" offset=\"0.5\" step=\"4\" clip=\"false\""
                + " variance=\"0.1,0.1,0.2,0.2\""));
        float[] boxes = {0.125f, 0, 0.375f, 0.5f, 0.625f, 0, 0.875f, 0.5f, 0.125f, 0.5f, 0.375f, 1, 0.625f, 0.5f, 0.875f, 1};
        float[] variances = {0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f};
        float[] expected = new float[32];
        for (int i = 0; i < 16; i++) {
            expected[i] = boxes[i] + 1; // runOnce feeds ones
            expected[16 + i] = variances[i] + 1;
        }
        assertArrayEquals(expected, IrConformanceTest.runOnce(g).get("sum"), 1e-6f);
        // no step: image / map = 4 again; a 6-wide prior sticks out on the left and right, clip cuts it at 0 and 1
        Graph clipped = IrReader.read(priors("width=\"6\" height=\"4\" offset=\"0.5\" clip=\"true\" variance=\"0.1\""));
        float[] y = IrConformanceTest.runOnce(clipped).get("sum");
        assertArrayEquals(new float[] {1, 1, 1.625f, 1.5f, 1.375f, 1, 2, 1.5f}, java.util.Arrays.copyOf(y, 8), 1e-6f);
        assertEquals(1.1f, y[31], 1e-6f);
        IrFormatException e = assertThrows(IrFormatException.class,
                () -> IrReader.read(priors("width=\"2,3\" height=\"4\" offset=\"0.5\"")));
        assertEquals("pbc.xml: layer 3 'pbc' (PriorBoxClustered): 2 widths but 1 heights", e.getMessage());
    }

    private Path detectionOutput(String attrs) throws IOException {
        String d = "<layer id=\"3\" name=\"det\" type=\"DetectionOutput\" version=\"opset8\"><data " + attrs
                + "/><input>" + port(0, 1, 8) + port(1, 1, 6) + port(2, 1, 2, 8) + "</input><output>" + port(3, 1, 1, 4, 7)
                + "</output></layer>\n";
        return ir("det", param(0, "loc", 1, 8) + param(1, "conf", 1, 6) + param(2, "priors", 1, 2, 8) + d + result(4, 1, 1, 4, 7),
                "0:0-3:0,1:0-3:1,2:0-3:2,3:3-4:0", null);
    }

    @Test
    void detectionOutputAttributesAreReadOrRefusedNamingTheLayer() throws IOException {
        Graph g = IrReader.read(detectionOutput("background_label_id=\"0\" keep_top_k=\"4\" top_k=\"10\" nms_threshold=\"0.45\""
                + " confidence_threshold=\"0.01\" code_type=\"caffe.PriorBoxParameter.CENTER_SIZE\" clip_after_nms=\"true\""));
        assertEquals(new Op.DetectionOutput(0, 10, 4, 0.01, 0.45, true, false, true, false, true),
                g.nodes().get(0).op());
        String base = " keep_top_k=\"4\" nms_threshold=\"0.45\"";
        IrFormatException e = assertThrows(IrFormatException.class,
                () -> IrReader.read(detectionOutput("decrease_label_id=\"true\"" + base)));
        assertEquals("det.xml: layer 3 'det' (DetectionOutput): decrease_label_id=\"true\" is not supported", e.getMessage());
        e = assertThrows(IrFormatException.class,
                () -> IrReader.read(detectionOutput("code_type=\"caffe.PriorBoxParameter.CORNER_SIZE\"" + base)));
        assertEquals("det.xml: layer 3 'det' (DetectionOutput): code_type=\"caffe.PriorBoxParameter.CORNER_SIZE\" is not"
                + " supported (only caffe.priorboxparameter.center_size, caffe.priorboxparameter.corner)", e.getMessage());
        e = assertThrows(IrFormatException.class, () -> IrReader.read(detectionOutput("keep_top_k=\"-1\" nms_threshold=\"0.4\"")));
        assertEquals("det.xml: layer 3 'det' (DetectionOutput): keep_top_k=\"-1\" is not supported (only one positive value)",
                e.getMessage());
    }

    @Test
    void mvnSoftMaxAndReduceOnRunTimeData() throws IOException {
        String axes = "<layer id=\"1\" name=\"axes\" type=\"Const\" version=\"opset1\"><data element_type=\"i64\" shape=\"1\""
                + " offset=\"0\" size=\"8\"/><output><port id=\"0\" precision=\"I64\"><dim>1</dim></port></output></layer>\n";
        String mvn = "<layer id=\"2\" name=\"mvn\" type=\"MVN\" version=\"opset6\"><data eps=\"1e-5\" eps_mode=\"%s\""
                + " normalize_variance=\"true\"/><input>" + port(0, 2, 3) + "<port id=\"1\"><dim>1</dim></port></input><output>"
                + port(2, 2, 3) + "</output></layer>\n";
        String sm = unary(3, "sm", "SoftMax", "opset8", "axis=\"-1\"", 2, 3);
        String rmax = "<layer id=\"4\" name=\"rmax\" type=\"ReduceMax\" version=\"opset1\"><data keep_dims=\"false\"/><input>"
                + port(0, 2, 3) + "<port id=\"1\"><dim>1</dim></port></input><output>" + port(2, 2) + "</output></layer>\n";
        String edges = "0:0-2:0,1:0-2:1,2:2-3:0,3:1-4:0,1:0-4:1,4:2-5:0";
        Graph g = IrReader.read(ir("mvn", param(0, "x", 2, 3) + axes + String.format(mvn, "inside_sqrt") + sm + rmax + result(5, 2),
                edges, i64s(-1)));
        assertEquals(List.of("MVN", "Softmax", "ReduceMax"), g.nodes().stream().map(n -> n.op().type()).toList());
        Op.Mvn m = (Op.Mvn) g.nodes().get(0).op();
        assertArrayEquals(new int[] {1}, m.axes()); // -1 normalised
        assertEquals(1e-5, m.eps());
        assertEquals(new Op.Softmax(1), g.nodes().get(1).op());
        assertArrayEquals(new int[] {1}, ((Op.Reduce) g.nodes().get(2).op()).axes());
        // ones: MVN gives zeros, softmax a third each, the max a third
        assertArrayEquals(new float[] {1 / 3f, 1 / 3f}, IrConformanceTest.runOnce(g).get("rmax"), 1e-6f);
        IrFormatException e = assertThrows(IrFormatException.class, () -> IrReader.read(ir("mvn2", param(0, "x", 2, 3) + axes
                + String.format(mvn, "both") + sm + rmax + result(5, 2), edges, i64s(-1))));
        assertEquals("mvn2.xml: layer 2 'mvn' (MVN): eps_mode=\"both\" is not supported (only inside_sqrt, outside_sqrt)",
                e.getMessage());
    }
}
