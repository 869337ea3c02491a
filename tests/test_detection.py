"""Chapter 11: IoU, non-max suppression, YOLO targets, filtering and evaluation, mean average precision, TinyYOLO.

Oracles written independently here: IoU by counting the pixels of rasterized
integer boxes, a recursive non-max suppression, a loop-by-loop mAP with its
own IoU; load_shapes' own YOLO targets; hand-worked numbers (a precision-recall
table); and the torch twins against NumPy.
"""

import numpy as np
import pytest

from dlkit.data import load_shapes
from dlkit.numpy import detection as det
from dlkit.testing import rel_error


def _torch():
    return pytest.importorskip("torch", reason="the torch extra is not installed")


def _int_boxes(rng, n, size=20):
    """n integer boxes inside a size x size grid, some of width or height 0."""
    corners = rng.integers(0, size + 1, (n, 2, 2))                  # (n, 2 points, (x, y))
    lo, hi = corners.min(axis=1), corners.max(axis=1)
    return np.hstack([lo, hi]).astype(np.float64)                    # (n, 4): x1, y1, x2, y2


def _raster(box, size=24):
    """Boolean (size, size) mask of the unit pixels [x, x+1) x [y, y+1) inside an integer box."""
    x1, y1, x2, y2 = box.astype(int)
    mask = np.zeros((size, size), dtype=bool)
    mask[y1:y2, x1:x2] = True
    return mask


def _pixel_iou(a, b):
    inter, union = np.sum(_raster(a) & _raster(b)), np.sum(_raster(a) | _raster(b))
    return inter / union if union else 0.0


def test_iou_of_integer_boxes_counts_pixels(rng):
    A, B = _int_boxes(rng, 30), _int_boxes(rng, 25)
    expected = np.array([[_pixel_iou(a, b) for b in B] for a in A])
    got = det.iou(A, B)
    assert got.shape == (30, 25)
    assert np.mean((expected > 0) & (expected < 1)) > 0.2          # many partial overlaps, not just 0s and 1s
    assert rel_error(got, expected) < 1e-12
    assert np.array_equal(det.iou(B, A), got.T)                      # symmetric
    assert det.iou(A[3], B[4]) == pytest.approx(expected[3, 4], rel=1e-12) and isinstance(det.iou(A[3], B[4]), float)


def test_iou_hand_cases():
    box = np.array([2.0, 3.0, 7.0, 9.0])
    assert det.iou(box, box) == 1.0
    assert det.iou(box, np.array([10.0, 10.0, 12.0, 12.0])) == 0.0   # disjoint
    assert det.iou(box, np.array([7.0, 3.0, 9.0, 9.0])) == 0.0       # touching along x = 7
    assert det.iou(box, np.array([0.0, 0.0, 2.0, 3.0])) == 0.0       # touching at the corner (2, 3)
    assert det.iou(np.array([1.0, 1.0, 1.0, 5.0]), np.array([1.0, 1.0, 1.0, 5.0])) == 0.0  # union of area 0
    assert det.iou(np.array([0.0, 0.0, 2.0, 2.0]), np.array([1.0, 1.0, 3.0, 3.0])) == pytest.approx(1 / 7)
    assert det.iou(np.zeros((0, 4)), np.ones((3, 4))).shape == (0, 3)
    assert det.iou(np.ones((2, 4)), np.zeros((0, 4))).shape == (2, 0)


def _scalar_iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _nms_reference(boxes, scores, threshold, max_boxes, candidates=None):
    """Recursive: the best candidate (highest score, then lowest index), then NMS of those it does not suppress."""
    candidates = list(range(len(boxes))) if candidates is None else candidates
    if not candidates or max_boxes == 0:
        return []
    best = min(candidates, key=lambda i: (-scores[i], i))
    rest = [i for i in candidates if i != best and _scalar_iou(boxes[best], boxes[i]) <= threshold]
    return [best] + _nms_reference(boxes, scores, threshold, max_boxes - 1, rest)


