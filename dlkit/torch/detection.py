"""Chapter 11 in PyTorch: twins of :mod:`dlkit.numpy.detection`, plus what training a YOLO detector needs.

The twins keep the layouts of the NumPy module (corners (x1, y1, x2, y2);
a YOLO output (S, S, A, 5 + C) per image, [p_c, b_x, b_y, b_h, b_w, c_1 ..
c_C] per slot) and return tensors on their input's device.
:func:`build_yolo_target` and :func:`mean_average_precision` are
backend-neutral bookkeeping over lists of boxes: they live in the NumPy
module, are re-exported here and accept tensors.

A network predicts raw numbers; :func:`yolo_activate` turns them into an
output: p_c = sigmoid, (b_x, b_y) = sigmoid (a centre inside its cell),
(b_h, b_w) = exp (positive sizes; raw clamped to [-8, 4]), class
probabilities = softmax.  :func:`yolo_loss` is the notes' squared-error
loss, with YOLO v1's weights and square roots and a softmax class term.
"""

import torch

from dlkit._shapes import format_shape
from dlkit.numpy.detection import (_check_activated, _check_boxes, _check_grid, _check_image_shape, _check_nms,
                                   _filter_shapes)
from dlkit.numpy.detection import build_yolo_target, mean_average_precision  # noqa: F401 (part of this chapter's API)
from dlkit.torch._tensors import as_tensor

RAW_SIZE_RANGE = (-8.0, 4.0)  # b_h, b_w = exp(raw) with raw clamped to this range: sizes from 3e-4 to 55 cells


def iou(boxes1, boxes2):
    """Pairwise IoU of boxes1: (N, 4) and boxes2: (M, 4) corners -> (N, M); (4,), (4,) -> a Python float."""
    b1 = as_tensor("boxes1", boxes1)
    b2 = as_tensor("boxes2", boxes2, like=b1)
    _check_boxes("boxes1", b1)
    _check_boxes("boxes2", b2)
    single = b1.ndim == 1 and b2.ndim == 1
    b1, b2 = b1.reshape(-1, 4)[:, None, :], b2.reshape(-1, 4)[None, :, :]      # (N, 1, 4), (1, M, 4)
    inter_w = (torch.minimum(b1[..., 2], b2[..., 2]) - torch.maximum(b1[..., 0], b2[..., 0])).clamp(min=0)
    inter_h = (torch.minimum(b1[..., 3], b2[..., 3]) - torch.maximum(b1[..., 1], b2[..., 1])).clamp(min=0)
    inter = inter_w * inter_h                                                    # (N, M)
    area1 = (b1[..., 2] - b1[..., 0]) * (b1[..., 3] - b1[..., 1])                 # (N, 1)
    area2 = (b2[..., 2] - b2[..., 0]) * (b2[..., 3] - b2[..., 1])                 # (1, M)
    union = area1 + area2 - inter
    out = torch.where(union > 0, inter / torch.where(union > 0, union, torch.ones_like(union)), 0.0)
    return float(out[0, 0]) if single else out


def yolo_boxes_to_corners(Y):
    """Corners as fractions of the image: Y (S, S, A, 5 + C) or (m, S, S, A, 5 + C) -> (..., S, S, A, 4)."""
    Y = as_tensor("Y", Y)
    _check_grid(Y)
    S = Y.shape[-4]
    rows = torch.arange(S, dtype=Y.dtype, device=Y.device)[:, None, None]       # (S, 1, 1): i
    cols = torch.arange(S, dtype=Y.dtype, device=Y.device)[None, :, None]       # (1, S, 1): j
    cx, cy = (cols + Y[..., 1]) / S, (rows + Y[..., 2]) / S                     # (..., S, S, A)
    half_h, half_w = Y[..., 3] / (2 * S), Y[..., 4] / (2 * S)
    return torch.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], dim=-1)


