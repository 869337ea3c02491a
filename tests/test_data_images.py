"""dlkit.data images: Fashion-MNIST, its binary pairs, style images, verification pairs."""

import sys

import numpy as np
import pytest
from offline import no_network  # noqa: F401  (autouse: no network in these tests)

from dlkit.data import (
    load_fashion_binary,
    load_fashion_mnist,
    load_style_images,
    load_verification_pairs,
    one_hot,
)


def test_offline_fixture_blocks_sockets():
    import socket

    with pytest.raises(RuntimeError, match="network access"):
        socket.create_connection(("127.0.0.1", 9))


def test_fashion_layout_balance_and_range():
    d = load_fashion_mnist()
    assert d.X_train.shape == (784, 10000) and d.X_test.shape == (784, 2000)
    assert d.Y_train.shape == (1, 10000) and d.Y_test.shape == (1, 2000)
    assert d.X_train.dtype == np.float64 and d.Y_train.dtype == np.int64
    assert 0 <= d.X_train.min() and d.X_train.max() <= 1 and d.X_train.max() > 0.99
    assert np.bincount(d.Y_train[0]).tolist() == [1000] * 10
    assert np.bincount(d.Y_test[0]).tolist() == [200] * 10
    assert len(d.classes) == 10 and d.classes[0] == "T-shirt/top"
    assert d.images(d.X_test[:, :3]).shape == (3, 28, 28)
    assert d.as_cnn(d.X_test[:, :3]).shape == (3, 28, 28, 1)
    # the classes differ in appearance: mean images of trousers and bags are far apart
    means = [d.X_train[:, d.Y_train[0] == k].mean(axis=1) for k in (1, 8)]
    assert np.linalg.norm(means[0] - means[1]) > 3


def test_fashion_deterministic_and_subsets():
    a, b = load_fashion_mnist(seed=1), load_fashion_mnist(seed=1)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.Y_test, b.Y_test)
    a.X_train[:] = 0
    assert load_fashion_mnist(seed=1).X_train.any()               # callers get copies
    assert not np.array_equal(load_fashion_mnist(seed=2).Y_train, b.Y_train)
    three = load_fashion_mnist(classes=("Bag", "Sandal", 0))
    assert three.classes == ("Bag", "Sandal", "T-shirt/top")
    assert three.X_train.shape == (784, 3000) and set(np.unique(three.Y_train)) == {0, 1, 2}
    assert one_hot(three.Y_test, 3).shape == (3, 600)


def test_fashion_binary():
    d = load_fashion_binary()
    assert d.X_train.shape == (784, 2000) and d.X_test.shape == (784, 400)
    assert d.Y_train.dtype == np.float64 and set(np.unique(d.Y_train)) == {0.0, 1.0}
    assert d.Y_train.mean() == 0.5 and d.Y_test.mean() == 0.5
    assert d.classes == ("T-shirt/top", "Shirt")
    # train and test hold different images
    train = {x.tobytes() for x in d.X_train.T}
    assert not any(x.tobytes() in train for x in d.X_test.T)


def test_fashion_bad_classes():
    with pytest.raises(ValueError, match="expected one of"):
        load_fashion_mnist(classes=("Hat", "Bag"))
    with pytest.raises(ValueError, match="at least two different classes"):
        load_fashion_binary("Bag", "Bag")


def test_style_images():
    C, S = load_style_images(size=64)
    assert C.shape == (1, 64, 64, 3) and S.shape == (3, 64, 64, 3)
    assert C.dtype == np.float64 and 0 <= C.min() and C.max() <= 1
    assert C.std() > 0.1 and (S.std(axis=(1, 2, 3)) > 0.02).all()   # real pictures, not blank
    C2, _ = load_style_images(size=64)
    np.testing.assert_array_equal(C, C2)
    C2[:] = 0
    assert load_style_images(size=64)[0].any()
    with pytest.raises(ValueError, match="expected one of"):
        load_style_images(content="mona lisa")
    with pytest.raises(ValueError, match="expected one of"):
        load_style_images(styles=("starry night",))


def test_style_images_missing_dependency(monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage.transform", None)   # as if scikit-image were absent
    with pytest.raises(ImportError, match=r"pip install scikit-image"):
        load_style_images(size=33)


def test_verification_pairs():
    A, B, Y, labels = load_verification_pairs(m=200, seed=0)
    assert A.shape == B.shape == (200, 28, 28, 1) and Y.shape == (1, 200) and labels.shape == (2, 200)
    assert Y.mean() == 0.5
    np.testing.assert_array_equal(Y[0] == 1, labels[0] == labels[1])
    assert not any(np.array_equal(a, b) for a, b in zip(A, B))    # never an image with itself
    A2, _, Y2, _ = load_verification_pairs(m=200, seed=0)
    np.testing.assert_array_equal(A, A2)
    np.testing.assert_array_equal(Y, Y2)
    with pytest.raises(ValueError, match="expected an even integer"):
        load_verification_pairs(m=3)
    with pytest.raises(ValueError, match="expected 'train' or 'test'"):
        load_verification_pairs(split="val")


def test_one_hot_checks():
    with pytest.raises(ValueError, match=r"expected \(1, m\)"):
        one_hot(np.array([0, 1]), 2)
    with pytest.raises(ValueError, match="expected 0 to 1"):
        one_hot(np.array([[0, 2]]), 2)