@pytest.mark.parametrize("threshold, max_boxes", [(0.5, 10), (0.3, 4), (0.0, 50), (0.7, 50)])
def test_non_max_suppression_matches_a_recursive_reference(rng, threshold, max_boxes):
    for _ in range(10):
        boxes = _int_boxes(rng, 25, size=12)                         # crowded: many overlaps
        scores = np.round(rng.random(25), 1)                         # ties
        got = det.non_max_suppression(boxes, scores, threshold, max_boxes)
        assert got.dtype == np.int64
        assert got.tolist() == _nms_reference(boxes, scores, threshold, max_boxes)


def test_non_max_suppression_hand_cases():
    boxes = np.array([[0, 0, 2, 1], [0, 0, 1, 1], [5, 5, 6, 6], [5, 5, 6, 6]], dtype=float)
    # boxes 0 and 1 have IoU 1/2 exactly: not greater than 0.5, both stay; 2 and 3 are identical, equal scores
    np.testing.assert_array_equal(det.non_max_suppression(boxes, np.array([0.9, 0.8, 0.7, 0.7]), 0.5), [0, 1, 2])
    np.testing.assert_array_equal(det.non_max_suppression(boxes, np.array([0.9, 0.8, 0.7, 0.7]), 0.49), [0, 2])
    np.testing.assert_array_equal(det.non_max_suppression(boxes, np.array([0.5, 0.5, 0.5, 0.5]), 0.5), [0, 1, 2])
    np.testing.assert_array_equal(det.non_max_suppression(boxes, np.array([0.1, 0.2, 0.3, 0.9]), 0.5), [3, 1, 0])
    np.testing.assert_array_equal(det.non_max_suppression(boxes, np.array([0.9, 0.8, 0.7, 0.6]), 0.5, 2), [0, 1])
    empty = det.non_max_suppression(np.zeros((0, 4)), np.zeros(0))
    assert empty.shape == (0,) and empty.dtype == np.int64


def test_yolo_filter_boxes_on_a_hand_made_grid():
    # 2 x 2 grid, 2 anchors, 3 classes: (p_c, class probabilities) per (row, column, anchor)
    conf = np.array([[[0.9, 0.2], [0.7, 0.65]], [[0.0, 1.0], [0.95, 0.5]]])          # (2, 2, 2)
    probs = np.full((2, 2, 2, 3), 1 / 3)
    probs[0, 0, 0] = [0.1, 0.8, 0.1]     # 0.72 for class 1: kept
    probs[0, 1, 0] = [0.5, 0.5, 0.0]     # 0.35 at best: dropped
    probs[0, 1, 1] = [0.0, 0.0, 1.0]     # 0.65 for class 2: kept
    probs[1, 0, 1] = [0.6, 0.0, 0.4]     # 0.6, equal to the threshold: kept
    probs[1, 1, 0] = [0.3, 0.4, 0.3]     # 0.38: dropped
    boxes = np.arange(2 * 2 * 2 * 4, dtype=float).reshape(2, 2, 2, 4)
    scores, kept, classes = det.yolo_filter_boxes(conf[..., None], boxes, probs, threshold=0.6)
    np.testing.assert_allclose(scores, [0.72, 0.65, 0.6], rtol=1e-12)
    np.testing.assert_array_equal(kept, boxes[[0, 0, 1], [0, 1, 0], [0, 1, 1]])      # row-major order
    np.testing.assert_array_equal(classes, [1, 2, 0])
    assert classes.dtype == np.int64
    again = det.yolo_filter_boxes(conf, boxes, probs, threshold=0.6)                 # p_c as (...,) too
    np.testing.assert_array_equal(again[2], classes)


def test_yolo_eval_returns_the_boxes_a_target_was_built_from():
    boxes = np.array([[1.0, 43, 13, 56], [23, 33, 47, 57], [7, 0, 30, 23], [50, 2, 62, 20]])
    labels = np.array([1, 0, 0, 2])
    Y = det.build_yolo_target(boxes, labels, 64, 4, 3)
    scores, found, classes = det.yolo_eval(Y, (64, 64))
    # all scores are 1, so the order is the grid's row-major order: rows 0 (columns 1, 3), 2, 3
    order = [2, 3, 1, 0]
    np.testing.assert_array_equal(scores, np.ones(4))
    assert rel_error(found, boxes[order]) < 1e-12
    np.testing.assert_array_equal(classes, labels[order])
    scaled = det.yolo_eval(Y, (128, 32))[1]                          # (height, width): y doubled, x halved
    assert rel_error(scaled, boxes[order] * [0.5, 2, 0.5, 2]) < 1e-12


