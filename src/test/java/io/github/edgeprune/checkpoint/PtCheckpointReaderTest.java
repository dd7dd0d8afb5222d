package io.github.edgeprune.checkpoint;

import io.github.edgeprune.testing.TestData;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.edgeprune.tensor.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads the real Ultralytics checkpoints of the shared data folder. */
class PtCheckpointReaderTest {

    private static TorchArchive archive;
    private static YoloCheckpoint ckpt;

    @BeforeAll
    static void read() {
        Path file = TestData.file("models/yolov5n.pt");
        archive = TorchArchive.read(file);
        ckpt = PtCheckpointReader.fromArchive(archive);
    }

    @Test
    void archiveLayoutAndStorages() {
        assertEquals("archive/data.pkl", archive.pickleEntry());
        assertEquals(358, archive.storageEntries());
        assertEquals(358, archive.storagesUsed().size(), "every storage entry is referenced by the pickle");
        assertTrue(archive.root() instanceof Map);
        assertEquals(List.of("epoch", "best_fitness", "model", "ema", "updates", "optimizer", "wandb_id", "date"),
                List.copyOf(((Map<?, ?>) archive.root()).keySet()));
    }

    @Test
    void modelIsModelWhenEmaIsNone() {
        PyObject model = PtCheckpointReader.model(archive);
        assertEquals("models.yolo.Model", model.className());
        assertNull(((Map<?, ?>) archive.root()).get("ema"));
    }

    @Test
    void stateDictFigures() {
        List<ModuleStates.Entry> entries = ModuleStates.entries(PtCheckpointReader.model(archive), "yolov5n.pt");
        assertEquals(349, entries.size());
        assertEquals(349, ckpt.stateDict().size());

        long convCount = 0, convElements = 0, bnCount = 0, bnElements = 0, weightsAndBiases = 0;
        for (ModuleStates.Entry e : entries) {
            if (e.moduleClass().equals("torch.nn.modules.conv.Conv2d") && e.localName().equals("weight")
                    && e.tensor().rank() == 4) {
                convCount++;
                convElements += e.tensor().size();
            }
            if (e.moduleClass().equals("torch.nn.modules.batchnorm.BatchNorm2d") && e.localName().equals("weight")) {
                bnCount++;
                bnElements += e.tensor().size();
            }
            if (e.parameter() && (e.localName().equals("weight") || e.localName().equals("bias"))) {
                weightsAndBiases += e.tensor().size();
            }
        }
        assertEquals(60, convCount);
        assertEquals(1_861_888, convElements);
        assertEquals(57, bnCount);
        assertEquals(4_752, bnElements);
        assertEquals(1_872_157, weightsAndBiases);

        Map<String, HostTensor> sd = ckpt.stateDict();
        assertArrayEquals(new long[] {16, 3, 6, 6}, sd.get("model.0.conv.weight").shape());
        assertArrayEquals(new long[] {3, 3, 2}, sd.get("model.24.anchors").shape());
        assertArrayEquals(new long[] {255, 64, 1, 1}, sd.get("model.24.m.0.weight").shape());
        assertArrayEquals(new long[] {255}, sd.get("model.24.m.0.bias").shape());
        HostTensor nbt = sd.get("model.0.bn.num_batches_tracked");
        assertEquals(HostTensor.DType.INT64, nbt.dtype());
        assertEquals(0, nbt.rank());
        assertEquals(1L, nbt.longs()[0]);
    }

    @Test
    void stateDictOrderIsPyTorchs() {
        List<String> names = List.copyOf(ckpt.stateDict().keySet());
        assertEquals(List.of("model.0.conv.weight", "model.0.bn.weight", "model.0.bn.bias", "model.0.bn.running_mean",
                "model.0.bn.running_var", "model.0.bn.num_batches_tracked", "model.1.conv.weight"), names.subList(0, 7));
        // Detect: its anchors buffer comes before its submodules' parameters
        int anchors = names.indexOf("model.24.anchors");
        assertEquals("model.24.m.0.weight", names.get(anchors + 1));
        assertEquals("model.24.m.2.bias", names.get(names.size() - 1));
    }

