"""dlkit.data: offline, deterministic, in the notes' layout."""

import numpy as np
import pytest

from dlkit.data import load_faces


def test_faces_layout_and_split():
    d = load_faces()
    assert d.X_train.shape == (625, 150) and d.X_test.shape == (625, 50)
    assert d.Y_train.shape == (1, 150) and d.Y_test.shape == (1, 50)
    assert d.X_train.dtype == np.float64 and 0 <= d.X_train.min() and d.X_train.max() <= 1
    assert set(np.unique(d.Y_train)) == {0.0, 1.0}
    assert d.Y_train.mean() == 0.5 and d.Y_test.mean() == 0.5  # stratified
    assert d.images(d.X_test).shape == (50, 25, 25)
    # train and test hold different images
    assert not (d.X_train.T[:, None, :] == d.X_test.T[None, :, :]).all(axis=2).any()


def test_faces_are_deterministic_and_copies():
    a, b = load_faces(seed=3), load_faces(seed=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    a.X_train[:] = 0
    assert load_faces(seed=3).X_train.any()
    assert not np.array_equal(load_faces(seed=4).Y_train, b.Y_train)


def test_faces_image_roundtrip():
    from skimage.data import lfw_subset

    d = load_faces()
    originals = lfw_subset().reshape(200, -1)
    for image in d.images(d.X_train[:, :5]):
        assert (originals == image.ravel()).all(axis=1).any()


def test_faces_bad_fraction():
    with pytest.raises(ValueError, match=r"expected a number in \(0, 1\)"):
        load_faces(test_fraction=1.5)
