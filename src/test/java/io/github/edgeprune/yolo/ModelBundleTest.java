package io.github.edgeprune.yolo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.checkpoint.Safetensors;
import io.github.edgeprune.prune.PruneRecord;
import io.github.edgeprune.prune.PruneTargets;
import io.github.edgeprune.tensor.HostTensor;
import io.github.edgeprune.testing.TestData;
import io.github.edgeprune.util.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @TempDir
    Path tmp;

    @Test
    void bundleRoundTripsTheCheckpoint() throws Exception {
        YoloModel model = ModelLoader.load(TestData.yolov5n().toString(), Path.of("."), 0, Log.silent());
        PruneRecord record = PruneRecord.none(model.stateDict(), PruneTargets.of(model.graph(256)));
        Path dir = tmp.resolve("bundle");
        ModelBundle.write(dir, model, record);
        assertTrue(Files.isRegularFile(dir.resolve("model.yaml")));
        assertTrue(Files.isRegularFile(dir.resolve("prune.json")));
        YoloModel back = ModelLoader.load(dir.toString(), Path.of("."), 0, Log.silent());
        assertEquals(model.names(), back.names());
        assertEquals(model.stateDict().keySet(), back.stateDict().keySet());
        for (var e : model.stateDict().entrySet()) {
            HostTensor b = back.stateDict().get(e.getKey());
            if (e.getValue().dtype() == HostTensor.DType.FLOAT32) {
                assertArrayEquals(e.getValue().floats(), b.floats(), e.getKey());
            } else {
                assertArrayEquals(e.getValue().longs(), b.longs(), e.getKey());
            }
        }
        assertEquals("none", back.metadata().get("pruning.method"));
        // nothing but the bundle is left in the parent folder (no temporary leftovers)
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void missingTensorAndWrongShapeAreNamed() throws Exception {
        YoloModel model = ModelLoader.load("yolov5n", tmp, 1, Log.silent());
        Path dir = tmp.resolve("b");
        ModelBundle.write(dir, model, PruneRecord.none(model.stateDict(), PruneTargets.of(model.graph(256))));
        Map<String, HostTensor> weights = new LinkedHashMap<>(Safetensors.read(dir.resolve("weights.safetensors")).tensors());
        weights.remove("model.9.cv2.conv.weight");
        Safetensors.write(dir.resolve("weights.safetensors"), weights, Map.of());
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> ModelBundle.read(dir));
        assertTrue(missing.getMessage().contains("'model.9.cv2.conv.weight' is missing"), missing.getMessage());

        weights.put("model.9.cv2.conv.weight", HostTensor.zeros(3, 3, 1, 1));
        Safetensors.write(dir.resolve("weights.safetensors"), weights, Map.of());
        ModelFormatException shape = assertThrows(ModelFormatException.class, () -> ModelBundle.read(dir));
        assertTrue(shape.getMessage().contains("has shape [3, 3, 1, 1] but the architecture needs"), shape.getMessage());
    }

    @Test
    void aFolderWithoutWeightsIsNotABundle() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(dir.resolve("model.yaml"), "nc: 1\n");
        assertFalse(ModelBundle.isBundle(dir));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelBundle.read(dir));
        assertTrue(e.getMessage().contains("weights.safetensors is missing"), e.getMessage());
    }
}