    @Test
    void halfPrecisionValuesAreExact() throws IOException {
        float[] w = ckpt.stateDict().get("model.0.conv.weight").floats();
        // as numpy decodes the float16 storage archive/data/0
        float[] expected = {-0.003936767578125f, -0.115966796875f, -0.057708740234375f, -0.0252838134765625f,
            0.025177001953125f, 0.05487060546875f};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], w[i], 0f, "model.0.conv.weight[" + i + "]");
        }
        // and as decoded here independently from the raw bytes: value = (-1)^s * 2^(e-15) * (1 + m/1024)
        byte[] raw;
        try (ZipFile zip = new ZipFile(archive.source().toFile()); InputStream in = zip.getInputStream(
                zip.getEntry("archive/data/0"))) {
            raw = in.readAllBytes();
        }
        assertEquals(16 * 3 * 6 * 6 * 2, raw.length);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w.length; i++) {
            int h = b.getShort(2 * i) & 0xffff;
            int e = (h >> 10) & 0x1f;
            int m = h & 0x3ff;
            double v = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
            assertEquals(((h & 0x8000) != 0 ? -v : v), w[i], 0.0, "model.0.conv.weight[" + i + "]");
        }
        float[] anchors = ckpt.stateDict().get("model.24.anchors").floats();
        assertArrayEquals(new float[] {1.25f, 1.625f, 2.0f, 3.75f, 4.125f, 2.875f, 1.875f, 3.8125f, 3.875f, 2.8125f,
            3.6875f, 7.4375f, 3.625f, 2.8125f, 4.875f, 6.1875f, 11.65625f, 10.1875f}, anchors, 0f);
    }

    @Test
    void everyTensorDecodes() {
        // sums over all float tensors as numpy computes them in float64 from the float16 storages
        double sumAbs = 0, sum = 0;
        long floats = 0;
        for (HostTensor t : ckpt.stateDict().values()) {
            if (t.dtype() == HostTensor.DType.FLOAT32) {
                for (float f : t.floats()) {
                    sumAbs += Math.abs(f);
                    sum += f;
                }
                floats += t.size();
            }
        }
        assertEquals(1_881_679, floats);
        assertEquals(51254.3392112255, sumAbs, 1e-6);
        assertEquals(-3070.4828841686, sum, 1e-6);
    }

    @Test
    void yamlNamesStrideInfo() {
        assertEquals(80, ckpt.yaml().get("nc"));
        assertEquals(0.33, ckpt.yaml().get("depth_multiple"));
        assertEquals(0.25, ckpt.yaml().get("width_multiple"));
        assertEquals(3, ckpt.yaml().get("ch"));
        assertEquals(List.of(List.of(10, 13, 16, 30, 33, 23), List.of(30, 61, 62, 45, 59, 119),
                List.of(116, 90, 156, 198, 373, 326)), ckpt.yaml().get("anchors"));
        List<?> backbone = (List<?>) ckpt.yaml().get("backbone");
        assertEquals(List.of(-1, 1, "Conv", List.of(64, 6, 2, 2)), backbone.get(0));
        List<?> head = (List<?>) ckpt.yaml().get("head");
        assertEquals(List.of(List.of(17, 20, 23), 1, "Detect", List.of("nc", "anchors")), head.get(head.size() - 1));
        assertEquals(List.of(-1, 3, "C3", List.of(512, false)), head.get(3));
        assertEquals(80, ckpt.nc());

        assertEquals(80, ckpt.names().size());
        assertEquals(List.of("person", "bicycle", "car"), ckpt.names().subList(0, 3));
        assertEquals("toothbrush", ckpt.names().get(79));
        assertArrayEquals(new double[] {8, 16, 32}, ckpt.stride());

        assertEquals(-1, ckpt.info().get("epoch"));
        assertEquals("2022-02-08T18:24:20.515893", ckpt.info().get("date"));
        assertFalse(ckpt.info().containsKey("best_fitness"), "None values are left out");
        assertFalse(ckpt.info().containsKey("model"));
    }

    @Test
    void experimentalCheckpointsWithDepthwiseConvs() {
        YoloCheckpoint k5 = PtCheckpointReader.read(TestData.file("models/experimental/yolov5n-7-k5.pt"));
        YoloCheckpoint n7 = PtCheckpointReader.read(TestData.file("models/experimental/yolov5n-7.pt"));
        for (YoloCheckpoint c : List.of(k5, n7)) {
            assertEquals(353, c.stateDict().size());
            assertEquals(80, c.names().size());
            assertArrayEquals(new double[] {8, 16, 32}, c.stride());
            // depthwise 5x5 conv (DWConv) and depthwise transposed convs (DWConvTranspose2d)
            assertArrayEquals(new long[] {128, 1, 5, 5}, c.stateDict().get("model.21.conv.weight").shape());
            assertArrayEquals(new long[] {128, 1, 4, 4}, c.stateDict().get("model.11.weight").shape());
            assertArrayEquals(new long[] {64, 1, 4, 4}, c.stateDict().get("model.15.weight").shape());
        }
        assertArrayEquals(new long[] {256, 1, 5, 5}, n7.stateDict().get("model.7.conv.weight").shape());
        assertArrayEquals(new long[] {256, 128, 3, 3}, k5.stateDict().get("model.7.conv.weight").shape());
        assertEquals(1_215_053, parameterElements(n7));
        assertEquals(1_503_565, parameterElements(k5));
        assertEquals(0.153564453125f, n7.stateDict().get("model.0.conv.weight").floats()[0], 0f);
        assertEquals("C3x", ((List<?>) ((List<?>) n7.yaml().get("backbone")).get(2)).get(2));
        assertEquals("2022-05-19T18:17:41.358368", n7.info().get("date"));
        assertEquals("2022-05-21T18:18:28.072396", k5.info().get("date"));
    }

    private static long parameterElements(YoloCheckpoint c) {
        long n = 0;
        for (Map.Entry<String, HostTensor> e : c.stateDict().entrySet()) {
            if (e.getKey().endsWith(".weight") || e.getKey().endsWith(".bias")) {
                n += e.getValue().size();
            }
        }
        return n;
    }
}
