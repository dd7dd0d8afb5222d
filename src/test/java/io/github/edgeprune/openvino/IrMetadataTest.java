package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IrMetadataTest {

    @Test
    void pythonDictOfNamesAsYolov5WritesIt() {
        List<String> names = List.of("person", "it's", "say \"hi\"", "back\\slash");
        String dict = IrMetadata.pythonDict(names);
        assertEquals("{0: 'person', 1: \"it's\", 2: 'say \"hi\"', 3: 'back\\\\slash'}", dict);
        assertEquals(names, IrMetadata.parsePythonNames(dict));
        assertEquals(List.of("a", "b"), IrMetadata.parsePythonNames("['a', \"b\"]"));
        assertEquals(List.of("x", "y"), IrMetadata.parsePythonNames("{1: 'y', 0: 'x'}"));
        assertNull(IrMetadata.parsePythonNames("person bicycle"));
        assertNull(IrMetadata.parsePythonNames("{0: 'a'"));
    }

    @Test
    void rtInfoRoundTrip() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("names", "[\"a\",\"b\"]");
        meta.put("stride", "8,16,32");
        meta.put("pruning.method", "l1_unstructured");
        meta.put("pruning.conv_sparsity", "0.3");
        meta.put("detect_layer", "24"); // not carried
        RtInfo rt = IrMetadata.toRtInfo(meta, List.of("a", "b"), new long[] {320, 320}, IrPrecision.FP16);
        assertEquals("{0: 'a', 1: 'b'}", rt.leafValue("framework", "names"));
        assertEquals("32", rt.leafValue("framework", "stride"));
        Map<String, String> back = IrMetadata.fromRtInfo(rt);
        assertEquals("[\"a\",\"b\"]", back.get("names"));
        assertEquals("2", back.get("nc"));
        assertEquals("8,16,32", back.get("stride"));
        assertEquals("320,320", back.get("imgsz"));
        assertEquals("l1_unstructured", back.get("pruning.method"));
        assertEquals("0.3", back.get("pruning.conv_sparsity"));
        assertNull(back.get("detect_layer"));
    }

    @Test
    void ultralyticsLabelsAndDefaults() {
        RtInfo rt = RtInfo.section();
        rt.section("model_info").put("labels", "person traffic_light");
        assertEquals("[\"person\",\"traffic_light\"]", IrMetadata.fromRtInfo(rt).get("names"));
        assertEquals(List.of("class0", "class1"), IrMetadata.names(Map.of("nc", "2"), 5));
        assertEquals(List.of("class0"), IrMetadata.names(Map.of(), 1));
        assertEquals("_9lives", IrMetadata.xmlName("9lives"));
        assertEquals("a_b.c", IrMetadata.xmlName("a b.c"));
    }
}
