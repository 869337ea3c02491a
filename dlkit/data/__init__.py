"""Offline data sets, in the notes' layout.

Nothing here downloads: every loader reads data that an installed package
carries, a small file in the repository, or a seeded generator, and says in
its docstring where the data comes from and under which licence.  The book's
"Data sets" page (book/datasets.md) lists them all; dlkit/data/files/README.md
records where each committed file came from.
"""

import numpy as np

from dlkit.data.dates import DateData, load_dates
from dlkit.data.detection import DetectionData, load_shapes
from dlkit.data.images import (
    ImageSplit,
    load_faces,
    load_fashion_binary,
    load_fashion_mnist,
    load_style_images,
    load_verification_pairs,
)
from dlkit.data.planar import load_blobs, load_circles, load_flower, load_moons, load_spirals
from dlkit.data.sentiment import SentenceSplit, load_sentiment
from dlkit.data.text import load_corpus, load_names, load_novels
from dlkit.data.vectors import (
    WordVectors,
    load_analogies,
    load_gender_pairs,
    load_neutral_words,
    load_word_similarity,
    load_word_vectors,
)


def one_hot(Y, C):
    """Class indices Y: (1, m) -> one-hot columns (C, m) float64.

    >>> one_hot(np.array([[2, 0]]), 3)
    array([[0., 1.],
           [0., 0.],
           [1., 0.]])
    """
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[0] != 1:
        raise ValueError(f"Y has shape {Y.shape}, expected (1, m)")
    if not np.issubdtype(Y.dtype, np.integer) and not np.array_equal(Y, np.round(Y)):
        raise ValueError("Y holds non-integer values, expected class indices")
    Y = Y.astype(np.int64)
    if Y.size and (Y.min() < 0 or Y.max() >= C):
        raise ValueError(f"Y holds classes from {Y.min()} to {Y.max()}, expected 0 to {C - 1}")
    return np.eye(C)[Y[0]].T                                  # (m, C) -> (C, m)


__all__ = [
    "DateData", "DetectionData", "ImageSplit", "SentenceSplit", "WordVectors",
    "load_analogies", "load_blobs", "load_circles", "load_corpus", "load_dates", "load_faces",
    "load_fashion_binary", "load_fashion_mnist", "load_flower", "load_gender_pairs", "load_moons",
    "load_names", "load_neutral_words", "load_novels", "load_sentiment", "load_shapes",
    "load_spirals", "load_style_images", "load_verification_pairs", "load_word_similarity",
    "load_word_vectors", "one_hot",
]
