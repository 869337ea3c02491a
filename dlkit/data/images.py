"""Image data sets: faces, Fashion-MNIST, style-transfer pictures, verification pairs."""

import functools
from dataclasses import dataclass

import numpy as np

from dlkit.data._files import path, require

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


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

    def as_cnn(self, X):
        """Columns of X: (n_x, m) as a CNN batch: (m, n_H, n_W, n_C), channels last."""
        images = self.images(X)                    # (m, h, w) or (m, h, w, c)
        return images[..., None] if images.ndim == 3 else images


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


@functools.lru_cache(maxsize=None)
def _fashion_file():
    with np.load(path("fashion_mnist_subset.npz")) as f:
        return {k: f[k] for k in f.files}


def _class_index(name):
    if name in FASHION_CLASSES:
        return FASHION_CLASSES.index(name)
    if isinstance(name, (int, np.integer)) and 0 <= name < 10:
        return int(name)
    raise ValueError(f"class {name!r} is not a Fashion-MNIST class, expected one of {FASHION_CLASSES} or 0-9")


def load_fashion_mnist(classes=None, seed=0):
    """Fashion-MNIST: grey 28 x 28 photographs of clothes in 10 balanced classes.

    Source: Zalando Research's Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017),
    as Debian's ``dataset-fashion-mnist`` package carries it.  Licence: MIT.
    dlkit ships a class-balanced subset (``dlkit/data/files/
    fashion_mnist_subset.npz``, 5.3 MB, made by ``tools/data/build.py``):
    1,000 images per class from the official training set and 200 per class
    from the official test set, 12,000 in all.

    classes: None for all ten, or a sequence of class names (or indices) to
    keep; labels are then renumbered 0, 1, ... in that order.  ``seed``
    shuffles the order of the examples (the split is the official one).
    Returns an :class:`ImageSplit`: X_train (784, 10000) float64 in [0, 1],
    Y_train (1, 10000) int64 class indices; X_test (784, 2000), Y_test
    (1, 2000).  One-hot labels, (C, m): ``np.eye(C)[Y[0]].T``; CNN layout
    (m, 28, 28, 1): ``data.as_cnn(X)``.

    >>> data = load_fashion_mnist()
    >>> data.X_train.shape, data.Y_test.shape, data.classes[9]
    ((784, 10000), (1, 2000), 'Ankle boot')
    """
    keep = list(range(10)) if classes is None else [_class_index(c) for c in classes]
    if len(set(keep)) != len(keep) or len(keep) < 2:
        raise ValueError(f"classes is {classes!r}, expected at least two different classes")
    f = _fashion_file()
    rng = np.random.default_rng(seed)
    out = []
    for split in ("train", "test"):
        x, y = f[f"x_{split}"], f[f"y_{split}"]
        idx = np.flatnonzero(np.isin(y, keep))
        idx = idx[rng.permutation(len(idx))]
        X = x[idx].reshape(len(idx), -1).T / 255.0         # (784, m): one image per column
        lookup = np.full(10, -1, dtype=np.int64)
        lookup[keep] = np.arange(len(keep))
        out += [X, lookup[y[idx]][None, :]]                 # Y: (1, m) renumbered class indices
    return ImageSplit(*out, classes=tuple(FASHION_CLASSES[k] for k in keep), image_shape=(28, 28))


def load_fashion_binary(positive="Shirt", negative="T-shirt/top", seed=0):
    """Two Fashion-MNIST classes as a binary task: Y is 1.0 for ``positive``, 0.0 for ``negative``.

    Source and licence as :func:`load_fashion_mnist` (Fashion-MNIST, MIT).
    2,000 training and 400 test images, balanced; X: (784, m) float64 in
    [0, 1], Y: (1, m) float64 in {0, 1}, as :func:`load_faces` returns.
    The default pair (shirts against T-shirts) is hard: logistic regression
    reaches about 82% on the test set, and chapter 4's small deep networks
    trained by plain gradient descent do no better (about 81%) until Part
    II's tools; ("Sneaker", "Sandal") is easy.

    >>> data = load_fashion_binary()
    >>> data.X_train.shape, data.Y_train.mean(), data.classes
    ((784, 2000), np.float64(0.5), ('T-shirt/top', 'Shirt'))
    """
    data = load_fashion_mnist(classes=(negative, positive), seed=seed)
    return ImageSplit(data.X_train, data.Y_train.astype(np.float64), data.X_test,
                      data.Y_test.astype(np.float64), classes=data.classes, image_shape=(28, 28))


STYLE_CONTENT = {"astronaut": "astronaut", "chelsea": "chelsea", "coffee": "coffee",
                 "rocket": "rocket", "horse": "horse"}
STYLE_STYLES = {"brick": "brick", "grass": "grass", "gravel": "gravel", "hubble": "hubble_deep_field",
                "ihc": "immunohistochemistry", "retina": "retina"}


