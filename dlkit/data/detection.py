"""Detection scenes: generated pictures of simple shapes with their bounding boxes."""

import functools
from dataclasses import dataclass

import numpy as np

SHAPES = ("circle", "square", "triangle")


@dataclass(frozen=True)
class DetectionData:
    """Scenes with boxes, as plain lists and as YOLO grid targets.

    images: (m, n_H, n_W, 3) float64 in [0, 1]; boxes[i]: (k_i, 4) float64
    (x_min, y_min, x_max, y_max) in pixels, x to the right and y down;
    labels[i]: (k_i,) int64 indices into ``classes``; Y: (m, S, S, 5 + C)
    float64, for each grid cell [p_c, b_x, b_y, b_h, b_w, c_1 .. c_C]: p_c = 1
    where an object's centre falls in the cell, (b_x, b_y) that centre
    relative to the cell (in [0, 1)), (b_h, b_w) the box's height and width in
    units of the cell (may exceed 1), c one-hot over the classes; zeros in
    cells without an object.
    """

    images: np.ndarray
    boxes: list
    labels: list
    Y: np.ndarray
    classes: tuple


def _mask(shape, cx, cy, r, size):
    """Boolean (size, size) mask of a shape centred at (cx, cy) with half-size r."""
    y, x = np.mgrid[0:size, 0:size] + 0.5                  # pixel centres
    if shape == "circle":
        return (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2
    if shape == "square":
        return (np.abs(x - cx) <= r) & (np.abs(y - cy) <= r)
    # triangle, apex up: inside the box, below the two slanted sides
    inside = (y >= cy - r) & (y <= cy + r)
    half_width = (y - (cy - r)) / 2                        # grows from 0 at the apex to r at the base
    return inside & (np.abs(x - cx) <= half_width)


def _yolo(boxes, labels, size, S, C):
    Y = np.zeros((S, S, 5 + C))
    cell = size / S
    for (x0, y0, x1, y1), k in zip(boxes, labels):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        col, row = int(cx // cell), int(cy // cell)
        Y[row, col, :5] = [1.0, cx / cell - col, cy / cell - row, (y1 - y0) / cell, (x1 - x0) / cell]
        Y[row, col, 5 + k] = 1.0
    return Y


@functools.lru_cache(maxsize=8)
def _scenes(m, size, S, max_objects, seed):
    rng = np.random.default_rng(seed)
    C = len(SHAPES)
    images = np.empty((m, size, size, 3))
    all_boxes, all_labels, Ys = [], [], []
    y, x = np.mgrid[0:size, 0:size] / size
    for i in range(m):
        # background: a faint colour gradient plus noise
        base = rng.uniform(0.0, 0.35, 3)
        tilt = rng.uniform(-0.15, 0.15, 3)
        img = base + tilt * (x[..., None] + y[..., None]) / 2 + rng.normal(0, 0.02, (size, size, 3))
        boxes, labels, cells = [], [], set()
        for _ in range(rng.integers(1, max_objects + 1)):
            for _try in range(20):                         # place without overlap, one centre per cell
                r = rng.uniform(0.08, 0.2) * size
                cx, cy = rng.uniform(r, size - r, 2)
                cell = (int(cy // (size / S)), int(cx // (size / S)))
                box = np.array([cx - r, cy - r, cx + r, cy + r])
                free = all(box[0] >= b[2] + 1 or box[2] <= b[0] - 1 or box[1] >= b[3] + 1 or box[3] <= b[1] - 1
                           for b in boxes)
                if free and cell not in cells:
                    break
            else:
                continue
            k = int(rng.integers(C))
            mask = _mask(SHAPES[k], cx, cy, r, size)
            img[mask] = rng.uniform(0.55, 1.0, 3)          # a bright, random colour
            ys, xs = np.nonzero(mask)                      # the tight box of the drawn pixels
            boxes.append(np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64))
            labels.append(k)
            cells.add(cell)
        images[i] = np.clip(img, 0.0, 1.0)
        b = np.array(boxes).reshape(-1, 4)
        all_boxes.append(b)
        all_labels.append(np.array(labels, dtype=np.int64))
        Ys.append(_yolo(b, labels, size, S, C))
    return images, tuple(all_boxes), tuple(all_labels), np.stack(Ys)


def load_shapes(m=500, size=64, S=4, max_objects=3, seed=0):
    """Scenes of 1 to ``max_objects`` circles, squares and triangles, for object detection.

    Generated here (dlkit, MIT; nothing downloaded), from ``seed``: each
    scene is a size x size colour image with a dim, noisy background and
    bright shapes that do not overlap, at most one centred in each of the
    S x S grid cells (so one box per cell suffices, without anchors).
    Returns a :class:`DetectionData`: images (m, size, size, 3), boxes and
    labels per image, and YOLO targets Y (m, S, S, 5 + 3).

    >>> data = load_shapes(m=4)
    >>> data.images.shape, data.Y.shape, data.classes
    ((4, 64, 64, 3), (4, 4, 4, 8), ('circle', 'square', 'triangle'))
    """
    if not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m is {m!r}, expected a positive integer")
    if not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"size is {size!r}, expected an integer >= 16")
    if not isinstance(S, (int, np.integer)) or not 1 <= S <= size // 8:
        raise ValueError(f"S is {S!r}, expected an integer in [1, {size // 8}]")
    if not isinstance(max_objects, (int, np.integer)) or not 1 <= max_objects <= S * S:
        raise ValueError(f"max_objects is {max_objects!r}, expected an integer in [1, {S * S}]")
    images, boxes, labels, Y = _scenes(int(m), int(size), int(S), int(max_objects), int(seed))
    return DetectionData(images.copy(), [b.copy() for b in boxes], [l.copy() for l in labels], Y.copy(), SHAPES)
