"""Chapter 11, object detection: IoU, non-max suppression, YOLO targets and outputs, mean average precision.

Boxes are corners (x1, y1, x2, y2), x to the right and y down, one box per
row of an (N, 4) array (a single box may be (4,)).  A YOLO output or target
for one image is Y: (S, S, A, 5 + C), for grid row i, column j and anchor a

    Y[i, j, a] = [p_c, b_x, b_y, b_h, b_w, c_1 .. c_C]

p_c: an object's centre is in the cell; (b_x, b_y): that centre relative
to the cell's top-left corner, in cell units (in [0, 1)); (b_h, b_w): the
box's height and width in cell units (may exceed 1); c: the class
probabilities (one-hot in a target).  ``load_shapes(...).Y`` is
(m, S, S, 5 + C), one anchor squeezed: ``Y[:, :, :, None, :]`` is this layout.

    IoU(A, B) = area(A n B) / area(A u B)                        0 when the union has no area
    corners:  x = (j + b_x) / S -/+ b_w / (2 S),  y = (i + b_y) / S -/+ b_h / (2 S)   (fractions of the image)
    score of class k = p_c * c_k;  a box keeps its best class and survives if that score >= threshold

Non-max suppression keeps the best remaining box and discards every other
box whose IoU with it is > iou_threshold, and repeats; :func:`yolo_eval`
runs it per class.  :func:`mean_average_precision` scores detections as in
PASCAL VOC 2010+: per class, the area under the precision-recall curve made
monotone from the right, averaged over the classes that have ground truth.
"""

import warnings

import numpy as np

from dlkit._shapes import format_shape
from dlkit.numpy._arrays import as_array


def _check_boxes(name, boxes):
    """boxes: (N, 4) or (4,) corners with x1 <= x2 and y1 <= y2; arrays or tensors."""
    if boxes.ndim not in (1, 2) or boxes.shape[-1] != 4:
        raise ValueError(f"{name} has shape {format_shape(boxes.shape)}, expected (N, 4) or (4,) corners "
                         "(x1, y1, x2, y2)")
    rows = boxes.reshape(-1, 4)
    bad = (rows[:, 2] < rows[:, 0]) | (rows[:, 3] < rows[:, 1])
    if bad.any():
        k = int(np.flatnonzero(np.asarray(bad.tolist()))[0])
        where = f"{name}[{k}]" if boxes.ndim == 2 else name
        raise ValueError(f"{where} = {[float(v) for v in rows[k]]} has x2 < x1 or y2 < y1, expected corners "
                         "(x1, y1, x2, y2) with x1 <= x2 and y1 <= y2")


def iou(boxes1, boxes2):
    """Pairwise intersection over union of boxes1: (N, 4) and boxes2: (M, 4) corners.  Returns (N, M).

    The intersection of two boxes is the box from the larger x1, y1 to the
    smaller x2, y2, empty when those cross; the union's area is the sum of
    the areas minus the intersection's.  Two single boxes (4,), (4,) give a
    Python float; boxes that only touch, or a union of area 0, give 0.

    >>> iou(np.array([0, 0, 2, 2]), np.array([1, 1, 3, 3]))       # 1 / (4 + 4 - 1)
    0.14285714285714285
    """
    b1, b2 = as_array("boxes1", boxes1), as_array("boxes2", boxes2)
    _check_boxes("boxes1", b1)
    _check_boxes("boxes2", b2)
    single = b1.ndim == 1 and b2.ndim == 1
    b1, b2 = b1.reshape(-1, 4)[:, None, :], b2.reshape(-1, 4)[None, :, :]      # (N, 1, 4), (1, M, 4)
    inter_w = np.maximum(np.minimum(b1[..., 2], b2[..., 2]) - np.maximum(b1[..., 0], b2[..., 0]), 0)
    inter_h = np.maximum(np.minimum(b1[..., 3], b2[..., 3]) - np.maximum(b1[..., 1], b2[..., 1]), 0)
    inter = inter_w * inter_h                                                    # (N, M)
    area1 = (b1[..., 2] - b1[..., 0]) * (b1[..., 3] - b1[..., 1])                 # (N, 1)
    area2 = (b2[..., 2] - b2[..., 0]) * (b2[..., 3] - b2[..., 1])                 # (1, M)
    union = area1 + area2 - inter
    out = np.where(union > 0, inter / np.where(union > 0, union, 1), 0).astype(inter.dtype)
    return float(out[0, 0]) if single else out


