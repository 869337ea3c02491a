"""Chapter 2: logistic regression, against worked numbers, torch's cross-entropy and real data."""

import numpy as np
import pytest

from dlkit.data import load_faces
from dlkit.numpy import logistic_regression as lr

W, B = np.array([[1.0], [2.0]]), 2.0
X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
Y = np.array([[1, 0, 1]])


def test_initialize_with_zeros():
    w, b = lr.initialize_with_zeros(3)
    assert w.shape == (3, 1) and w.dtype == np.float64 and not w.any()
    assert b == 0.0 and isinstance(b, float)
    with pytest.raises(ValueError, match="expected a positive int"):
        lr.initialize_with_zeros(0)


def test_propagate_worked_example():
    # By hand: z = w^T x + b = [9, 12, -5.4], a = sigmoid(z), y = [1, 0, 1]:
    # J = -(log a1 + log(1 - a2) + log a3) / 3, dominated by -log(1 - a2) = 12.000006.
    grads, cost = lr.propagate(W, B, X, Y)
    a = 1 / (1 + np.exp(-np.array([9.0, 12.0, -5.4])))
    assert cost == pytest.approx(-(np.log(a[0]) + np.log(1 - a[1]) + np.log(a[2])) / 3, rel=1e-9)
    assert cost == pytest.approx(5.801545319394553, rel=1e-12)
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]], rtol=1e-8)
    assert grads["db"] == pytest.approx(0.00145557813678, rel=1e-9)


def test_cost_matches_torch_binary_cross_entropy(rng):
    torch = pytest.importorskip("torch")
    w, X_, Y_ = rng.standard_normal((6, 1)), rng.standard_normal((6, 20)), (rng.random((1, 20)) < 0.5) * 1.0
    _, cost = lr.propagate(w, -0.4, X_, Y_)
    A = torch.sigmoid(torch.from_numpy(w.T @ X_ - 0.4))
    expected = torch.nn.functional.binary_cross_entropy(A, torch.from_numpy(Y_)).item()
    assert cost == pytest.approx(expected, rel=1e-12)


def test_cost_stays_finite_when_the_model_is_sure():
    _, cost = lr.propagate(np.array([[100.0]]), 0.0, np.array([[10.0, -10.0]]), np.array([[0.0, 1.0]]))
    assert cost == pytest.approx(1000.0, rel=1e-12)  # log(1 - a) with a = sigmoid(1000): no inf


def test_optimize_decreases_the_cost_and_leaves_inputs_alone():
    w0 = np.zeros((2, 1))
    params, grads, costs = lr.optimize(w0, 0.0, X, Y, num_iterations=101, learning_rate=0.1, record_every=10)
    assert len(costs) == 11 and all(c1 > c2 for c1, c2 in zip(costs, costs[1:]))
    assert costs[0] == pytest.approx(np.log(2), rel=1e-12)  # w = 0, b = 0: a = 1/2 everywhere
    assert not w0.any()
    assert set(params) == {"w", "b"} and set(grads) == {"dw", "db"}


def test_optimize_reports_progress():
    seen = []
    lr.optimize(np.zeros((2, 1)), 0.0, X, Y, num_iterations=25, learning_rate=0.1, record_every=10,
                callback=lambda i, c: seen.append(i))
    assert seen == [0, 10, 20]


def test_predict_thresholds_at_one_half():
    w = np.array([[1.0]])
    np.testing.assert_array_equal(lr.predict(w, 0.0, np.array([[-2.0, -1e-9, 0.0, 1e-9, 3.0]])), [[0, 0, 0, 1, 1]])


def test_model_learns_faces():
    data = load_faces()
    d = lr.model(data.X_train, data.Y_train, data.X_test, data.Y_test, num_iterations=1000, learning_rate=0.005)
    assert d["train_accuracy"] >= 0.9 and d["test_accuracy"] >= 0.85, d
    assert d["Y_prediction_test"].shape == (1, 50) and len(d["costs"]) == 10
    assert d["test_accuracy"] == np.mean(d["Y_prediction_test"] == data.Y_test)


@pytest.mark.parametrize(
    "args, message",
    [
        ((W, B, X, Y.ravel()), r"Y has shape \(3,\), expected \(1, m\) = \(1, 3\)"),
        ((W.T, B, X, Y), r"w has shape \(1, 2\), expected \(n_x, 1\) = \(2, 1\)"),
        ((W, np.zeros((1, 1)), X, Y), r"b has shape \(1, 1\), expected \(\)"),
        ((W, B, X.T, Y), r"w has shape \(2, 1\), expected \(n_x, 1\) = \(3, 1\)"),
        ((W, B, np.array([["a", "b", "c"]] * 2), Y), "X has dtype <U1, expected an array of real numbers"),
    ],
)
def test_bad_input_is_named(args, message):
    with pytest.raises(ValueError, match=message):
        lr.propagate(*args)


def test_torch_twin_refuses_bad_shapes_too():
    torch = pytest.importorskip("torch")
    from dlkit.torch import logistic_regression as tlr

    with pytest.raises(ValueError, match=r"Y has shape \(3,\), expected \(1, m\) = \(1, 3\)"):
        tlr.propagate(torch.tensor(W), torch.tensor(B), torch.tensor(X), torch.tensor(Y.ravel()))
