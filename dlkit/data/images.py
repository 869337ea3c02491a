"""Image data sets."""

import functools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ImageSplit:
    """A train/test split of images in the notes' layout.

    X_train: (n_x, m_train), one flattened image per column, pixels in [0, 1];
    Y_train: (1, m_train), labels 0 or 1 (or class indices); likewise the test
    set.  ``classes[k]`` names label k; ``image_shape`` is one image's shape.
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    classes: tuple
    image_shape: tuple

    def images(self, X):
        """Columns of X: (n_x, m) back to images: (m, *image_shape), for plotting."""
        return X.T.reshape(-1, *self.image_shape)  # (m, n_x) -> (m, h, w)


@functools.lru_cache(maxsize=None)
def _faces(test_fraction, seed):
    from skimage.data import lfw_subset

    images = lfw_subset()                                  # (200, 25, 25) in [0, 1]
    labels = np.repeat([1, 0], 100)                        # faces first, then non-faces
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), dtype=bool)
    for k in (0, 1):                                       # the same fraction of each class
        idx = rng.permutation(np.flatnonzero(labels == k))
        test[idx[: round(test_fraction * len(idx))]] = True
    order = rng.permutation(len(labels))                   # shuffle, so classes interleave
    train_idx, test_idx = order[~test[order]], order[test[order]]
    X = images.reshape(len(images), -1).T                  # (625, 200): one image per column
    Y = labels[None, :].astype(np.float64)                 # (1, 200)
    return X[:, train_idx], Y[:, train_idx], X[:, test_idx], Y[:, test_idx]


def load_faces(test_fraction=0.25, seed=0):
    """Faces versus non-faces: 200 grey 25 x 25 photographs, for binary classification.

    Source: the ``lfw_subset`` bundled in scikit-image's wheel
    (``skimage.data.lfw_subset()``): 100 face crops from Labeled Faces in the
    Wild and 100 crops of other image content.  Licence: scikit-image is
    BSD-3-Clause; LFW is published for research use by UMass Amherst.

    Label 1 is a face, 0 not a face.  A stratified split, the same for the
    same ``seed``: with the defaults 150 training and 50 test images.
    Returns an :class:`ImageSplit` with X: (625, m) and Y: (1, m).

    >>> data = load_faces()
    >>> data.X_train.shape, data.Y_test.shape, data.classes
    ((625, 150), (1, 50), ('non-face', 'face'))
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction is {test_fraction!r}, expected a number in (0, 1)")
    arrays = (a.copy() for a in _faces(float(test_fraction), int(seed)))  # callers may modify theirs
    return ImageSplit(*arrays, classes=("non-face", "face"), image_shape=(25, 25))
