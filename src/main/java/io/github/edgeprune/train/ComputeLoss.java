package io.github.edgeprune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.edgeprune.executor.OwnedArrays;
import java.util.List;

/**
 * YOLOv5 v7.0's {@code ComputeLoss} on engine arrays, so that autograd reaches the model: CIoU box
 * loss {@code (1 - iou).mean()} over the assigned predictions, BCE-with-logits objectness against
 * the detached IoU (clamped at 0) at assigned cells and 0 elsewhere, weighted per level by
 * [4.0, 1.0, 0.4], BCE class loss when there is more than one class; gains box·3/nl,
 * obj·(imgsz/640)²·3/nl, cls·nc/80·3/nl; the total times the batch size. Targets are assigned on
 * the host by {@link TargetAssigner}.
 */
public final class ComputeLoss {

    /**
     * The loss of one batch.
     *
     * @param total the scalar to back-propagate: (box + obj + cls) · batch size
     * @param box the box part after its gain (YOLOv5's logged loss item)
     * @param obj the objectness part after its gain
     * @param cls the class part after its gain
     */
    public record Result(NDArray total, double box, double obj, double cls) {
    }

    private final int nc;
    private final float[][][] anchors;
    private final double anchorT;
    private final double[] balance;
    private final double boxGain;
    private final double objGain;
    private final double clsGain;

    /**
     * @param nc number of classes
     * @param anchors per level, na × (w, h) in grid units (the Detect {@code anchors} buffer)
     * @param imgsz training image size (scales the objectness gain)
     */
    public ComputeLoss(Hyp hyp, int nc, float[][][] anchors, int imgsz) {
        this.nc = nc;
        this.anchors = anchors;
        this.anchorT = hyp.anchorT();
        int nl = anchors.length;
        this.balance = nl == 3 ? new double[] {4.0, 1.0, 0.4} : new double[] {4.0, 1.0, 0.25, 0.06, 0.02};
        if (nl > balance.length) {
            throw new IllegalArgumentException("YOLOv5's loss balances at most 5 detection levels, the model has " + nl);
        }
        this.boxGain = hyp.box() * 3.0 / nl;
        this.clsGain = hyp.cls() * nc / 80.0 * 3.0 / nl;
        this.objGain = hyp.obj() * Math.pow(imgsz / 640.0, 2) * 3.0 / nl;
        if (hyp.clsPw() != 1 || hyp.objPw() != 1) {
            throw new IllegalArgumentException("cls_pw and obj_pw other than 1.0 are not supported");
        }
    }

    /**
     * @param raw per level, the raw head output [B, na, ny, nx, 5 + nc]
     * @param targets rows (image, class, cx, cy, w, h), normalised
     * @param manager where temporary arrays go (close it after the backward pass)
     */
    public Result compute(List<NDArray> raw, float[][] targets, NDManager manager) {
        int[][] grids = new int[raw.size()][];
        for (int i = 0; i < raw.size(); i++) {
            long[] s = raw.get(i).getShape().getShape();
            grids[i] = new int[] {(int) s[2], (int) s[3]};
        }
        List<TargetAssigner.Level> assigned = TargetAssigner.assign(targets, anchors, grids, anchorT);
        NDArray lbox = null;
        NDArray lobj = null;
        NDArray lcls = null;
        long bs = raw.get(0).getShape().get(0);
        for (int i = 0; i < raw.size(); i++) {
            NDArray pi = raw.get(i);
            long[] s = pi.getShape().getShape();
            int na = (int) s[1];
            int ny = (int) s[2];
            int nx = (int) s[3];
            int no = (int) s[4];
            if (no != nc + 5) {
                throw new IllegalArgumentException("head output has " + no + " channels per anchor, expected " + (nc + 5));
            }
            TargetAssigner.Level lv = assigned.get(i);
            int n = lv.size();
            float[] tobj = new float[(int) (bs * na * ny * nx)];
            if (n > 0) {
                long[] flatIndex = new long[n];
                for (int k = 0; k < n; k++) {
                    flatIndex[k] = (((long) lv.image()[k] * na + lv.anchor()[k]) * ny + lv.gj()[k]) * nx + lv.gi()[k];
                }
                NDArray rows = pi.reshape(-1, no).get(OwnedArrays.of(manager, flatIndex, new Shape(flatIndex.length)));
                NDArray pxy = rows.get(":, 0:2").getNDArrayInternal().sigmoid().mul(scalar(manager, 2)).sub(scalar(manager, 0.5));
                NDArray anch = OwnedArrays.of(manager, lv.anchorWh(), new Shape(n, 2));
                NDArray pwh = rows.get(":, 2:4").getNDArrayInternal().sigmoid().mul(scalar(manager, 2)).square().mul(anch);
                NDArray pbox = pxy.concat(pwh, 1);
                NDArray tbox = OwnedArrays.of(manager, lv.box(), new Shape(n, 4));
                NDArray iou = BoxIou.ciou(pbox, tbox, manager);
                lbox = plus(lbox, iou.neg().add(scalar(manager, 1)).mean());
                float[] iouHost = iou.toFloatArray();
                for (int k = 0; k < n; k++) {
                    tobj[(int) flatIndex[k]] = Math.max(iouHost[k], 0f); // later matches overwrite, as index_put
                }
                if (nc > 1) {
                    float[] t = new float[n * nc];
                    for (int k = 0; k < n; k++) {
                        t[k * nc + lv.cls()[k]] = 1f;
                    }
                    NDArray pcls = rows.get(":, 5:");
                    lcls = plus(lcls, bceWithLogits(pcls, OwnedArrays.of(manager, t, new Shape(n, nc)), manager));
                }
            }
            NDArray pobj = pi.get("..., 4");
            NDArray obji = bceWithLogits(pobj, OwnedArrays.of(manager, tobj, new Shape(bs, na, ny, nx)), manager);
            lobj = plus(lobj, obji.mul(scalar(manager, balance[i])));
        }
        double box = 0;
        double cls = 0;
        NDArray sum = lobj.mul(scalar(manager, objGain));
        double obj = sum.getFloat();
        if (lbox != null) {
            NDArray b = lbox.mul(scalar(manager, boxGain));
            box = b.getFloat();
            sum = sum.add(b);
        }
        if (lcls != null) {
            NDArray c = lcls.mul(scalar(manager, clsGain));
            cls = c.getFloat();
            sum = sum.add(c);
        }
        return new Result(sum.mul(scalar(manager, bs)), box, obj, cls);
    }

    /** Mean of BCE-with-logits, in the numerically stable form max(x, 0) - x·t + log(1 + e^-|x|). */
    static NDArray bceWithLogits(NDArray x, NDArray t, NDManager manager) {
        return x.maximum(scalar(manager, 0)).sub(x.mul(t)).add(x.abs().neg().exp().add(scalar(manager, 1)).log()).mean();
    }

    /**
     * A float32 constant owned by the manager. DJL's {@code Number} overloads ({@code mul(2f)}) make
     * the scalar from a direct buffer and free it right after the op, but autograd keeps it for the
     * backward pass, which then reads freed memory (random NaN/Inf gradients); constants made here
     * live until the manager closes, after the backward pass.
     */
    static NDArray scalar(NDManager manager, double value) {
        return manager.create((float) value);
    }

    private static NDArray plus(NDArray acc, NDArray v) {
        return acc == null ? v : acc.add(v);
    }
}