def test_yolo_eval_suppresses_per_class_and_cuts_to_max_boxes():
    Y = np.zeros((2, 2, 2, 7))
    box = [0.5, 0.5, 1.0, 1.0]                                       # centred in its cell, one cell wide
    Y[0, 0, 0] = [0.9, *box, 1, 0]
    Y[0, 0, 1] = [0.8, *box, 1, 0]                                   # the same box, the same class: suppressed
    Y[0, 1, 0] = [0.7, 0.0, 0.5, 1.0, 1.0, 0, 1]                     # overlaps the first, another class: kept
    Y[1, 1, 1] = [0.95, *box, 0, 1]
    scores, boxes, classes = det.yolo_eval(Y, (100, 100))
    np.testing.assert_allclose(scores, [0.95, 0.9, 0.7])
    np.testing.assert_array_equal(classes, [1, 0, 1])
    assert rel_error(boxes[1], np.array([0.0, 0.0, 50.0, 50.0])) < 1e-12
    assert det.yolo_eval(Y, (100, 100), max_boxes=2)[0].tolist() == [0.95, 0.9]
    assert det.yolo_eval(Y, (100, 100), score_threshold=0.99)[0].shape == (0,)
    with pytest.raises(ValueError, match="activated output"):
        det.yolo_eval(Y - 0.5, (100, 100))


def test_yolo_boxes_to_corners_on_a_batch():
    Y = np.zeros((2, 4, 4, 1, 8))
    Y[1, 2, 3, 0, :5] = [1, 0.5, 0.25, 2.0, 1.0]                      # row 2, column 3
    corners = det.yolo_boxes_to_corners(Y)
    assert corners.shape == (2, 4, 4, 1, 4)
    centre_x, centre_y = (3 + 0.5) / 4, (2 + 0.25) / 4
    np.testing.assert_allclose(corners[1, 2, 3, 0], [centre_x - 0.125, centre_y - 0.25, centre_x + 0.125,
                                                     centre_y + 0.25], rtol=1e-12)
    np.testing.assert_allclose(det.scale_boxes(corners[1, 2, 3, 0], (64, 32)),
                               corners[1, 2, 3, 0] * [32, 64, 32, 64], rtol=1e-12)


def test_build_yolo_target_equals_load_shapes_targets():
    data = load_shapes(m=50)
    for i in range(50):
        Y = det.build_yolo_target(data.boxes[i], data.labels[i], 64, 4, 3)
        assert Y.shape == (4, 4, 1, 8) and Y.dtype == np.float64
        np.testing.assert_array_equal(Y, data.Y[i][:, :, None, :])


def test_build_yolo_target_anchor_assignment_collisions_and_drops():
    anchors = np.array([[1.0, 2.0], [2.0, 1.0]])                     # (height, width): wide, then tall
    tall = np.array([[4.0, 0.0, 12.0, 16.0]])                        # h 2 cells, w 1 in an 8-pixel grid of 4 x 4
    Y = det.build_yolo_target(tall, [0], 32, 4, 2, anchors)
    assert Y.shape == (4, 4, 2, 7)
    np.testing.assert_array_equal(Y[1, 1, 1], [1, 0, 0, 2, 1, 1, 0])  # centre (8, 8): row 1, column 1, tall anchor
    assert Y.sum() == Y[1, 1, 1].sum()
    two_tall = np.array([[4.0, 0.0, 12.0, 16.0], [6.0, 1.0, 10.0, 15.0]])
    Y = det.build_yolo_target(two_tall, [0, 1], 32, 4, 2, anchors)
    assert Y[1, 1, 1, 6] == 0 and Y[1, 1, 1, 5] == 1                 # the first object keeps the tall anchor
    np.testing.assert_allclose(Y[1, 1, 0], [1, 0, 0, 14 / 8, 4 / 8, 0, 1])  # the second takes the other one
    three = np.vstack([two_tall, [[7.0, 7.0, 9.0, 9.0]]])
    with pytest.warns(UserWarning, match=r"object 2 .* dropped: .* cell \(row 1, column 1\)"):
        Y = det.build_yolo_target(three, [0, 1, 0], 32, 4, 2, anchors)
    assert Y[..., 0].sum() == 2
    with pytest.warns(UserWarning, match="object 1"):                # one anchor: a second centre in a cell
        det.build_yolo_target(two_tall, [0, 1], 32, 4, 2)
    edge = det.build_yolo_target(np.array([[24.0, 32.0, 32.0, 32.0]]), [1], 32, 4, 2)  # centre (28, 32): bottom edge
    assert edge[3, 3, 0, 0] == 1 and edge[3, 3, 0, 2] == 1.0
    assert not det.build_yolo_target(np.zeros((0, 4)), np.zeros(0, dtype=int), 32, 4, 2).any()


