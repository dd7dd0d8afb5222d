package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.graph.Graph;
import io.github.edgeprune.graph.GraphInput;
import io.github.edgeprune.graph.Node;
import io.github.edgeprune.graph.Op;
import io.github.edgeprune.graph.Parameter;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The exporter: outputs, metadata files, atomicity on failure, and the up-to-date check. */
class OpenVinoExporterTest {

    /** A log that keeps what it was told. */
    static final class Recorder implements Log {
        final List<String> lines = new ArrayList<>();

        @Override
        public void info(String message) {
            lines.add(message);
        }

        @Override
        public void warn(String message) {
            lines.add("WARN " + message);
        }
    }

    /** images [1,3,8,8] → conv 3→4 (3x3, pad 1, bias) → SiLU → upsample ×2 → output. */
    static Graph tiny(Map<String, Parameter> override) {
        Map<String, Parameter> p = new LinkedHashMap<>();
        float[] w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7 - 3) / 10f;
        }
        p.put("conv.weight", new Parameter("conv.weight", HostTensor.ofFloats(w, 4, 3, 3, 3), Parameter.Kind.WEIGHT));
        p.put("conv.bias", new Parameter("conv.bias", HostTensor.ofFloats(new float[] {0.1f, -0.2f, 0.3f, 0}, 4),
                Parameter.Kind.WEIGHT));
        p.putAll(override);
        List<Node> nodes = List.of(
                new Node("conv", Op.Conv2d.symmetric(3, 1, 1, 1), List.of("images", "conv.weight", "conv.bias"), "conv"),
                new Node("act", new Op.Silu(), List.of("conv"), "act"),
                new Node("up", new Op.ResizeNearest(2, 2), List.of("act"), "output0"));
        return new Graph("tiny", List.of(new GraphInput("images", new long[] {-1, 3, 8, 8})), List.of("output0"), nodes, p,
                Map.of("names", "[\"a\",\"b: c\",\"it's\"]", "stride", "8", "pruning.method", "l1_unstructured",
                        "pruning.conv_sparsity", "0.2"));
    }

    static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesXmlBinAndMetadataFiles(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        OpenVinoExporter.Result r = new OpenVinoExporter(Log.silent()).export(tiny(Map.of()), out, "tiny", IrPrecision.FP16);
        assertEquals(List.of("metadata.yaml", "tiny.bin", "tiny.xml", "tiny.yaml"), listing(out));
        assertEquals(Files.size(r.xml()), r.xmlBytes());
        assertEquals(Files.size(r.bin()), r.binBytes());
        assertEquals(108, r.convWeights());
        assertEquals(0, r.zeroConvWeights() - 15); // (i % 7 - 3) is 0 for 15 of the 108 entries
        assertFalse(r.skipped());
        Map<String, Object> meta = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(r.metadataYaml()));
        assertEquals(Map.of(0, "a", 1, "b: c", 2, "it's"), meta.get("names"));
        assertEquals(8, meta.get("stride"));
        assertEquals(List.of(8, 8), meta.get("imgsz"));
        assertEquals("detect", meta.get("task"));
        assertEquals(Map.of("method", "l1_unstructured", "conv_sparsity", "0.2"), meta.get("pruning"));
        assertEquals(Files.readString(r.metadataYaml()), Files.readString(out.resolve("tiny.yaml")));
        // the IR reads back with the same metadata and computes the same thing
        Graph back = IrReader.read(r.xml());
        assertEquals("[\"a\",\"b: c\",\"it's\"]", back.metadata().get("names"));
        assertEquals("l1_unstructured", back.metadata().get("pruning.method"));
        assertEquals("0.2", back.metadata().get("pruning.conv_sparsity"));
        assertEquals("8", back.metadata().get("stride"));
        float[] image = IrTestSupport.randomImage(8, 1);
        float[] a = IrTestSupport.run(IrTestSupport.roundedToHalf(tiny(Map.of())), image, 8, 8);
        float[] b = IrTestSupport.run(back, image, 8, 8);
        assertArrayEquals(a, b, 1e-6f);
    }

    @Test
    void aMissingTensorFailsNamingTheNodeAndWritesNothing(@TempDir Path dir) throws Exception {
        Graph g = tiny(Map.of("conv.bias", new Parameter("conv.bias", null, Parameter.Kind.WEIGHT)));
        Path out = dir.resolve("out");
        IrExportException e = assertThrows(IrExportException.class,
                () -> new OpenVinoExporter(Log.silent()).export(g, out, "tiny", IrPrecision.FP16));
        assertEquals("node 'conv' (Conv2d) reads parameter 'conv.bias', which has no tensor", e.getMessage());
        assertEquals(List.of(), listing(out));
    }

    @Test
    void aShapeMismatchFailsNamingTheNodeAndWritesNothing(@TempDir Path dir) throws Exception {
        Graph g = tiny(Map.of("conv.weight", new Parameter("conv.weight", HostTensor.zeros(4, 2, 3, 3), Parameter.Kind.WEIGHT)));
        Path out = dir.resolve("out");
        IrExportException e = assertThrows(IrExportException.class,
                () -> new OpenVinoExporter(Log.silent()).export(g, out, "tiny", IrPrecision.FP32));
        assertTrue(e.getMessage().contains("node 'conv' (Conv2d)"), e.getMessage());
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
        assertEquals(List.of(), listing(out));
    }

    /** Every op type has an IR form; what the IR cannot express is an op instance, e.g. upsampling by 0. */
    @Test
    void anOpTheWriterCannotExpressFailsAndLeavesEarlierOutputsAlone(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        OpenVinoExporter ex = new OpenVinoExporter(Log.silent());
        ex.export(tiny(Map.of()), out, "tiny", IrPrecision.FP16);
        byte[] xmlBefore = Files.readAllBytes(out.resolve("tiny.xml"));
        byte[] binBefore = Files.readAllBytes(out.resolve("tiny.bin"));
        Graph g = tiny(Map.of());
        List<Node> nodes = new ArrayList<>(g.nodes());
        nodes.set(2, new Node("up", new Op.ResizeNearest(0, 2), List.of("act"), "output0"));
        Graph bad = new Graph("tiny", g.inputs(), g.outputs(), nodes, g.parameters(), g.metadata());
        IrExportException e = assertThrows(IrExportException.class, () -> ex.export(bad, out, "tiny", IrPrecision.FP16));
        assertTrue(e.getMessage().startsWith("node 'up' (Upsample): "), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be expressed as Interpolate"), e.getMessage());
        assertEquals(List.of("metadata.yaml", "tiny.bin", "tiny.xml", "tiny.yaml"), listing(out), "no staging left");
        assertArrayEquals(xmlBefore, Files.readAllBytes(out.resolve("tiny.xml")));
        assertArrayEquals(binBefore, Files.readAllBytes(out.resolve("tiny.bin")));
    }

    @Test
    void classNamesMustMatchNc(@TempDir Path dir) throws Exception {
        Graph g = tiny(Map.of());
        Map<String, String> meta = new LinkedHashMap<>(g.metadata());
        meta.put("nc", "80");
        IrExportException e = assertThrows(IrExportException.class, () -> new OpenVinoExporter(Log.silent())
                .export(g.withMetadata(meta), dir.resolve("o"), "tiny", IrPrecision.FP16));
        assertEquals("metadata has 3 class names for nc=80", e.getMessage());
        assertEquals(List.of(), listing(dir.resolve("o")));
    }

    @Test
    void nanWeightsAreRefused(@TempDir Path dir) throws Exception {
        float[] w = new float[108];
        w[5] = Float.NaN;
        Graph g = tiny(Map.of("conv.weight", new Parameter("conv.weight", HostTensor.ofFloats(w, 4, 3, 3, 3),
                Parameter.Kind.WEIGHT)));
        IrExportException e = assertThrows(IrExportException.class,
                () -> new OpenVinoExporter(Log.silent()).export(g, dir.resolve("o"), "tiny", IrPrecision.FP16));
        assertTrue(e.getMessage().contains("'conv.weight'"), e.getMessage());
        assertEquals(List.of(), listing(dir.resolve("o")));
    }

    @Test
    void valuesBeyondTheHalfRangeStayFp32(@TempDir Path dir) throws Exception {
        float[] w = new float[108];
        w[0] = 1e6f;
        Graph g = tiny(Map.of("conv.weight", new Parameter("conv.weight", HostTensor.ofFloats(w, 4, 3, 3, 3),
                Parameter.Kind.WEIGHT)));
        Recorder log = new Recorder();
        OpenVinoExporter.Result r = new OpenVinoExporter(log).export(g, dir, "tiny", IrPrecision.FP16);
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("WARN parameter 'conv.weight' holds values beyond")),
                log.lines.toString());
        IrXmlModel x = IrXmlModel.parse(r.xml());
        assertEquals("f32", x.byName("conv.weight").data().get("element_type"));
        assertEquals("f16", x.byName("conv.bias_compressed").data().get("element_type"));
        assertEquals(1e6f, IrReader.read(r.xml()).parameter("conv.weight").tensor().floats()[0]);
    }

    @Test
    void upToDateExportIsSkippedAndAChangeReexports(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.pt");
        Files.write(model, new byte[] {1, 2, 3, 4});
        Path out = dir.resolve("ir");
        AtomicInteger built = new AtomicInteger();
        Supplier<Graph> graph = () -> {
            built.incrementAndGet();
            return tiny(Map.of());
        };
        Recorder log = new Recorder();
        OpenVinoExporter ex = new OpenVinoExporter(log);
        OpenVinoExporter.Request req = new OpenVinoExporter.Request(out, "tiny", IrPrecision.FP16, List.of(model),
                Map.of("imgsz", "8", "convSparsity", "0.2"), "0.1.0-TEST");

        OpenVinoExporter.Result first = ex.export(graph, req);
        assertFalse(first.skipped());
        assertEquals(1, built.get());
        assertTrue(Files.isRegularFile(out.resolve("tiny.fingerprint")));
        assertEquals(List.of("metadata.yaml", "tiny.bin", "tiny.fingerprint", "tiny.xml", "tiny.yaml"), listing(out));

        log.lines.clear();
        OpenVinoExporter.Result second = ex.export(graph, req);
        assertTrue(second.skipped());
        assertEquals(1, built.get(), "an up-to-date export does not even build the graph");
        assertEquals(List.of(OpenVinoExporter.UP_TO_DATE), log.lines);
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(first.irBytes(), second.irBytes());
        assertEquals(first.zeroConvWeights(), second.zeroConvWeights());
        assertEquals(first.gflops(), second.gflops());

        // a changed setting, precision, plugin version, model byte, or a missing output: export again
        List<OpenVinoExporter.Request> changed = List.of(
                new OpenVinoExporter.Request(out, "tiny", IrPrecision.FP16, List.of(model),
                        Map.of("imgsz", "8", "convSparsity", "0.3"), "0.1.0-TEST"),
                new OpenVinoExporter.Request(out, "tiny", IrPrecision.FP32, List.of(model),
                        Map.of("imgsz", "8", "convSparsity", "0.3"), "0.1.0-TEST"),
                new OpenVinoExporter.Request(out, "tiny", IrPrecision.FP32, List.of(model),
                        Map.of("imgsz", "8", "convSparsity", "0.3"), "0.2.0"));
        for (OpenVinoExporter.Request r : changed) {
            assertFalse(ex.export(graph, r).skipped(), r.toString());
            assertTrue(ex.export(graph, r).skipped(), "and then it is up to date again");
        }
        OpenVinoExporter.Request last = changed.get(2);
        Files.write(model, new byte[] {1, 2, 3, 5});
        assertFalse(ex.export(graph, last).skipped(), "model bytes changed");
        Files.delete(out.resolve("tiny.bin"));
        assertFalse(ex.export(graph, last).skipped(), "an output was missing");
        Files.write(out.resolve("tiny.bin"), new byte[] {0});
        assertFalse(ex.export(graph, last).skipped(), "an output was truncated");
        assertTrue(ex.export(graph, last).skipped());
    }

    @Test
    void aFailedExportAlsoInvalidatesNothingItDidNotTouch(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.pt");
        Files.write(model, new byte[] {9});
        OpenVinoExporter ex = new OpenVinoExporter(Log.silent());
        OpenVinoExporter.Request req = new OpenVinoExporter.Request(dir.resolve("ir"), "tiny", IrPrecision.FP16,
                List.of(model), Map.of(), "1");
        ex.export(() -> tiny(Map.of()), req);
        OpenVinoExporter.Request other = new OpenVinoExporter.Request(dir.resolve("ir"), "tiny", IrPrecision.FP32,
                List.of(model), Map.of(), "1");
        Graph bad = tiny(Map.of("conv.bias", new Parameter("conv.bias", null, Parameter.Kind.WEIGHT)));
        assertThrows(IrExportException.class, () -> ex.export(() -> bad, other));
        assertTrue(ex.export(() -> tiny(Map.of()), req).skipped(), "the earlier export is still complete and current");
    }

    @Test
    void aBundleFolderAsInputIsFingerprintedByItsFiles(@TempDir Path dir) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Files.writeString(bundle.resolve("model.yaml"), "nc: 3\n");
        Files.write(bundle.resolve("weights.safetensors"), new byte[] {1, 2});
        OpenVinoExporter ex = new OpenVinoExporter(Log.silent());
        OpenVinoExporter.Request req = new OpenVinoExporter.Request(dir.resolve("ir"), "tiny", IrPrecision.FP16,
                List.of(bundle), Map.of(), "1");
        assertFalse(ex.export(() -> tiny(Map.of()), req).skipped());
        assertTrue(ex.export(() -> tiny(Map.of()), req).skipped());
        Files.write(bundle.resolve("weights.safetensors"), new byte[] {1, 3});
        assertFalse(ex.export(() -> tiny(Map.of()), req).skipped(), "a file inside the bundle changed");
    }

    @Test
    void baseNameMustBeAPlainFileName(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> OpenVinoExporter.Request.of(dir, "../x", IrPrecision.FP16));
        assertThrows(IllegalArgumentException.class, () -> OpenVinoExporter.Request.of(dir, "", IrPrecision.FP16));
    }
}