def _check_grid(Y):
    """Y: (S, S, A, 5 + C) or (m, S, S, A, 5 + C); arrays or tensors."""
    if Y.ndim not in (4, 5) or Y.shape[-4] != Y.shape[-3] or Y.shape[-1] < 6:
        raise ValueError(f"Y has shape {format_shape(Y.shape)}, expected (S, S, A, 5 + C) or (m, S, S, A, 5 + C) "
                         "with C >= 1")


def yolo_boxes_to_corners(Y):
    """Corners (x1, y1, x2, y2) of every predicted box, as fractions of the image (0..1).

    Y: (S, S, A, 5 + C) or (m, S, S, A, 5 + C).  For row i, column j:
    centre x = (j + b_x) / S, centre y = (i + b_y) / S, width b_w / S,
    height b_h / S.  Returns (S, S, A, 4) or (m, S, S, A, 4).
    """
    Y = as_array("Y", Y)
    _check_grid(Y)
    S = Y.shape[-4]
    rows = np.arange(S, dtype=Y.dtype)[:, None, None]                           # (S, 1, 1): i
    cols = np.arange(S, dtype=Y.dtype)[None, :, None]                           # (1, S, 1): j
    cx, cy = (cols + Y[..., 1]) / S, (rows + Y[..., 2]) / S                     # (..., S, S, A)
    half_h, half_w = Y[..., 3] / (2 * S), Y[..., 4] / (2 * S)
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=-1)


def _check_image_shape(image_shape):
    if len(image_shape) != 2 or min(image_shape) <= 0:
        raise ValueError(f"image_shape is {tuple(image_shape)!r}, expected (height, width), both positive")


def scale_boxes(boxes, image_shape):
    """Boxes (..., 4) as fractions of the image -> pixels: x times the width, y times the height.

    image_shape = (height, width).
    """
    boxes = as_array("boxes", boxes)
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes has shape {format_shape(boxes.shape)}, expected (..., 4) corners (x1, y1, x2, y2)")
    _check_image_shape(image_shape)
    height, width = image_shape
    return boxes * np.array([width, height, width, height], dtype=boxes.dtype)


def _filter_shapes(box_confidence, boxes, box_class_probs):
    """Checks the three shapes; returns the leading axes and whether box_confidence has a last axis of 1."""
    lead = tuple(boxes.shape[:-1])
    if boxes.ndim == 0 or boxes.shape[-1] != 4:
        raise ValueError(f"boxes has shape {format_shape(boxes.shape)}, expected (..., 4) corners (x1, y1, x2, y2)")
    if tuple(box_class_probs.shape[:-1]) != lead or box_class_probs.ndim == 0:
        raise ValueError(f"box_class_probs has shape {format_shape(box_class_probs.shape)}, expected "
                         f"(..., C) with the leading axes of boxes {format_shape(boxes.shape)}")
    if tuple(box_confidence.shape) not in (lead, lead + (1,)):
        raise ValueError(f"box_confidence has shape {format_shape(box_confidence.shape)}, expected "
                         f"{format_shape(lead + (1,))} or {format_shape(lead)}, the leading axes of boxes "
                         f"{format_shape(boxes.shape)}")
    return tuple(box_confidence.shape) != lead


def yolo_filter_boxes(box_confidence, boxes, box_class_probs, threshold=0.6):
    """Keep the boxes whose best class score p_c * c_k reaches ``threshold``.

    box_confidence: (..., 1) or (...,) p_c, boxes: (..., 4), box_class_probs:
    (..., C), with the same leading axes (e.g. S, S, A).  Returns (scores
    (n,), boxes (n, 4), classes (n,) int64) of the n surviving boxes, in
    row-major order of the leading axes; a box's class is its best (the first
    on a tie) and its score that class's score.
    """
    conf, boxes = as_array("box_confidence", box_confidence), as_array("boxes", boxes)
    probs = as_array("box_class_probs", box_class_probs)
    if _filter_shapes(conf, boxes, probs):
        conf = conf[..., 0]                                                     # (..., 1) -> (...,)
    box_scores = conf[..., None] * probs                                        # (..., C)
    classes = np.argmax(box_scores, axis=-1)                                    # (...,)
    scores = np.max(box_scores, axis=-1)
    keep = scores >= threshold                                                  # boolean indexing: row-major
    return scores[keep], boxes[keep], classes[keep].astype(np.int64)


