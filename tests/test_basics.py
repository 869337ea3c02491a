"""Chapter 1: NumPy basics, against worked numbers, identities and independent oracles."""

import itertools
import warnings

import numpy as np
import pytest

from dlkit.numpy import basics as nb


def test_sigmoid_values_and_symmetry():
    assert nb.sigmoid(0.0) == 0.5
    z = np.linspace(-6, 6, 13)
    np.testing.assert_allclose(nb.sigmoid(-z), 1 - nb.sigmoid(z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(nb.sigmoid(np.array([-1.0, 2.0])), 1 / (1 + np.exp([1.0, -2.0])), rtol=1e-15)


def test_sigmoid_does_not_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nb.sigmoid(np.array([-1000.0, 1000.0]))
    assert s[0] == 0.0 and s[1] == 1.0


def test_sigmoid_derivative_peaks_at_a_quarter():
    z = np.linspace(-5, 5, 101)
    ds = nb.sigmoid_derivative(z)
    assert ds.max() == 0.25 and z[ds.argmax()] == 0.0
    np.testing.assert_allclose(ds, np.exp(-z) / (1 + np.exp(-z)) ** 2, rtol=1e-12)


def test_image2vector_unrolls_in_c_order():
    image = np.arange(24.0).reshape(2, 3, 4)
    v = nb.image2vector(image)
    assert v.shape == (24, 1)
    np.testing.assert_array_equal(v[:5, 0], [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"image has shape \(4, 4\), expected \(height, width, depth\)"):
        nb.image2vector(np.zeros((4, 4)))


def test_normalize_rows_worked_example():
    x = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0]])
    expected = np.array([[0.0, 0.6, 0.8], [1 / np.sqrt(53), 6 / np.sqrt(53), 4 / np.sqrt(53)]])
    np.testing.assert_allclose(nb.normalize_rows(x), expected, rtol=1e-15)
    np.testing.assert_allclose(nb.normalize_rows(x)[1], [0.13736056, 0.82416338, 0.54944226], rtol=1e-7)
    np.testing.assert_array_equal(x, [[0, 3, 4], [1, 6, 4]])  # the input is left alone


def test_normalize_rows_keeps_zero_rows():
    np.testing.assert_array_equal(nb.normalize_rows(np.zeros((2, 3))), np.zeros((2, 3)))


def test_softmax_rows_sum_to_one_and_ignore_shifts(rng):
    x = rng.standard_normal((4, 6))
    s = nb.softmax(x)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(nb.softmax(x + 123.4), s, rtol=1e-12)
    np.testing.assert_allclose(nb.softmax(x, axis=0).sum(axis=0), 1.0, rtol=1e-14)


def test_softmax_is_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nb.softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(s, [[0.5, 0.5, 0.0]])


def test_softmax_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x = 5 * rng.standard_normal((3, 4, 5))
    for axis in (0, 1, -1):
        expected = torch.softmax(torch.from_numpy(x), dim=axis).numpy()
        np.testing.assert_allclose(nb.softmax(x, axis=axis), expected, rtol=1e-12)


def test_L1_L2_worked_example():
    yhat, y = np.array([0.9, 0.2, 0.1, 0.4, 0.9]), np.array([1, 0, 0, 1, 1])
    assert nb.L1(yhat, y) == pytest.approx(1.1, rel=1e-14)
    assert nb.L2(yhat, y) == pytest.approx(0.43, rel=1e-14)


def test_losses_refuse_to_broadcast():
    with pytest.raises(ValueError, match=r"y has shape \(1, 3\), expected the shape of yhat, \(3,\)"):
        nb.L1(np.zeros(3), np.zeros((1, 3)))


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([None, 1.0], dtype=object)])
def test_non_numeric_input_is_refused(bad):
    with pytest.raises(ValueError, match="expected an array of real numbers"):
        nb.sigmoid(bad)


def _all_shapes(max_ndim=3, sizes=(0, 1, 2, 3)):
    for ndim in range(max_ndim + 1):
        yield from itertools.product(sizes, repeat=ndim)


def test_broadcast_shape_agrees_with_numpy_everywhere():
    shapes = list(_all_shapes())
    for s, t in itertools.product(shapes, repeat=2):
        try:
            expected = np.broadcast_shapes(s, t)
        except ValueError:
            with pytest.raises(ValueError, match="cannot be broadcast"):
                nb.broadcast_shape(s, t)
        else:
            assert nb.broadcast_shape(s, t) == expected, (s, t)


def test_broadcast_shape_of_three_and_of_ints():
    assert nb.broadcast_shape((8, 1, 6, 1), (7, 1, 5), (5,)) == np.broadcast_shapes((8, 1, 6, 1), (7, 1, 5), (5,))
    assert nb.broadcast_shape(3, (2, 1)) == (2, 3)
    assert nb.broadcast_shape() == np.broadcast_shapes() == ()
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) cannot be broadcast: axis -1"):
        nb.broadcast_shape((2, 3), (4,))
    with pytest.raises(ValueError, match="not a shape"):
        nb.broadcast_shape((2, -1))
