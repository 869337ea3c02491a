"""Planar toy data: two features per example, generated from a seed.

Every loader returns (X, Y) with X: (2, m) float64, one point per column, and
Y: (1, m): float64 0/1 for the two-class sets, int64 class indices for
``load_spirals`` and ``load_blobs`` (one-hot, (C, m): ``np.eye(C)[Y[0]].T``).
Classes have equal sizes (m must divide evenly) and the examples are shuffled.
Source: generated here (dlkit, MIT); nothing is read or downloaded.
"""

import numpy as np


def _check(m, classes, noise=None):
    if not isinstance(m, (int, np.integer)) or m < classes or m % classes:
        raise ValueError(f"m is {m!r}, expected a positive multiple of {classes}")
    if noise is not None and not noise >= 0:
        raise ValueError(f"noise is {noise!r}, expected a number >= 0")


def _finish(points, labels, rng, dtype):
    """Shuffle; points (m, 2) -> X (2, m), labels (m,) -> Y (1, m)."""
    order = rng.permutation(len(labels))
    return points[order].T.copy(), labels[order][None, :].astype(dtype)


def load_flower(m=400, petals=4, noise=0.2, seed=1):
    """The "flower": two classes of points on interleaved petals, not linearly separable.

    Each class has m / 2 points at angles t spread over half a turn and radius
    r = petals * sin(petals * t) (+ Gaussian noise on t and r): the two
    classes take alternate petals.  X: (2, m) float64, Y: (1, m) float64 in {0, 1}.

    Source: generated here from ``seed`` (dlkit, MIT); nothing is downloaded.

    >>> X, Y = load_flower()
    >>> X.shape, Y.shape, Y.mean()
    ((2, 400), (1, 400), np.float64(0.5))
    """
    _check(m, 2, noise)
    rng = np.random.default_rng(seed)
    n = m // 2
    points, labels = [], []
    for j in (0, 1):
        t = np.linspace(j * np.pi, (j + 1) * np.pi, n) + rng.normal(0, noise, n)
        r = petals * np.sin(petals * t) + rng.normal(0, noise, n)
        points.append(np.c_[r * np.sin(t), r * np.cos(t)])
        labels.append(np.full(n, j))
    return _finish(np.concatenate(points), np.concatenate(labels), rng, np.float64)


def load_spirals(m=300, classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class (the CS231n toy set), for softmax classifiers.

    Arm k has m / classes points at radius r in [0, 1] and angle
    4 r + 2 pi k / classes (+ Gaussian noise of sd ``noise`` on the angle).
    X: (2, m) float64 in [-1, 1], Y: (1, m) int64 class indices.

    Source: generated here from ``seed`` (dlkit, MIT); nothing is downloaded.

    >>> X, Y = load_spirals()
    >>> X.shape, np.bincount(Y[0]).tolist()
    ((2, 300), [100, 100, 100])
    """
    if not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes is {classes!r}, expected an integer >= 2")
    _check(m, classes, noise)
    rng = np.random.default_rng(seed)
    n = m // classes
    r = np.tile(np.linspace(0.0, 1.0, n), classes)
    k = np.repeat(np.arange(classes), n)
    t = 4 * r + 2 * np.pi * k / classes + rng.normal(0, noise, m)
    return _finish(np.c_[r * np.sin(t), r * np.cos(t)], k, rng, np.int64)


def load_moons(m=200, noise=0.1, seed=0):
    """Two interleaving half circles.  X: (2, m) float64, Y: (1, m) float64 in {0, 1}.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted to (1, 0.5); Gaussian noise of sd ``noise`` is added.

    Source: generated here from ``seed`` (dlkit, MIT); nothing is downloaded.

    >>> X, Y = load_moons()
    >>> X.shape, Y.mean()
    ((2, 200), np.float64(0.5))
    """
    _check(m, 2, noise)
    rng = np.random.default_rng(seed)
    t = np.linspace(0, np.pi, m // 2)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    points = np.concatenate([upper, lower]) + rng.normal(0, noise, (m, 2))
    return _finish(points, np.repeat([0, 1], m // 2), rng, np.float64)


def load_circles(m=200, factor=0.5, noise=0.05, seed=0):
    """A small circle (class 1) inside a large one (class 0).  X: (2, m), Y: (1, m) float64.

    The outer circle has radius 1, the inner ``factor``; Gaussian noise of sd
    ``noise`` is added to every coordinate.

    Source: generated here from ``seed`` (dlkit, MIT); nothing is downloaded.

    >>> X, Y = load_circles()
    >>> X.shape, Y.mean()
    ((2, 200), np.float64(0.5))
    """
    _check(m, 2, noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor is {factor!r}, expected a number in (0, 1)")
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, m // 2, endpoint=False)
    ring = np.c_[np.cos(t), np.sin(t)]
    points = np.concatenate([ring, factor * ring]) + rng.normal(0, noise, (m, 2))
    return _finish(points, np.repeat([0, 1], m // 2), rng, np.float64)


def load_blobs(m=300, centers=3, spread=1.0, box=(-8.0, 8.0), seed=0):
    """Gaussian blobs, one per class, with centres drawn uniformly in ``box`` squared.

    X: (2, m) float64, Y: (1, m) int64 class indices; each blob has sd ``spread``.

    Source: generated here from ``seed`` (dlkit, MIT); nothing is downloaded.

    >>> X, Y = load_blobs()
    >>> X.shape, np.bincount(Y[0]).tolist()
    ((2, 300), [100, 100, 100])
    """
    if not isinstance(centers, (int, np.integer)) or centers < 2:
        raise ValueError(f"centers is {centers!r}, expected an integer >= 2")
    _check(m, centers, spread)
    rng = np.random.default_rng(seed)
    middle = rng.uniform(box[0], box[1], (centers, 2))
    k = np.repeat(np.arange(centers), m // centers)
    return _finish(middle[k] + rng.normal(0, spread, (m, 2)), k, rng, np.int64)
