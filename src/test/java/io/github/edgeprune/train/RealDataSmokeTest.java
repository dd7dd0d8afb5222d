package io.github.edgeprune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.data.DataSet;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Dynamic pruning on the shared traffic data set, starting from yolov5n.pt (nc 80 → 5 by
 * transfer). Minutes on two cores, so only on request: {@code -Dedgeprune.trainSmoke=true}
 * ({@code -Dsmoke.epochs}, {@code -Dsmoke.imgsz}). Measured here: 8 epochs at 320 px, about 17 s
 * an epoch, mAP50 0.001 after the first epoch's pruning, 0.157 after the eighth.
 */
@EnabledIfSystemProperty(named = "edgeprune.trainSmoke", matches = "true")
class RealDataSmokeTest {

    @Test
    void trafficFromYolov5nWithDynamicPruning() throws Exception {
        Path data = Path.of(System.getProperty("edgeprune.data"));
        Path yaml = data.resolve("traffic/traffic.yaml");
        int imgsz = Integer.getInteger("smoke.imgsz", 320);
        int epochs = Integer.getInteger("smoke.epochs", 8);
        ModelInput in = ModelInput.load(data.resolve("models/yolov5n.pt").toString(), Path.of("."), 0, Log.console());
        TrainResult r = Trainer.train(TrainSettings.builder().model(in).data(TrainData.of(DataSet.load(yaml, "train")))
                .validator(EvaluatorValidator.of(DataSet.load(yaml, "val"))).epochs(epochs).imgsz(imgsz).transfer(true)
                .outputDirectory(Files.createTempDirectory("traffic-smoke")).build());
        assertEquals(epochs, r.epochs().size());
        assertTrue(r.finalMetrics().map50() > r.epochs().get(0).metrics().map50(), r.finalMetrics().toString());
    }
}
