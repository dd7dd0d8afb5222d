package io.github.edgeprune.openvino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.eval.EvalSettings;
import io.github.edgeprune.eval.EvaluateJob;
import io.github.edgeprune.eval.EvaluationResult;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported IR measures like its source: evaluate of our FP32/FP16 IR and of Intel's own
 * yolov5n IRs on COCO128 equals evaluate of yolov5n.pt at the same size.
 */
class IrEvaluationTest {

    @TempDir
    static Path tmp;

    private static EvaluationResult pt640;

    @BeforeAll
    static void source() throws IOException {
        pt640 = evaluate(TestData.yolov5n().toString(), 640, tmp.resolve("pt640"));
    }

    static EvaluationResult evaluate(String model, int imgsz, Path out) throws IOException {
        EvaluateJob.Settings s = new EvaluateJob.Settings(model, TestData.coco128().toString(), Path.of("."), out,
                EvalSettings.defaults().withImgsz(imgsz), false, false, false, "val", 0);
        return EvaluateJob.run(s, Log.silent());
    }

    /** Exports yolov5n.pt; the ONNX twin (evaluated once) only beside the FP32 IR. */
    static Path export(IrPrecision precision, int imgsz) throws IOException {
        return ExportJob.run(new ExportJob.Settings(TestData.yolov5n().toString(), Path.of("."),
                tmp.resolve("ir-" + precision + "-" + imgsz), null, imgsz, precision, precision == IrPrecision.FP32),
                Log.silent()).ir().xml();
    }

    @Test
    void ourIrMeasuresLikeTheCheckpoint() throws IOException {
        List<String> figures = new ArrayList<>();
        figures.add(String.format("pt@640 %.4f", pt640.map50()));
        Path fp32 = export(IrPrecision.FP32, 640);
        EvaluationResult r32 = evaluate(fp32.toString(), 640, tmp.resolve("e32"));
        figures.add(String.format("FP32 IR %.4f", r32.map50()));
        EvaluationResult onnx = evaluate(fp32.resolveSibling("yolov5n.onnx").toString(), 640, tmp.resolve("eonnx"));
        figures.add(String.format("ONNX twin %.4f", onnx.map50()));
        Path fp16 = export(IrPrecision.FP16, 640);
        EvaluationResult r16 = evaluate(fp16.toString(), 640, tmp.resolve("e16"));
        figures.add(String.format("FP16 IR %.4f", r16.map50()));
        System.out.println("mAP50 on COCO128: " + String.join(", ", figures));
        assertEquals(pt640.map50(), r32.map50(), 0.001, "FP32 IR");
        assertEquals(pt640.map50(), onnx.map50(), 0.001, "ONNX twin");
        assertEquals(pt640.map50(), r16.map50(), 0.003, "FP16 IR");
        assertTrue(pt640.map50() > 0.5, "yolov5n scores " + pt640.map50() + " mAP50 on COCO128 at 640");
    }

    @Test
    void intelsIrsMeasureLikeTheCheckpointAtTheirSize() throws IOException {
        Path ir = TestData.root().resolve("openvino-ir");
        EvaluationResult intel640 = evaluate(ir.resolve("yolov5n_openvino_model/yolov5n.xml").toString(), 640,
                tmp.resolve("i640"));
        EvaluationResult intel416 = evaluate(ir.resolve("yolov5n_416_ov2024_4/yolov5n.xml").toString(), 640,
                tmp.resolve("i416"));
        EvaluationResult pt416 = evaluate(TestData.yolov5n().toString(), 416, tmp.resolve("pt416"));
        System.out.printf("mAP50 on COCO128: Intel IR@640 %.4f (pt %.4f), Intel IR@416 %.4f (pt %.4f)%n",
                intel640.map50(), pt640.map50(), intel416.map50(), pt416.map50());
        assertEquals(416, intel416.imgsz(), "the IR's own input size is used");
        assertEquals(pt640.map50(), intel640.map50(), 0.003);
        assertEquals(pt416.map50(), intel416.map50(), 0.003);
    }
}
