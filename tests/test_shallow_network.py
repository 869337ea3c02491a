"""Chapter 3: the two-layer network on worked numbers, torch's cross-entropy, planar data and symmetry."""

import numpy as np
import pytest

from dlkit.data import load_flower, load_moons
from dlkit.numpy import logistic_regression as lr
from dlkit.numpy import shallow_network as sn


def test_layer_sizes_and_initialization():
    assert sn.layer_sizes(np.zeros((5, 3)), np.zeros((2, 3)), n_h=6) == (5, 6, 2)
    p = sn.initialize_parameters(2, 4, 1, seed=2)
    assert {k: v.shape for k, v in p.items()} == {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    rng = np.random.default_rng(2)
    np.testing.assert_array_equal(p["W1"], 0.01 * rng.standard_normal((4, 2)))  # drawn in this order
    np.testing.assert_array_equal(p["W2"], 0.01 * rng.standard_normal((1, 4)))
    assert not p["b1"].any() and not p["b2"].any()


def test_forward_worked_example():
    X = np.array([[1.0, -1.0], [2.0, 0.5]])
    p = {"W1": np.array([[0.5, -0.25]]), "b1": np.array([[0.1]]), "W2": np.array([[2.0]]), "b2": np.array([[-0.5]])}
    A2, cache = sn.forward_propagation(X, p)
    # z1 = [0.5 - 0.5 + 0.1, -0.5 - 0.125 + 0.1] = [0.1, -0.525]
    np.testing.assert_allclose(cache["Z1"], [[0.1, -0.525]])
    np.testing.assert_allclose(A2, 1 / (1 + np.exp(-(2 * np.tanh([[0.1, -0.525]]) - 0.5))))


def test_cost_matches_torch(rng):
    torch = pytest.importorskip("torch")
    A2, Y = rng.random((1, 9)) * 0.98 + 0.01, (rng.random((1, 9)) < 0.5) * 1.0
    expected = torch.nn.functional.binary_cross_entropy(torch.from_numpy(A2), torch.from_numpy(Y)).item()
    assert sn.compute_cost(A2, Y) == pytest.approx(expected, rel=1e-12)


def test_backward_propagation_matches_autograd(rng):
    torch = pytest.importorskip("torch")
    X, Y = rng.standard_normal((3, 8)), (rng.random((1, 8)) < 0.5) * 1.0
    p = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal((4, 1)),
         "W2": rng.standard_normal((1, 4)), "b2": rng.standard_normal((1, 1))}
    grads = sn.backward_propagation(p, sn.forward_propagation(X, p)[1], X, Y)
    t = {k: torch.from_numpy(v).requires_grad_(True) for k, v in p.items()}
    A2 = torch.sigmoid(t["W2"] @ torch.tanh(t["W1"] @ torch.from_numpy(X) + t["b1"]) + t["b2"])
    torch.nn.functional.binary_cross_entropy(A2, torch.from_numpy(Y)).backward()
    for k in p:
        np.testing.assert_allclose(grads["d" + k], t[k].grad.numpy(), rtol=1e-10, err_msg=k)


def test_update_leaves_the_inputs_alone():
    p = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    new = sn.update_parameters(p, {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1))}, learning_rate=0.5)
    assert (p["W1"] == 1).all() and (new["W1"] == 0.5).all() and (new["b1"] == -0.5).all()
    with pytest.raises(ValueError, match="grads has no 'db1'"):
        sn.update_parameters(p, {"dW1": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"dW1 has shape \(2, 1\), expected \(2, 2\)"):
        sn.update_parameters(p, {"dW1": np.ones((2, 1)), "db1": np.ones((2, 1))})


def test_zero_initialization_keeps_hidden_units_identical():
    """The symmetry problem: equal rows of W1 get equal updates, forever."""
    X, Y = load_flower(m=100)
    p = {"W1": np.full((4, 2), 0.3), "b1": np.zeros((4, 1)), "W2": np.full((1, 4), 0.3), "b2": np.zeros((1, 1))}
    for _ in range(50):
        A2, cache = sn.forward_propagation(X, p)
        p = sn.update_parameters(p, sn.backward_propagation(p, cache, X, Y), 1.2)
    assert np.ptp(p["W1"], axis=0).max() == 0.0 and np.ptp(p["W2"]) == 0.0
    assert np.abs(p["W1"] - 0.3).max() > 1e-3  # they did learn, all alike


def test_two_layers_beat_logistic_regression_on_the_flower():
    X, Y = load_flower()
    params, costs = sn.nn_model(X, Y, n_h=4, num_iterations=10000)
    accuracy = np.mean(sn.predict(params, X) == Y)
    baseline = lr.model(X, Y, X, Y, num_iterations=1000, learning_rate=0.5)["train_accuracy"]
    assert accuracy > 0.9 > 0.6 > baseline
    assert costs[-1] < costs[0]


def test_moons_are_separated():
    X, Y = load_moons()
    params, _ = sn.nn_model(X, Y, n_h=5, num_iterations=3000)
    assert np.mean(sn.predict(params, X) == Y) > 0.97


def test_nn_model_reports_progress():
    X, Y = load_moons(m=40)
    seen = []
    sn.nn_model(X, Y, 3, num_iterations=25, record_every=10, callback=lambda i, c: seen.append(i))
    assert seen == [0, 10, 20]


def test_mismatched_parameters_name_the_shapes():
    X = np.zeros((2, 5))
    p = sn.initialize_parameters(3, 4, 1)
    with pytest.raises(ValueError, match=r"W1 has shape \(4, 3\), expected \(n_h, n_x\) = \(n_h, 2\)"):
        sn.forward_propagation(X, p)
    p = sn.initialize_parameters(2, 4, 1)
    with pytest.raises(ValueError, match=r"Y has shape \(5,\), expected \(n_y, m\) = \(1, 5\)"):
        sn.backward_propagation(p, sn.forward_propagation(X, p)[1], X, np.zeros(5))
