"""dlkit.data generated sets: dates for translation, shape scenes for detection."""

import datetime

import numpy as np
import pytest
from offline import no_network  # noqa: F401  (autouse: no network in these tests)

from dlkit.data import load_dates, load_shapes
from dlkit.data.dates import FORMATS, HUMAN_VOCAB, MACHINE_VOCAB


def test_dates_strings_and_arrays():
    d = load_dates(m=2000, seed=0)
    assert len(d.human) == len(d.machine) == 2000
    assert d.X.shape == (2000, 30) and d.Y.shape == (2000, 10) and d.X.dtype == np.int64
    for h, iso in zip(d.human[:200], d.machine[:200]):
        t = datetime.date.fromisoformat(iso)
        assert 1950 <= t.year <= 2049 and str(t.day) in h     # the day is written in the human form
    decoded = ["".join(MACHINE_VOCAB[i] for i in row) for row in d.Y]
    assert decoded == d.machine
    assert ["".join(HUMAN_VOCAB[i] for i in row if i) for row in d.X[:50]] == d.human[:50]
    assert HUMAN_VOCAB.index("<unk>") not in d.X                 # every character is in the vocabulary
    assert len(set(d.human)) > 1900 and len({h[:2] for h in d.human}) > 50   # many formats
    Xoh = d.one_hot(d.X, len(HUMAN_VOCAB))
    assert Xoh.shape == (len(HUMAN_VOCAB), 2000, 30)                # (n_x, m, T_x)
    np.testing.assert_array_equal(Xoh.argmax(axis=0), d.X)


def test_dates_formats_unambiguous_and_deterministic():
    t = datetime.date(1979, 5, 3)
    written = [f(t) for f in FORMATS]
    assert "Thursday, May 3, 1979" in written and "5/3/79" in written and "03.05.1979" in written
    a, b = load_dates(m=100, seed=7), load_dates(m=100, seed=7)
    assert a.human == b.human
    np.testing.assert_array_equal(a.X, b.X)
    assert load_dates(m=100, seed=8).human != a.human
    with pytest.raises(ValueError, match="expected a positive integer"):
        load_dates(m=0)
    with pytest.raises(ValueError, match="expected an integer >= 30"):
        load_dates(T_x=10)


def test_shapes_boxes_and_yolo_targets():
    d = load_shapes(m=200, seed=0)
    assert d.images.shape == (200, 64, 64, 3) and d.images.dtype == np.float64
    assert 0 <= d.images.min() and d.images.max() <= 1
    assert d.Y.shape == (200, 4, 4, 8)
    counts = np.bincount(np.concatenate(d.labels), minlength=3)
    assert counts.min() > 0.25 * counts.sum()                       # the three classes about equally
    for img, boxes, labels, Y in zip(d.images, d.boxes, d.labels, d.Y):
        assert 1 <= len(boxes) == len(labels) <= 3 and Y[..., 0].sum() == len(boxes)
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= 64).all()
        assert (boxes[:, 2:] > boxes[:, :2]).all()
        for (x0, y0, x1, y1) in boxes.astype(int):                  # the box holds a bright shape
            assert img[y0:y1, x0:x1].max() > 0.5
        cells = Y[Y[..., 0] == 1]                                   # (k, 8)
        assert ((cells[:, 1:3] >= 0) & (cells[:, 1:3] < 1)).all()
        np.testing.assert_array_equal(cells[:, 5:].sum(axis=1), 1)
        assert sorted(cells[:, 5:].argmax(axis=1)) == sorted(labels)
    e = load_shapes(m=200, seed=0)
    np.testing.assert_array_equal(d.images, e.images)
    assert not np.array_equal(load_shapes(m=5, seed=1).images, d.images[:5])


def test_shapes_bad_arguments():
    with pytest.raises(ValueError, match="expected a positive integer"):
        load_shapes(m=0)
    with pytest.raises(ValueError, match=r"expected an integer in \[1, 8\]"):
        load_shapes(S=9)