def _to_rgb(image, size):
    """(h, w) or (h, w, c) uint8/bool/float -> (size, size, 3) float64 in [0, 1], centre-cropped."""
    transform = require("skimage.transform", "load_style_images", "scikit-image")
    image = np.asarray(image, dtype=np.float64)
    if image.max() > 1:
        image = image / 255.0
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)    # grey -> 3 equal channels
    image = image[:, :, :3]
    h, w = image.shape[:2]
    s = min(h, w)
    image = image[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]  # centre square
    return np.clip(transform.resize(image, (size, size), anti_aliasing=True), 0.0, 1.0)


@functools.lru_cache(maxsize=None)
def _style(content, styles, size):
    data = require("skimage.data", "load_style_images", "scikit-image")
    c = _to_rgb(getattr(data, STYLE_CONTENT[content])(), size)
    s = np.stack([_to_rgb(getattr(data, STYLE_STYLES[k])(), size) for k in styles])
    return c, s


def load_style_images(content="chelsea", styles=("brick", "gravel", "hubble"), size=128):
    """A content image and style images for neural style transfer, in the CNN layout.

    Source: pictures bundled in scikit-image's wheel (``skimage.data``).
    Content choices: "astronaut" (NASA, public domain), "chelsea" (a cat,
    Stefan van der Walt, CC0), "coffee" (Rachel Michetti, CC0), "rocket"
    (SpaceX, public domain), "horse" (a silhouette, Andreas Preuss, CC0).
    Style choices: the textures "brick", "grass", "gravel" (CC0Textures,
    CC0), "hubble" (the Hubble Deep Field, NASA, public domain), "ihc" (an
    immunohistochemistry slide, no known copyright restrictions) and
    "retina" (a fundus photograph, CC0).  No installed package carries
    paintings, so textures and these pictures stand in for them.
    scikit-image itself is BSD-3-Clause.

    Returns (C, S): C (1, size, size, 3) and S (len(styles), size, size, 3),
    float64 RGB in [0, 1], each a centre square resized to ``size``; grey
    textures are repeated over the three channels.

    >>> C, S = load_style_images(size=64)
    >>> C.shape, S.shape
    ((1, 64, 64, 3), (3, 64, 64, 3))
    """
    if content not in STYLE_CONTENT:
        raise ValueError(f"content is {content!r}, expected one of {sorted(STYLE_CONTENT)}")
    styles = (styles,) if isinstance(styles, str) else tuple(styles)
    for k in styles:
        if k not in STYLE_STYLES:
            raise ValueError(f"style {k!r} is not available, expected one of {sorted(STYLE_STYLES)}")
    if not isinstance(size, (int, np.integer)) or not 8 <= size <= 512:
        raise ValueError(f"size is {size!r}, expected an integer in [8, 512]")
    c, s = _style(content, styles, int(size))
    return c[None].copy(), s.copy()


def load_verification_pairs(m=1000, split="train", seed=0):
    """Pairs of images, half of the same class and half of different classes, for face verification.

    No installed package carries photographs labelled by identity (the LFW
    and Olivetti loaders of scikit-learn download at first use), so the
    "identities" here are the 10 classes of Fashion-MNIST (see
    :func:`load_fashion_mnist`; MIT): the lesson - learn an encoding f(x)
    so that ||f(a) - f(b)|| is small for the same identity and large for
    different ones, with a triplet or pairwise loss - carries over as is.

    Returns (A, B, Y, labels): A and B (m, 28, 28, 1) float64 in [0, 1] in
    the CNN layout, Y (1, m) float64, 1.0 where A[i] and B[i] share a class;
    labels (2, m) int64 holds the two classes.  Pairs come from the training
    or the test images (``split``), the same for the same ``seed``.

    >>> A, B, Y, labels = load_verification_pairs(m=10)
    >>> A.shape, Y.mean()
    ((10, 28, 28, 1), np.float64(0.5))
    """
    if split not in ("train", "test"):
        raise ValueError(f"split is {split!r}, expected 'train' or 'test'")
    if not isinstance(m, (int, np.integer)) or m < 2 or m % 2:
        raise ValueError(f"m is {m!r}, expected an even integer >= 2")
    f = _fashion_file()
    x, y = f[f"x_{split}"], f[f"y_{split}"].astype(np.int64)
    rng = np.random.default_rng(seed)
    by_class = [np.flatnonzero(y == k) for k in range(10)]
    half = m // 2
    ca = rng.integers(0, 10, size=m)
    cb = ca.copy()
    cb[half:] = (ca[half:] + rng.integers(1, 10, size=m - half)) % 10   # a different class
    ia = np.array([rng.choice(by_class[k]) for k in ca])
    ib = np.array([rng.choice(by_class[k]) for k in cb])
    same = ia == ib                                       # never pair an image with itself
    while same.any():
        ib[same] = [rng.choice(by_class[k]) for k in cb[same]]
        same = ia == ib
    order = rng.permutation(m)
    ia, ib, ca, cb = ia[order], ib[order], ca[order], cb[order]
    A = x[ia][..., None] / 255.0                          # (m, 28, 28, 1)
    B = x[ib][..., None] / 255.0
    Y = (ca == cb).astype(np.float64)[None, :]            # (1, m)
    return A, B, Y, np.stack([ca, cb])