def _check_nms(n_boxes, scores_shape, iou_threshold, max_boxes):
    if tuple(scores_shape) != (n_boxes,):
        raise ValueError(f"scores has shape {format_shape(scores_shape)}, expected (n,) = ({n_boxes},), "
                         "one per box")
    if not 0 <= iou_threshold <= 1:
        raise ValueError(f"iou_threshold is {iou_threshold!r}, expected a number in [0, 1]")
    if not isinstance(max_boxes, (int, np.integer)) or isinstance(max_boxes, bool) or max_boxes < 1:
        raise ValueError(f"max_boxes is {max_boxes!r}, expected a positive int")


def non_max_suppression(boxes, scores, iou_threshold=0.5, max_boxes=10):
    """Greedy non-max suppression of boxes: (n, 4) with scores: (n,).

    Repeat: keep the best remaining box (highest score; ties to the lower
    index), then discard every remaining box whose IoU with it is greater
    than iou_threshold (an IoU equal to it stays); stop after max_boxes.
    Returns the int64 indices of the kept boxes, by decreasing score.

    >>> boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
    >>> non_max_suppression(boxes, np.array([0.6, 0.9, 0.7]))
    array([1, 2])
    """
    boxes, scores = as_array("boxes", boxes), as_array("scores", scores)
    if boxes.ndim != 2:
        raise ValueError(f"boxes has shape {format_shape(boxes.shape)}, expected (n, 4) corners (x1, y1, x2, y2)")
    _check_boxes("boxes", boxes)
    _check_nms(boxes.shape[0], scores.shape, iou_threshold, max_boxes)
    remaining = np.argsort(-scores, kind="stable")                              # best first
    keep = []
    while remaining.size and len(keep) < max_boxes:
        best, remaining = remaining[0], remaining[1:]
        keep.append(best)
        overlap = iou(boxes[best][None, :], boxes[remaining])[0]                # (n_remaining,)
        remaining = remaining[overlap <= iou_threshold]
    return np.array(keep, dtype=np.int64)


def _check_activated(Y_pred):
    if Y_pred.ndim != 4:
        raise ValueError(f"Y_pred has shape {format_shape(Y_pred.shape)}, expected one image's (S, S, A, 5 + C)")
    _check_grid(Y_pred)
    if (Y_pred[..., 0] < 0).any() or (Y_pred[..., 0] > 1).any() or (Y_pred[..., 3:5] < 0).any():
        raise ValueError("Y_pred has p_c outside [0, 1] or negative sizes b_h, b_w: expected the activated output "
                         "(dlkit.torch.detection.yolo_activate), not the network's raw one")


def yolo_eval(Y_pred, image_shape, score_threshold=0.6, iou_threshold=0.5, max_boxes=10):
    """Detections of one image from its activated YOLO output Y_pred: (S, S, A, 5 + C).

    Corners (:func:`yolo_boxes_to_corners`) scaled to pixels of image_shape =
    (height, width) (:func:`scale_boxes`), filtered by score
    (:func:`yolo_filter_boxes`), then non-max suppression per class; all kept
    boxes sorted by decreasing score (ties in row-major grid order) and cut
    to max_boxes.  Returns (scores (n,), boxes (n, 4) in pixels, classes (n,) int64).
    """
    Y_pred = as_array("Y_pred", Y_pred)
    _check_activated(Y_pred)
    boxes = scale_boxes(yolo_boxes_to_corners(Y_pred), image_shape)            # (S, S, A, 4) pixels
    scores, boxes, classes = yolo_filter_boxes(Y_pred[..., 0], boxes, Y_pred[..., 5:], score_threshold)
    _check_nms(boxes.shape[0], scores.shape, iou_threshold, max_boxes)
    kept = [np.flatnonzero(classes == k)[non_max_suppression(boxes[classes == k], scores[classes == k],
                                                             iou_threshold, max_boxes)]
            for k in np.unique(classes)]
    kept = np.sort(np.concatenate(kept + [np.zeros(0, dtype=np.int64)]))       # row-major order
    kept = kept[np.argsort(-scores[kept], kind="stable")][:max_boxes]
    return scores[kept], boxes[kept], classes[kept]