def _map_reference(preds, truths, n_classes, threshold=0.5):
    """Loop-by-loop mAP: preds[i] = [(box, score, label)], truths[i] = [(box, label)]."""
    APs = []
    for c in range(n_classes):
        n_true = sum(label == c for t in truths for _, label in t)
        if n_true == 0:
            APs.append(np.nan)
            continue
        found = sorted(((score, i, n, box) for i, p in enumerate(preds) for n, (box, score, label) in enumerate(p)
                        if label == c), key=lambda f: (-f[0], f[1], f[2]))
        used, hits, curve = set(), 0, []
        for rank, (_, i, _, box) in enumerate(found, 1):
            candidates = [(_pixel_iou(box, gt), g) for g, (gt, label) in enumerate(truths[i])
                          if label == c and (i, g) not in used]
            best = max(candidates, default=(-1.0, None))
            if best[0] >= threshold:
                used.add((i, best[1]))
                hits += 1
            curve.append((hits / n_true, hits / rank, best[0] >= threshold))  # recall, precision, a hit here
        # each hit raises the recall by 1 / n_true; weigh it by the best precision at this recall or beyond
        APs.append(sum(max(p for r2, p, _ in curve if r2 >= r) / n_true for r, _, hit in curve if hit))
    return float(np.nanmean(APs)), np.array(APs)


def test_mean_average_precision_hand_worked_case():
    # class 0: ground truth A, B in image 0 and C in image 1; five predictions by decreasing score:
    #   n  score  image  box               match                       TP  precision  recall
    #   1  0.9    0      A exactly         A                           1   1/1        1/3
    #   2  0.8    0      [1,1,10,10]       A taken (IoU .81), B 0      0   1/2        1/3
    #   3  0.7    1      C exactly         C                           1   2/3        2/3
    #   4  0.6    0      [40,40,50,50]     nothing                     0   2/4        2/3
    #   5  0.5    0      [20,20,30,31]     B (IoU 100/110)             1   3/5        3/3
    # precision made monotone from the right: 1, 2/3, 2/3, 3/5, 3/5; the recall rises at n = 1, 3, 5:
    # AP = 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/5 = 15/45 + 10/45 + 9/45 = 34/45.
    # class 1 has one ground-truth box and no prediction: AP 0; class 2 has a prediction and no ground
    # truth: AP nan, left out of the mean: mAP = (34/45 + 0) / 2 = 17/45.
    A, B, C = [0, 0, 10, 10], [20, 20, 30, 30], [0, 0, 10, 10]
    pred_boxes = [np.array([A, [1, 1, 10, 10], [40, 40, 50, 50], [20, 20, 30, 31]], dtype=float),
                  np.array([C, [30, 30, 40, 40]], dtype=float)]
    pred_scores = [np.array([0.9, 0.8, 0.6, 0.5]), np.array([0.7, 0.99])]
    pred_labels = [np.array([0, 0, 0, 0]), np.array([0, 2])]
    true_boxes = [np.array([A, B], dtype=float), np.array([C, [30, 30, 40, 40]], dtype=float)]
    true_labels = [np.array([0, 0]), np.array([0, 1])]
    mAP, AP = det.mean_average_precision(pred_boxes, pred_scores, pred_labels, true_boxes, true_labels, 3)
    assert AP[0] == pytest.approx(34 / 45, rel=1e-12) and AP[1] == 0 and np.isnan(AP[2])
    assert mAP == pytest.approx(17 / 45, rel=1e-12)


