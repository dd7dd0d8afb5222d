package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken or unsupported IR gives one clear line naming the file and the layer. */
class IrReaderFailureTest {

    @TempDir
    Path dir;
    Path xml;
    Path bin;
    String text;

    @BeforeEach
    void export() throws IOException {
        OpenVinoExporter.Result r = new OpenVinoExporter(Log.silent()).export(OpenVinoExporterTest.tiny(Map.of()), dir,
                "tiny", IrPrecision.FP16);
        xml = r.xml();
        bin = r.bin();
        text = Files.readString(xml);
    }

    private String fails(String newText) throws IOException {
        Files.writeString(xml, newText);
        return assertThrows(IrFormatException.class, () -> IrReader.read(xml)).getMessage();
    }

    private int layerId(String name) {
        int at = text.indexOf("name=\"" + name + "\"");
        String head = text.substring(text.lastIndexOf("<layer id=\"", at) + 11);
        return Integer.parseInt(head.substring(0, head.indexOf('"')));
    }

    @Test
    void unsupportedOpIsNamedBeforeTheWeightsAreRead() throws IOException {
        Files.delete(bin);
        String m = fails(text.replace("type=\"Swish\" version=\"opset4\"", "type=\"NonMaxSuppression\" version=\"opset5\""));
        assertEquals("tiny.xml: layer " + layerId("act") + " 'act' of type NonMaxSuppression (opset5) is not supported", m);
    }

    @Test
    void anOpFromAnOpsetBeforeItExistedIsNotSupported() throws IOException {
        String m = fails(text.replace("type=\"Swish\" version=\"opset4\"", "type=\"Swish\" version=\"opset3\""));
        assertEquals("tiny.xml: layer " + layerId("act") + " 'act' of type Swish (opset3) is not supported", m);
    }

    @Test
    void aShortBinNamesTheConstant() throws IOException {
        Files.write(bin, Arrays.copyOf(Files.readAllBytes(bin), 10));
        String m = assertThrows(IrFormatException.class, () -> IrReader.read(xml)).getMessage();
        assertEquals("tiny.xml: layer 1 'conv.weight_compressed' (Const): needs bytes 0..216 but tiny.bin has only 10 bytes",
                m);
    }

    @Test
    void aMissingBinIsNamed() throws IOException {
        Files.delete(bin);
        String m = assertThrows(IrFormatException.class, () -> IrReader.read(xml)).getMessage();
        assertEquals("tiny.xml: weights file tiny.bin not found (needed by layer 1 'conv.weight_compressed')", m);
    }

    @Test
    void anInputWithoutAnEdge() throws IOException {
        String edge = "\t\t<edge from-layer=\"2\" from-port=\"1\" to-layer=\"3\" to-port=\"1\" />\n";
        assertTrue(text.contains(edge));
        String m = fails(text.replace(edge, ""));
        assertEquals("tiny.xml: layer 3 'conv/WithoutBiases' (Convolution): input port 1 has no incoming edge", m);
    }

    @Test
    void anEdgeToAMissingPort() throws IOException {
        String m = fails(text.replace("from-layer=\"2\" from-port=\"1\" to-layer=\"3\" to-port=\"1\"",
                "from-layer=\"2\" from-port=\"1\" to-layer=\"3\" to-port=\"7\""));
        assertEquals("tiny.xml: layer 3 'conv/WithoutBiases' (Convolution) has no input port 7 (edge from layer 2)", m);
    }

    @Test
    void aDynamicInputIsRefused() throws IOException {
        String m = fails(text.replace("shape=\"1,3,8,8\"", "shape=\"?,3,8,8\""));
        assertEquals("tiny.xml: layer 0 'images' (Parameter): shape \"?,3,8,8\" is not static; only static shapes are"
                + " supported", m);
    }

    @Test
    void declaredDimsMustMatchTheComputedShape() throws IOException {
        int id = layerId("act");
        int at = text.indexOf("<layer id=\"" + id + "\"");
        int out = text.indexOf("<output>", at);
        int dim = text.indexOf("<dim>8</dim>", out);
        String m = fails(text.substring(0, dim) + "<dim>9</dim>" + text.substring(dim + "<dim>8</dim>".length()));
        assertEquals("tiny.xml: layer " + id + " 'act' (Swish): output port 1 declares [1, 4, 9, 8] but its inputs give"
                + " [1, 4, 8, 8]", m);
    }

    @Test
    void aRuntimeConvertToIntegerIsRefused() throws IOException {
        // re-type the Swish as a Convert to i64 of run-time data
        String m = fails(text.replace("type=\"Swish\" version=\"opset4\">",
                "type=\"Convert\" version=\"opset1\">\n\t\t\t<data destination_type=\"i64\" />"));
        assertEquals("tiny.xml: layer " + layerId("act") + " 'act' (Convert): conversion of a run-time value to i64 is not"
                + " supported", m);
    }

    @Test
    void notAnIr() throws IOException {
        assertTrue(fails("<html/>").startsWith("tiny.xml: root element is <html>"));
        assertTrue(fails("<net name=\"x\" version=\"7\"><layers/></net>")
                .equals("tiny.xml: IR version 7 is not supported (only 10 and 11)"));
        assertTrue(fails("<net").startsWith("tiny.xml: not well-formed XML"));
        assertTrue(fails("<!DOCTYPE net [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><net version=\"11\">&x;</net>")
                .startsWith("tiny.xml: not well-formed XML"), "no DTDs, no external entities");
    }
}