def _numpy(x):
    """Arrays, lists and tensors (any device) as a NumPy array."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _as_labels(name, labels, k, n_classes):
    labels = _numpy(labels)
    if labels.size == 0:
        labels = labels.reshape(0)                                              # [] or (0, 1): no labels
    if tuple(labels.shape) != (k,):
        raise ValueError(f"{name} has shape {format_shape(labels.shape)}, expected ({k},), one per box")
    if labels.dtype.kind not in "biuf" or (labels.dtype.kind == "f" and not np.all(labels == np.round(labels))):
        raise ValueError(f"{name} has dtype {labels.dtype} with non-integer values, expected integer class labels")
    if k and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{name} holds labels from {int(labels.min())} to {int(labels.max())}, expected integers "
                         f"in 0..{n_classes - 1}")
    return labels.astype(np.int64)


def _as_box_list(name, boxes):
    """(k, 4) float64 corners; an empty input of any shape is (0, 4)."""
    boxes = _numpy(boxes)
    if boxes.size == 0:
        boxes = boxes.reshape(0, 4)
    boxes = as_array(name, boxes).astype(np.float64)
    if boxes.ndim != 2:
        raise ValueError(f"{name} has shape {format_shape(boxes.shape)}, expected (k, 4) corners (x1, y1, x2, y2)")
    _check_boxes(name, boxes)
    return boxes


def _check_positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} is {value!r}, expected a positive int")


def _shape_iou(h, w, anchors):
    """IoU of a box of shape (h, w) with each anchor (h_a, w_a), all centred at one point.  Returns (A,)."""
    inter = np.minimum(h, anchors[:, 0]) * np.minimum(w, anchors[:, 1])
    return inter / (h * w + anchors[:, 0] * anchors[:, 1] - inter)


def build_yolo_target(boxes, labels, image_size, S, n_classes, anchors=None):
    """The YOLO target Y: (S, S, A, 5 + C) float64 of one square image with these objects.

    boxes: (k, 4) corners in pixels of an image_size x image_size picture,
    labels: (k,) ints in [0, n_classes); anchors: (A, 2) anchor shapes
    (height, width) in cell units, None for one anchor.  Each object goes to
    the cell that holds its centre (a centre on the right or bottom edge of
    the image to the last cell), to the anchor whose shape best matches the
    box's (IoU of the two shapes centred at one point; ties to the lower
    index), or the next best free anchor if that one is taken by an earlier
    object; an object with no free anchor left is dropped with a warning.
    The slot gets [1, b_x, b_y, b_h, b_w] and a one-hot class; other slots
    stay 0.

    >>> Y = build_yolo_target(np.array([[8.0, 40.0, 24.0, 64.0]]), [2], 64, 4, 3)
    >>> Y[3, 1, 0]                      # centre (16, 52): row 52 // 16 = 3, column 16 // 16 = 1
    array([1.  , 0.  , 0.25, 1.5 , 1.  , 0.  , 0.  , 1.  ])
    """
    _check_positive_int("S", S)
    _check_positive_int("n_classes", n_classes)
    if not image_size > 0:
        raise ValueError(f"image_size is {image_size!r}, expected a positive number of pixels")
    boxes = _as_box_list("boxes", boxes)
    labels = _as_labels("labels", labels, boxes.shape[0], n_classes)
    outside = (boxes[:, :2] < 0).any(axis=1) | (boxes[:, 2:] > image_size).any(axis=1)
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise ValueError(f"boxes[{k}] = {boxes[k].tolist()} is not inside the {image_size} x {image_size} image, "
                         f"expected 0 <= x1, y1 and x2, y2 <= {image_size}")
    if anchors is None:
        anchors = np.ones((1, 2))
    anchors = as_array("anchors", anchors)
    if anchors.ndim != 2 or anchors.shape[1] != 2 or anchors.shape[0] < 1 or (anchors <= 0).any():
        raise ValueError(f"anchors has shape {format_shape(anchors.shape)}, expected (A, 2) positive (height, width) "
                         "in cell units")
    Y = np.zeros((S, S, anchors.shape[0], 5 + n_classes))
    cell = image_size / S
    for n, ((x1, y1, x2, y2), k) in enumerate(zip(boxes, labels)):
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        col, row = min(int(cx // cell), S - 1), min(int(cy // cell), S - 1)
        h, w = (y2 - y1) / cell, (x2 - x1) / cell
        free = [a for a in np.argsort(-_shape_iou(h, w, anchors), kind="stable") if Y[row, col, a, 0] == 0]
        if not free:
            warnings.warn(f"object {n} (box {boxes[n].tolist()}, label {k}) dropped: all {anchors.shape[0]} "
                          f"anchor(s) of cell (row {row}, column {col}) are taken", stacklevel=2)
            continue
        Y[row, col, free[0], :5] = [1.0, cx / cell - col, cy / cell - row, h, w]
        Y[row, col, free[0], 5 + k] = 1.0
    return Y


def _average_precision(tp, n_true):
    """All-point interpolated AP of detections sorted by decreasing score; tp: (n,) bools."""
    hits = np.cumsum(tp)
    recall = np.concatenate([[0.0], hits / n_true])
    precision = np.concatenate([[0.0], hits / np.arange(1, tp.size + 1)])
    precision = np.maximum.accumulate(precision[::-1])[::-1]                    # monotone from the right
    return float(np.sum(np.diff(recall) * precision[1:]))


def mean_average_precision(pred_boxes, pred_scores, pred_labels, true_boxes, true_labels, n_classes,
                           iou_threshold=0.5):
    """Mean average precision of detections over a set of images (PASCAL VOC 2010+ all-point AP).

    Arguments are lists with one entry per image: pred_boxes[i]: (k_i, 4),
    pred_scores[i]: (k_i,), pred_labels[i]: (k_i,) ints, true_boxes[i]:
    (g_i, 4), true_labels[i]: (g_i,) ints.  Per class: its predictions over
    all images by decreasing score (stable); each one is a true positive if
    the unmatched ground-truth box of its class and image with the highest
    IoU reaches iou_threshold (that box is then matched), else a false
    positive.  With precision P_n = TP_n / n and recall R_n = TP_n / G after
    the n best predictions (G ground-truth boxes of the class),

        AP = sum_n (R_n - R_{n-1}) max_{n' >= n} P_{n'}

    A class without ground truth has AP nan and is left out of the mean.
    Returns (mAP, AP (n_classes,)).
    """
    _check_positive_int("n_classes", n_classes)
    if not 0 < iou_threshold <= 1:
        raise ValueError(f"iou_threshold is {iou_threshold!r}, expected a number in (0, 1]")
    lists = {"pred_boxes": pred_boxes, "pred_scores": pred_scores, "pred_labels": pred_labels,
             "true_boxes": true_boxes, "true_labels": true_labels}
    lengths = {name: len(value) for name, value in lists.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"the lists have lengths {lengths}, expected one entry per image in each")
    preds, truths = [], []
    for i in range(len(pred_boxes)):
        boxes = _as_box_list(f"pred_boxes[{i}]", pred_boxes[i])
        scores = _numpy(pred_scores[i]).astype(np.float64).reshape(-1)
        if scores.shape != (boxes.shape[0],):
            raise ValueError(f"pred_scores[{i}] has shape {format_shape(np.shape(pred_scores[i]))}, expected "
                             f"({boxes.shape[0]},), one per box of pred_boxes[{i}]")
        preds.append((boxes, scores, _as_labels(f"pred_labels[{i}]", pred_labels[i], boxes.shape[0], n_classes)))
        gt = _as_box_list(f"true_boxes[{i}]", true_boxes[i])
        truths.append((gt, _as_labels(f"true_labels[{i}]", true_labels[i], gt.shape[0], n_classes)))
    if sum(gt.shape[0] for gt, _ in truths) == 0:
        raise ValueError("there are no ground-truth boxes: average precision is undefined")
    AP = np.full(n_classes, np.nan)
    for c in range(n_classes):
        n_true = sum(int(np.sum(labels == c)) for _, labels in truths)
        if n_true == 0:
            continue
        found = [(score, i, box) for i, (boxes, scores, labels) in enumerate(preds)
                 for box, score, label in zip(boxes, scores, labels) if label == c]
        order = np.argsort([-score for score, _, _ in found], kind="stable")
        matched = [np.zeros(int(np.sum(labels == c)), dtype=bool) for _, labels in truths]
        tp = np.zeros(len(found), dtype=bool)
        for n, f in enumerate(order):
            _, i, box = found[f]
            gt = truths[i][0][truths[i][1] == c]                                # (g, 4): class c in image i
            overlap = np.where(matched[i], -1.0, iou(box[None, :], gt)[0]) if gt.size else np.zeros(0)
            if overlap.size and overlap.max() >= iou_threshold:
                matched[i][np.argmax(overlap)] = True
                tp[n] = True
        AP[c] = _average_precision(tp, n_true)
    return float(np.nanmean(AP)), AP