def scale_boxes(boxes, image_shape):
    """Boxes (..., 4) as fractions -> pixels of image_shape = (height, width)."""
    boxes = as_tensor("boxes", boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes has shape {format_shape(boxes.shape)}, expected (..., 4) corners (x1, y1, x2, y2)")
    _check_image_shape(image_shape)
    height, width = image_shape
    return boxes * torch.tensor([width, height, width, height], dtype=boxes.dtype, device=boxes.device)


def yolo_filter_boxes(box_confidence, boxes, box_class_probs, threshold=0.6):
    """Boxes whose best score p_c * c_k is >= threshold: (scores (n,), boxes (n, 4), classes (n,) int64)."""
    conf = as_tensor("box_confidence", box_confidence)
    boxes, probs = as_tensor("boxes", boxes, like=conf), as_tensor("box_class_probs", box_class_probs, like=conf)
    if _filter_shapes(conf, boxes, probs):
        conf = conf[..., 0]                                                     # (..., 1) -> (...,)
    box_scores = conf[..., None] * probs                                        # (..., C)
    classes = torch.argmax(box_scores, dim=-1)                                  # (...,), the first on a tie
    scores = torch.gather(box_scores, -1, classes[..., None])[..., 0]
    keep = scores >= threshold                                                  # boolean indexing: row-major
    return scores[keep], boxes[keep], classes[keep]


def non_max_suppression(boxes, scores, iou_threshold=0.5, max_boxes=10):
    """Greedy NMS: int64 indices of the kept boxes by decreasing score (ties to the lower index)."""
    boxes = as_tensor("boxes", boxes)
    scores = as_tensor("scores", scores, like=boxes)
    if boxes.ndim != 2:
        raise ValueError(f"boxes has shape {format_shape(boxes.shape)}, expected (n, 4) corners (x1, y1, x2, y2)")
    _check_boxes("boxes", boxes)
    _check_nms(boxes.shape[0], scores.shape, iou_threshold, max_boxes)
    remaining = torch.argsort(-scores, stable=True)                             # best first
    keep = []
    while remaining.numel() and len(keep) < max_boxes:
        best, remaining = remaining[0], remaining[1:]
        keep.append(best)
        overlap = iou(boxes[best][None, :], boxes[remaining])[0]                # (n_remaining,)
        remaining = remaining[overlap <= iou_threshold]
    return torch.stack(keep) if keep else torch.zeros(0, dtype=torch.int64, device=boxes.device)


def yolo_eval(Y_pred, image_shape, score_threshold=0.6, iou_threshold=0.5, max_boxes=10):
    """Detections of one image's activated output Y_pred: (S, S, A, 5 + C): (scores, boxes in pixels, classes)."""
    Y_pred = as_tensor("Y_pred", Y_pred)
    _check_activated(Y_pred)
    boxes = scale_boxes(yolo_boxes_to_corners(Y_pred), image_shape)            # (S, S, A, 4) pixels
    scores, boxes, classes = yolo_filter_boxes(Y_pred[..., 0], boxes, Y_pred[..., 5:], score_threshold)
    _check_nms(boxes.shape[0], scores.shape, iou_threshold, max_boxes)
    kept = [torch.nonzero(classes == k)[:, 0][non_max_suppression(boxes[classes == k], scores[classes == k],
                                                                  iou_threshold, max_boxes)]
            for k in torch.unique(classes)]
    kept = torch.sort(torch.cat(kept + [classes.new_zeros(0)])).values         # row-major order
    kept = kept[torch.argsort(-scores[kept], stable=True)][:max_boxes]
    return scores[kept], boxes[kept], classes[kept]


def _check_raw(raw):
    if raw.ndim != 5 or raw.shape[1] != raw.shape[2] or raw.shape[-1] < 6:
        raise ValueError(f"raw has shape {format_shape(raw.shape)}, expected (m, S, S, A, 5 + C) with C >= 1")


def yolo_activate(raw):
    """The activated output of a network's raw prediction: (m, S, S, A, 5 + C) -> the same shape.

    p_c = sigmoid(raw), (b_x, b_y) = sigmoid(raw), (b_h, b_w) =
    exp(clamp(raw, -8, 4)), class probabilities = softmax of the last C raw
    numbers.
    """
    raw = as_tensor("raw", raw)
    _check_raw(raw)
    sizes = torch.exp(raw[..., 3:5].clamp(*RAW_SIZE_RANGE))
    return torch.cat([torch.sigmoid(raw[..., :3]), sizes, torch.softmax(raw[..., 5:], dim=-1)], dim=-1)


def yolo_loss(raw, Y, lambda_coord=5.0, lambda_noobj=0.5):
    """YOLO's training loss of raw predictions against targets Y, both (m, S, S, A, 5 + C): a scalar.

    With the activations of :func:`yolo_activate` (p_c, b_x, b_y, b_h, b_w),
    summed over the slots of an image and averaged over the m images:

        slot with an object (Y p_c = 1):  (p_c - 1)^2
            + lambda_coord [(b_x - y_x)^2 + (b_y - y_y)^2 + (sqrt b_h - sqrt y_h)^2 + (sqrt b_w - sqrt y_w)^2]
            - sum_k y_k log softmax(raw classes)_k
        empty slot:  lambda_noobj p_c^2

    The notes' squared error on p_c and the box, where an empty slot's
    box and classes are ignored; the weights lambda_coord = 5,
    lambda_noobj = 0.5 and the square roots (an error of a pixel matters more
    for a small box) are YOLO v1's; the class term is a cross-entropy on the
    softmax instead of a squared error.
    """
    raw = as_tensor("raw", raw)
    _check_raw(raw)
    Y = as_tensor("Y", Y, like=raw)
    if Y.shape != raw.shape:
        raise ValueError(f"Y has shape {format_shape(Y.shape)}, expected raw's {format_shape(raw.shape)} "
                         "(load_shapes' Y is (m, S, S, 5 + C): pass Y[:, :, :, None, :] for one anchor)")
    obj = Y[..., 0]                                                             # (m, S, S, A): 1 or 0
    p_c, centre = torch.sigmoid(raw[..., 0]), torch.sigmoid(raw[..., 1:3])
    sqrt_size = torch.exp(raw[..., 3:5].clamp(*RAW_SIZE_RANGE) / 2)            # sqrt(exp(r)) = exp(r / 2)
    coord = ((centre - Y[..., 1:3]) ** 2).sum(-1) + ((sqrt_size - torch.sqrt(Y[..., 3:5])) ** 2).sum(-1)
    classes = -(Y[..., 5:] * torch.log_softmax(raw[..., 5:], dim=-1)).sum(-1)
    per_slot = obj * ((p_c - 1) ** 2 + lambda_coord * coord + classes) + (1 - obj) * lambda_noobj * p_c ** 2
    return per_slot.sum(dim=(1, 2, 3)).mean()
