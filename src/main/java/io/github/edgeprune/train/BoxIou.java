package io.github.edgeprune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * YOLOv5's {@code bbox_iou(..., xywh=True, CIoU=True)} on engine arrays, differentiable: the IoU
 * minus the normalised centre distance ρ²/c² and the aspect-ratio term v·α, with α computed
 * without gradient, eps 1e-7 where YOLOv5 puts it.
 *
 * <p>Constants are 0-d arrays owned by the given manager, never DJL's {@code Number} overloads:
 * those create the scalar from a direct buffer and free it right after the op, while autograd keeps
 * the scalar for the backward pass (a read after free: random NaN/Inf gradients).
 */
public final class BoxIou {

    static final float EPS = 1e-7f;

    private BoxIou() {
    }

    /**
     * Complete IoU of matching rows of two [n, 4] (cx, cy, w, h) arrays; returns [n].
     *
     * @param manager owns the constants; keep it open until the backward pass is done
     */
    public static NDArray ciou(NDArray box1, NDArray box2, NDManager manager) {
        NDArray two = manager.create(2f);
        NDArray zero = manager.create(0f);
        NDArray eps = manager.create(EPS);
        NDArray x1 = box1.get(":, 0");
        NDArray y1 = box1.get(":, 1");
        NDArray w1 = box1.get(":, 2");
        NDArray h1 = box1.get(":, 3");
        NDArray x2 = box2.get(":, 0");
        NDArray y2 = box2.get(":, 1");
        NDArray w2 = box2.get(":, 2");
        NDArray h2 = box2.get(":, 3");
        NDArray hw1 = w1.div(two);
        NDArray hh1 = h1.div(two);
        NDArray hw2 = w2.div(two);
        NDArray hh2 = h2.div(two);
        NDArray b1x1 = x1.sub(hw1);
        NDArray b1x2 = x1.add(hw1);
        NDArray b1y1 = y1.sub(hh1);
        NDArray b1y2 = y1.add(hh1);
        NDArray b2x1 = x2.sub(hw2);
        NDArray b2x2 = x2.add(hw2);
        NDArray b2y1 = y2.sub(hh2);
        NDArray b2y2 = y2.add(hh2);

        NDArray inter = b1x2.minimum(b2x2).sub(b1x1.maximum(b2x1)).maximum(zero)
                .mul(b1y2.minimum(b2y2).sub(b1y1.maximum(b2y1)).maximum(zero));
        NDArray union = w1.mul(h1).add(w2.mul(h2)).sub(inter).add(eps);
        NDArray iou = inter.div(union);

        NDArray cw = b1x2.maximum(b2x2).sub(b1x1.minimum(b2x1));
        NDArray ch = b1y2.maximum(b2y2).sub(b1y1.minimum(b2y1));
        NDArray c2 = cw.square().add(ch.square()).add(eps);
        NDArray rho2 = b2x1.add(b2x2).sub(b1x1).sub(b1x2).square()
                .add(b2y1.add(b2y2).sub(b1y1).sub(b1y2).square()).div(manager.create(4f));
        NDArray v = w2.div(h2).atan().sub(w1.div(h1).atan()).square().mul(manager.create((float) (4 / (Math.PI * Math.PI))));
        NDArray alpha = v.div(v.sub(iou).add(manager.create(1f + EPS))).stopGradient();
        return iou.sub(rho2.div(c2).add(v.mul(alpha)));
    }
}
