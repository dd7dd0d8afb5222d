package io.github.edgeprune.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.device.verify.BudgetException;
import io.github.edgeprune.device.verify.Budgets;
import io.github.edgeprune.openvino.IrPrecision;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search space and the settings: every bad value is refused before anything runs, naming its property. */
class SearchSpaceTest {

    @Test
    void autoIsDenseAndTwoCutsInBothPrecisionsAtEverySize() {
        List<Candidate> c = SearchSpace.parse("auto", "320,416", null, 640);
        assertEquals(12, c.size());
        assertEquals("dense-fp16-320", c.get(0).id());
        assertEquals("flops0.90-fp16-320", c.get(1).id());
        assertTrue(c.stream().anyMatch(x -> x.id().equals("flops0.75-int8-416")));
        assertEquals(List.of("dense-fp16-640", "dense-int8-640"),
                SearchSpace.parse(null, null, "", 640).stream().filter(Candidate::dense).map(Candidate::id).toList());
    }

    @Test
    void fineTuningAppliesToTheCutsAndShowsInTheirIds() {
        List<Candidate> c = SearchSpace.parse("dense-fp16,flops0.8-int8", null, null, 320, 3);
        assertEquals(List.of("dense-fp16-320", "flops0.80-ft3-int8-320"), c.stream().map(Candidate::id).toList(),
                "the dense model is the trained source: it is not fine-tuned");
        assertEquals(0, c.get(0).fineTuneEpochs());
        assertTrue(c.get(1).describe().contains("fine-tuned 3 epochs"), c.get(1).describe());
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("auto", null, null, 320, -1))
                .getMessage().contains("prune.fineTuneEpochs must be 0 (no fine-tuning) or more, got -1"));
    }

    @Test
    void thePapersUnstructuredPruningIsARecipeWithTheDenseModelsCost() {
        List<Candidate> c = SearchSpace.parse("dense-fp16,static-fp16,dynamic-int8", null, null, 320, 2);
        assertEquals(List.of("dense-fp16-320", "static-ft2-fp16-320", "dynamic-ft2-int8-320"),
                c.stream().map(Candidate::id).toList());
        assertEquals(Candidate.Unstructured.STATIC, c.get(1).unstructured());
        assertTrue(!c.get(1).dense() && !c.get(1).channelCut());
        assertEquals(c.get(0).predictedGflops(4.0, 320), c.get(1).predictedGflops(4.0, 320), 0.0,
                "zeros keep every shape: the same work as the dense model");
        assertEquals("static-fp16-320", SearchSpace.parse("static-fp16", null, null, 320).get(0).id(),
                "static without fine-tuning is the paper's one-shot pruning");
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("dynamic-fp16", null, null, 320))
                .getMessage().contains("dynamic-fp16 prunes while it trains: set prune.fineTuneEpochs to at least 1"));
    }

    @Test
    void predictedCostIsGflopsTimesThePrecisionFactor() {
        Candidate int8 = new Candidate(0.5, IrPrecision.INT8, 320);
        assertEquals(4.0 * 0.5 * 0.25, int8.predictedGflops(4.0, 640), 1e-12);
        assertEquals(int8.predictedGflops(4.0, 640) * 0.5, int8.predictedCost(int8.predictedGflops(4.0, 640)), 1e-12);
    }

    @Test
    void badValuesNameTheirProperty() {
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("grid", null, null, 640)).getMessage()
                .contains("prune.candidates: unknown keyword or recipe 'grid'"));
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("dense-bf16", null, null, 640))
                .getMessage().contains("unknown precision 'bf16'"));
        assertEquals("dense-fp32-640", SearchSpace.parse("dense-fp32", null, null, 640).get(0).id(),
                "an FP32 IR for OpenVINO devices where FP16 loses accuracy");
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("paper", null, null, 640)).getMessage()
                .contains("the paper's study (PaperStudy), not a search space"));
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("auto", "320,300", null, 640))
                .getMessage().contains("prune.imgszChoices: every size must be a positive multiple of 32"));
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("auto", "320,big", null, 640))
                .getMessage().contains("prune.imgszChoices"));
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("auto", null, "0.8,1.5", 640))
                .getMessage().contains("prune.targetFlopsChoices"));
        assertTrue(assertThrows(OptimizeException.class, () -> SearchSpace.parse("flops2-int8", null, null, 640))
                .getMessage().contains("prune.candidates"));
        assertTrue(assertThrows(BudgetException.class, () -> Budgets.builder().maxLatencyMs(Double.NaN).build())
                .getMessage().contains("prune.maxLatencyMs must be a positive number of milliseconds, got NaN"));
        List<Candidate> c = SearchSpace.parse("dense-fp16", null, null, 320);
        OptimizeJob.Device d = OptimizeJob.Device.local("onnxruntime", List.of());
        assertTrue(assertThrows(OptimizeException.class, () -> new OptimizeJob.Settings("yolov5n.pt", Path.of("."), null,
                "val", 0, Path.of("out"), null, c, 320, Budgets.none(), 8, 0.1, d)).getMessage().contains("prune.data"));
        assertTrue(assertThrows(OptimizeException.class, () -> new OptimizeJob.Settings("yolov5n.pt", Path.of("."),
                "d.yaml", "val", 0, Path.of("out"), null, c, 320, Budgets.none(), 8, Double.NaN, d)).getMessage()
                .contains("prune.searchMargin"));
        assertTrue(assertThrows(OptimizeException.class, () -> OptimizeJob.run(new OptimizeJob.Settings("yolov5n.pt",
                Path.of("."), "no/such/data.yaml", "val", 0, Path.of("out"), null, c, 320, Budgets.none(), 8, 0.1, d),
                io.github.edgeprune.util.Log.silent())).getMessage().contains("prune.data: no such data yaml"));
    }
}
