"""dlkit.data planar toy sets: flower, spirals, moons, circles, blobs."""

import numpy as np
import pytest
from offline import no_network  # noqa: F401  (autouse: no network in these tests)

from dlkit.data import load_blobs, load_circles, load_flower, load_moons, load_spirals

BINARY = [load_flower, load_moons, load_circles]
MULTI = [load_spirals, load_blobs]


@pytest.mark.parametrize("loader", BINARY + MULTI)
def test_layout_balance_determinism(loader):
    X, Y = loader()
    m = X.shape[1]
    assert X.shape == (2, m) and Y.shape == (1, m) and X.dtype == np.float64
    assert np.isfinite(X).all()
    counts = np.bincount(Y[0].astype(int))
    assert (counts == counts[0]).all() and len(counts) >= 2       # balanced classes
    assert Y.dtype == (np.float64 if loader in BINARY else np.int64)
    X2, Y2 = loader()
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    X3, _ = loader(seed=5)
    assert not np.array_equal(X, X3)
    assert Y[0, : m // 2].std() > 0                               # shuffled: the classes interleave


def test_shapes_of_the_sets():
    X, Y = load_circles(noise=0.0)
    r = np.linalg.norm(X, axis=0)
    np.testing.assert_allclose(r[Y[0] == 0], 1.0)
    np.testing.assert_allclose(r[Y[0] == 1], 0.5)
    X, Y = load_flower()
    assert X.shape == (2, 400) and np.abs(X).max() < 6            # petals of radius about 4
    X, Y = load_spirals(m=500, classes=5, noise=0.0)
    assert np.bincount(Y[0]).tolist() == [100] * 5 and np.abs(X).max() <= 1
    X, Y = load_blobs(centers=4, m=400, spread=0.1)
    for k in range(4):                                            # tight blobs
        assert X[:, Y[0] == k].std(axis=1).max() < 0.15


@pytest.mark.parametrize("loader", BINARY + MULTI)
def test_bad_m(loader):
    with pytest.raises(ValueError, match="expected a positive multiple"):
        loader(m=7)


def test_bad_options():
    with pytest.raises(ValueError, match=r"expected a number in \(0, 1\)"):
        load_circles(factor=2)
    with pytest.raises(ValueError, match="expected a number >= 0"):
        load_moons(noise=-1)
    with pytest.raises(ValueError, match="expected an integer >= 2"):
        load_spirals(classes=1)
