package io.github.edgeprune.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.edgeprune.data.Letterbox;
import org.junit.jupiter.api.Test;

class BoxesTest {

    @Test
    void iouOfKnownBoxes() {
        // identical: 100 / (100 + 100 - 100 + 1e-7)
        assertEquals(1.0f, Boxes.iou(0, 0, 10, 10, 0, 0, 10, 10), 1e-6f);
        // half overlap: [0,0,10,10] and [5,0,15,10]: 50 / 150 = 1/3
        assertEquals(1f / 3f, Boxes.iou(0, 0, 10, 10, 5, 0, 15, 10), 1e-6f);
        // inner box: [0,0,10,10] and [2,2,4,4]: 4 / 100
        assertEquals(0.04f, Boxes.iou(0, 0, 10, 10, 2, 2, 4, 4), 1e-7f);
        // corner overlap: [0,0,2,2] and [1,1,3,3]: 1 / 7
        assertEquals(1f / 7f, Boxes.iou(0, 0, 2, 2, 1, 1, 3, 3), 1e-6f);
        // disjoint and touching: 0
        assertEquals(0f, Boxes.iou(0, 0, 1, 1, 2, 2, 3, 3));
        assertEquals(0f, Boxes.iou(0, 0, 1, 1, 1, 0, 2, 1));
        // symmetric
        assertEquals(Boxes.iou(3, 1, 9, 7, 2, 2, 8, 12), Boxes.iou(2, 2, 8, 12, 3, 1, 9, 7));
    }

    @Test
    void scalesDetectionsBackWithRatioPad() {
        // 640x425 at 320: resized 320x212, padding 54 rows above; gain h/h0 = 212/425
        Letterbox lb = Letterbox.of(425, 640, 320);
        Detections d = Detections.of(new float[][] {{-3, 54, 160, 266, 0.5f, 1}});
        Detections o = Boxes.toOriginal(d, lb);
        float gain = 212f / 425f;
        assertEquals(0f, o.x1(0)); // clipped
        assertEquals(0f, o.y1(0), 1e-4f);
        assertEquals(160f / gain, o.x2(0), 1e-3f);
        assertEquals(425f, o.y2(0), 1e-3f);
        assertEquals(0.5f, o.conf(0));
        assertEquals(1, o.cls(0));
    }

    @Test
    void labelsThroughValPathAgreeWithDirectScaling() {
        // The val.py path (letterbox pixels, clip, renormalise, scale back) against the direct
        // formula. val.py divides both axes by ratio_pad's h/h0, so x comes out as
        // x * w / (h/h0), not x * w0, when int() truncated one side (425x640 at 320: 0.24 % wider).
        int[][] sizes = {{480, 640}, {425, 640}, {640, 427}, {333, 500}, {50, 100}};
        float[][] labels = {{3, 0.5f, 0.5f, 0.2f, 0.4f}, {0, 0.1f, 0.9f, 0.2f, 0.2f}, {7, 0.98f, 0.02f, 0.04f, 0.04f},
                {1, 0.5f, 0.5f, 1f, 1f}};
        double maxDirect = 0;
        for (int[] hw : sizes) {
            for (int imgsz : new int[] {320, 640}) {
                Letterbox lb = Letterbox.of(hw[0], hw[1], imgsz);
                float[][] px = Boxes.labelsToOriginal(labels, lb);
                double sx = lb.w() / lb.gain();
                double sy = lb.h() / lb.gain();
                // the 0.001 px clip at the far edge of the letterboxed image, scaled back, is the
                // only difference beyond float rounding
                double tol = 1e-3 / lb.gain() + 1e-3;
                for (int i = 0; i < labels.length; i++) {
                    float[] l = labels[i];
                    assertEquals(l[0], px[i][0]);
                    assertEquals(Math.min(hw[1], (l[1] - l[3] / 2) * sx), px[i][1], tol, "x1");
                    assertEquals(Math.min(hw[0], (l[2] - l[4] / 2) * sy), px[i][2], tol, "y1");
                    assertEquals(Math.min(hw[1], (l[1] + l[3] / 2) * sx), px[i][3], tol, "x2");
                    assertEquals(Math.min(hw[0], (l[2] + l[4] / 2) * sy), px[i][4], tol, "y2");
                    maxDirect = Math.max(maxDirect, Math.abs((l[1] + l[3] / 2) * hw[1] - px[i][3]));
                }
            }
        }
        System.out.printf("labels via val.py's path: at most %.3f px from x * w0 (val.py's h/h0 gain)%n", maxDirect);
    }
}