def test_perfect_predictions_score_one():
    data = load_shapes(m=20)
    scores = [np.linspace(1, 0.5, len(b)) for b in data.boxes]
    mAP, AP = det.mean_average_precision(data.boxes, scores, data.labels, data.boxes, data.labels, 3)
    assert mAP == 1.0 and np.all(AP == 1.0)


def test_mean_average_precision_matches_a_loop_by_loop_reference(rng):
    for threshold in (0.5, 0.3, 0.75):
        n_images = 6
        preds, truths = [], []
        for _ in range(n_images):
            gt = _int_boxes(rng, rng.integers(0, 5))
            truths.append([(b, int(rng.integers(3))) for b in gt])
            guesses = [b + rng.integers(0, 2, 4) * [0, 0, 1, 1] for b in gt] + list(_int_boxes(rng, 3))  # near misses
            preds.append([(b, float(np.round(rng.random(), 1)), int(rng.integers(3))) for b in guesses])
        if not any(truths):
            continue
        args = ([np.array([b for b, _, _ in p]).reshape(-1, 4) for p in preds], [np.array([s for _, s, _ in p])
                                                                               for p in preds],
                [np.array([k for _, _, k in p], dtype=int) for p in preds],
                [np.array([b for b, _ in t]).reshape(-1, 4) for t in truths],
                [np.array([k for _, k in t], dtype=int) for t in truths])
        mAP, AP = det.mean_average_precision(*args, n_classes=3, iou_threshold=threshold)
        ref_mAP, ref_AP = _map_reference(preds, truths, 3, threshold)
        np.testing.assert_allclose(AP, ref_AP, rtol=1e-12)
        assert mAP == pytest.approx(ref_mAP, rel=1e-12)


def test_bad_input_names_the_shapes_and_the_boxes():
    with pytest.raises(ValueError, match=r"boxes1\[1\] = \[5.0, 0.0, 2.0, 3.0\] has x2 < x1"):
        det.iou(np.array([[0, 0, 1, 1], [5, 0, 2, 3]]), np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"boxes2 has shape \(3, 5\), expected \(N, 4\)"):
        det.iou(np.zeros((2, 4)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"scores has shape \(2,\), expected \(n,\) = \(3,\)"):
        det.non_max_suppression(np.zeros((3, 4)), np.zeros(2))
    with pytest.raises(ValueError, match=r"box_class_probs has shape \(4, 4, 1, 3\)"):
        det.yolo_filter_boxes(np.ones((4, 4, 1)), np.zeros((4, 4, 2, 4)), np.ones((4, 4, 1, 3)))
    with pytest.raises(ValueError, match=r"box_confidence has shape \(4, 4\)"):
        det.yolo_filter_boxes(np.ones((4, 4)), np.zeros((4, 4, 2, 4)), np.ones((4, 4, 2, 3)))
    with pytest.raises(ValueError, match=r"Y has shape \(4, 3, 1, 8\)"):
        det.yolo_boxes_to_corners(np.zeros((4, 3, 1, 8)))
    with pytest.raises(ValueError, match=r"boxes has shape \(2, 3\)"):
        det.scale_boxes(np.zeros((2, 3)), (64, 64))
    with pytest.raises(ValueError, match=r"boxes\[0\] = \[4.0, 9.0, 8.0, 2.0\] has x2 < x1 or y2 < y1"):
        det.build_yolo_target(np.array([[4.0, 9.0, 8.0, 2.0]]), [0], 32, 4, 2)
    with pytest.raises(ValueError, match="labels holds labels from 0 to 2, expected integers in 0..1"):
        det.build_yolo_target(np.array([[0, 0, 4, 4], [4, 4, 8, 8]]), [0, 2], 32, 4, 2)
    with pytest.raises(ValueError, match=r"boxes\[0\] = \[20.0, 20.0, 40.0, 30.0\] is not inside the 32 x 32 image"):
        det.build_yolo_target(np.array([[20.0, 20.0, 40.0, 30.0]]), [0], 32, 4, 2)
    one = [np.array([[0.0, 0, 4, 4]])]
    with pytest.raises(ValueError, match=r"lengths \{'pred_boxes': 1, 'pred_scores': 2"):
        det.mean_average_precision(one, [np.ones(1)] * 2, [np.zeros(1, int)], one, [np.zeros(1, int)], 2)
    with pytest.raises(ValueError, match=r"pred_scores\[0\] has shape \(2,\), expected \(1,\)"):
        det.mean_average_precision(one, [np.ones(2)], [np.zeros(1, int)], one, [np.zeros(1, int)], 2)
    with pytest.raises(ValueError, match="no ground-truth boxes"):
        det.mean_average_precision(one, [np.ones(1)], [np.zeros(1, int)], [np.zeros((0, 4))], [np.zeros(0, int)], 2)


# --- PyTorch: the twins, the activation, the loss and TinyYOLO ----------------------------------

def _random_output(rng, S=4, A=2, C=3):
    """An activated output with many confident, overlapping boxes."""
    Y = np.concatenate([rng.random((S, S, A, 3)), 0.5 + 2 * rng.random((S, S, A, 2)),
                        rng.dirichlet(np.ones(C) * 0.3, (S, S, A))], axis=-1)
    Y[..., 0] = 0.3 + 0.7 * Y[..., 0]
    return Y


def test_torch_twins_agree_with_numpy_on_crowded_random_cases(device, rng):
    torch = _torch()
    from dlkit.torch import detection as tdet
    for _ in range(5):
        Y = _random_output(rng)
        for threshold in (0.3, 0.6):
            expected = det.yolo_eval(Y, (48, 64), score_threshold=threshold, iou_threshold=0.4, max_boxes=12)
            got = tdet.yolo_eval(torch.tensor(Y, device=device), (48, 64), threshold, 0.4, 12)
            for e, g in zip(expected, got):
                assert g.device.type == device and e.shape == tuple(g.shape)
                assert rel_error(e, g.cpu().numpy()) < 1e-12
        boxes = det.scale_boxes(det.yolo_boxes_to_corners(Y).reshape(-1, 4), (64, 64))
        scores = np.round(Y[..., 0].reshape(-1), 1)
        got = tdet.non_max_suppression(torch.tensor(boxes, device=device), torch.tensor(scores, device=device), 0.3)
        np.testing.assert_array_equal(got.cpu().numpy(), det.non_max_suppression(boxes, scores, 0.3))
    f32 = tdet.iou(torch.rand(3, 4, device=device).sort(-1).values, torch.ones(2, 4, device=device))
    assert f32.dtype == torch.float32 and f32.device.type == device


def test_yolo_activate_ranges_and_clamp():
    torch = _torch()
    from dlkit.torch import detection as tdet
    raw = 20 * torch.randn(3, 4, 4, 2, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out = tdet.yolo_activate(raw)
    assert out.shape == raw.shape
    assert torch.equal(out[..., :3], torch.sigmoid(raw[..., :3]))
    assert torch.equal(out[..., 3:5], torch.exp(raw[..., 3:5].clamp(-8, 4)))
    assert torch.allclose(out[..., 5:].sum(-1), torch.ones(3, 4, 4, 2, dtype=torch.float64))
    det.yolo_eval(out[0].numpy(), (64, 64))                          # an activated output passes the check
    with pytest.raises(ValueError, match=r"raw has shape \(4, 4, 2, 8\), expected \(m, S, S, A, 5 \+ C\)"):
        tdet.yolo_activate(raw[0])


def _perfect_raw(torch, Y, rng):
    """Raw numbers whose activated box equals Y's box in every object slot; p_c and classes arbitrary."""
    raw = torch.tensor(rng.standard_normal(Y.shape))
    obj = torch.tensor(Y[..., 0] == 1)
    centre = torch.tensor(Y[..., 1:3]).clamp(1e-6, 1 - 1e-6)
    raw[..., 1:3] = torch.where(obj[..., None], torch.logit(centre), raw[..., 1:3])
    raw[..., 3:5] = torch.where(obj[..., None], torch.log(torch.tensor(Y[..., 3:5]).clamp(min=1e-3)), raw[..., 3:5])
    return raw


def test_yolo_loss_pieces(rng):
    torch = _torch()
    from torch.nn import functional as F

    from dlkit.torch import detection as tdet
    data = load_shapes(m=6, seed=3)
    Y = data.Y[:, :, :, None, :]                                     # (6, 4, 4, 1, 8)
    assert np.all((Y[..., 1:3] > 0) | (Y[..., 0:1] == 0))            # logit defined: centres inside the cells
    raw = _perfect_raw(torch, Y, rng)
    obj = torch.tensor(Y[..., 0])
    p_c = torch.sigmoid(raw[..., 0])
    ce = F.cross_entropy(raw[..., 5:].reshape(-1, 3), torch.tensor(Y[..., 5:]).reshape(-1, 3).argmax(-1),
                         reduction="none").reshape(obj.shape)
    expected = ((obj * ((p_c - 1) ** 2 + ce) + (1 - obj) * 0.5 * p_c ** 2).sum() / 6).item()
    assert tdet.yolo_loss(raw, Y).item() == pytest.approx(expected, rel=1e-12)        # coordinate terms are 0
    assert tdet.yolo_loss(raw, Y, lambda_coord=0.0).item() == pytest.approx(expected, rel=1e-12)
    i, j = np.argwhere(Y[0, ..., 0, 0] == 1)[0]
    moved = raw.clone()
    moved[0, i, j, 0, 1] += 0.7                                      # b_x off: lambda_coord (b_x - y_x)^2 / m more
    extra = 5.0 * (torch.sigmoid(moved[0, i, j, 0, 1]) - Y[0, i, j, 0, 1]) ** 2 / 6
    assert tdet.yolo_loss(moved, Y).item() == pytest.approx(expected + extra.item(), rel=1e-10)
    moved[0, i, j, 0, 3] += 0.5                                      # b_h off: the square roots differ
    extra_h = 5.0 * (torch.exp(moved[0, i, j, 0, 3] / 2) - np.sqrt(Y[0, i, j, 0, 3])) ** 2 / 6
    assert tdet.yolo_loss(moved, Y).item() == pytest.approx(expected + extra.item() + extra_h.item(), rel=1e-10)
    empty = raw.clone()
    empty[obj == 0] = empty[obj == 0] + 3                            # an empty slot's box and classes are ignored
    empty[..., 0] = raw[..., 0]
    assert tdet.yolo_loss(empty, Y).item() == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match=r"Y has shape \(6, 4, 4, 8\), expected raw's \(6, 4, 4, 1, 8\)"):
        tdet.yolo_loss(raw, data.Y)


def test_tiny_yolo_shapes_and_a_few_training_steps_lower_the_loss():
    torch = _torch()
    from dlkit.torch.detection import yolo_loss
    from dlkit.torch.models import TinyYOLO
    torch.manual_seed(0)
    assert TinyYOLO(n_classes=2, S=8, n_anchors=3, channels=(8, 16))(torch.zeros(2, 3, 64, 64)).shape == (2, 8, 8, 3, 7)
    with pytest.raises(ValueError, match="image_size is 60, expected a multiple of"):
        TinyYOLO(image_size=60)
    data = load_shapes(m=16, seed=2)
    X = torch.tensor(data.images, dtype=torch.float32).permute(0, 3, 1, 2)    # (16, 64, 64, 3) -> NCHW
    Y = torch.tensor(data.Y, dtype=torch.float32)[:, :, :, None, :]
    model = TinyYOLO()
    assert model(X).shape == (16, 4, 4, 1, 8)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(20):                                              # seeds 0-4 all end below 0.2 x the start
        loss = yolo_loss(model(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]
