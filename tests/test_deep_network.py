"""Chapter 4: the L-layer network's blocks, shapes and errors, and L_model_backward against autograd."""

import numpy as np
import pytest

from dlkit.data import load_spirals
from dlkit.numpy import deep_network as dn


def _network(rng, layer_dims, m):
    X = rng.standard_normal((layer_dims[0], m))
    return X, dn.initialize_parameters_deep(layer_dims, seed=5, scale=0.7)


def test_every_shape_of_a_worked_example(rng):
    """layer_dims [5, 4, 3, 2, 1], m = 10: W[l] (n[l], n[l-1]), b[l] (n[l], 1), Z, A, dA (n[l], m)."""
    dims, m = [5, 4, 3, 2, 1], 10
    X, params = _network(rng, dims, m)
    AL, caches = dn.L_model_forward(X, params)
    grads = dn.L_model_backward(AL, (rng.random((1, m)) < 0.5) * 1.0, caches)
    for l in range(1, 5):
        assert params[f"W{l}"].shape == grads[f"dW{l}"].shape == (dims[l], dims[l - 1])
        assert params[f"b{l}"].shape == grads[f"db{l}"].shape == (dims[l], 1)
        (A_prev, _, _), Z = caches[l - 1]
        assert A_prev.shape == grads[f"dA{l - 1}"].shape == (dims[l - 1], m) and Z.shape == (dims[l], m)
    assert AL.shape == (1, m)


def test_initialization_scale():
    p = dn.initialize_parameters_deep([400, 300, 1], seed=0)
    assert p["W1"].std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert dn.initialize_parameters_deep([4, 3], scale=0.01)["W1"].std() < 0.03
    with pytest.raises(ValueError, match="at least two positive sizes"):
        dn.initialize_parameters_deep([4])


def test_L_model_backward_matches_autograd_on_a_mixed_network(rng):
    """A random 4-layer network (ReLU, ReLU, ReLU, sigmoid), written independently in plain torch."""
    torch = pytest.importorskip("torch")
    X, params = _network(rng, [6, 5, 4, 3, 1], 12)
    Y = (rng.random((1, 12)) < 0.5) * 1.0
    params = {k: v + (0.1 * rng.standard_normal(v.shape) if k[0] == "b" else 0) for k, v in params.items()}
    grads = dn.L_model_backward(*dn.L_model_forward(X, params)[:1], Y, dn.L_model_forward(X, params)[1])
    t = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
    Xt = torch.from_numpy(X).requires_grad_(True)
    A = Xt
    for l in range(1, 5):
        Z = t[f"W{l}"] @ A + t[f"b{l}"]
        A = torch.sigmoid(Z) if l == 4 else torch.relu(Z)
    torch.nn.functional.binary_cross_entropy(A, torch.from_numpy(Y)).backward()
    for k in params:
        np.testing.assert_allclose(grads["d" + k], t[k].grad.numpy(), rtol=1e-9, atol=1e-15, err_msg=k)
    np.testing.assert_allclose(grads["dA0"], 12 * Xt.grad.numpy(), rtol=1e-9, atol=1e-15)  # m dJ/dX


def test_linear_activation_backward_chains_any_activations(rng):
    """relu, sigmoid, tanh, sigmoid stacked by hand: the blocks compose into autograd's gradient."""
    torch = pytest.importorskip("torch")
    acts, dims, m = ["relu", "sigmoid", "tanh", "sigmoid"], [3, 4, 4, 2, 1], 5
    X, params = _network(rng, dims, m)
    A, caches = X, []
    for l, g in enumerate(acts, 1):
        A, cache = dn.linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], g)
        caches.append(cache)
    dA, grads = np.ones_like(A), {}
    for l in range(4, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = dn.linear_activation_backward(dA, caches[l - 1], acts[l - 1])
    t = {k: torch.from_numpy(v).requires_grad_(True) for k, v in params.items()}
    A = torch.from_numpy(X)
    for l, g in enumerate(acts, 1):
        A = getattr(torch, g)(t[f"W{l}"] @ A + t[f"b{l}"])
    (A.sum() / m).backward()  # dW, db carry 1/m in the notes' convention
    for k in params:
        np.testing.assert_allclose(grads["d" + k], t[k].grad.numpy(), rtol=1e-9, atol=1e-15, err_msg=k)


def test_deep_network_learns_the_spirals():
    X, Y = load_spirals(m=200, classes=2)
    params, costs = dn.L_layer_model(X, Y, [2, 20, 10, 1], learning_rate=0.5, num_iterations=2000, record_every=500)
    assert np.mean(dn.predict(params, X) == Y) > 0.95
    assert len(costs) == 5 and costs[-1] < 0.5 * costs[0]


def test_models_record_the_last_cost_and_report_progress(rng):
    X, Y = rng.standard_normal((3, 20)), (rng.random((1, 20)) < 0.5) * 1.0
    seen = []
    _, costs = dn.two_layer_model(X, Y, (3, 4, 1), num_iterations=25, record_every=10,
                                  callback=lambda i, c: seen.append(i))
    assert seen == [0, 10, 20, 24] and len(costs) == 4
    with pytest.raises(ValueError, match=r"expected \(n_x, n_h, n_y\)"):
        dn.two_layer_model(X, Y, (3, 4, 4, 1))


def test_bad_inputs_name_both_shapes(rng):
    X, params = _network(rng, [5, 4, 1], 6)
    with pytest.raises(ValueError, match=r"X has shape \(6, 5\), expected \(5, m\)"):
        dn.L_model_forward(X.T, params)  # a transposed X is blamed on X, not on W1
    bad = dict(params, W1=np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"X has shape \(5, 6\), expected \(3, m\)"):
        dn.L_model_forward(X, bad)
    bad = dict(params, W2=np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"layer 2: W has shape \(1, 3\), expected .* = \(n\[l\], 4\)"):
        dn.L_model_forward(X, bad)
    AL, caches = dn.L_model_forward(X, params)
    with pytest.raises(ValueError, match=r"Y has shape \(6,\), expected \(n\[L\], m\) = \(1, 6\)"):
        dn.L_model_backward(AL, np.zeros(6), caches)
    # a cache from another layer: layer 1's cache given with layer 2's dA
    with pytest.raises(ValueError, match=r"dA has shape \(1, 6\), expected \(4, 6\)"):
        dn.linear_activation_backward(np.ones((1, 6)), caches[0], "relu")
    with pytest.raises(ValueError, match=r"dZ has shape \(4, 6\), expected \(1, 6\)"):
        dn.linear_backward(np.ones((4, 6)), caches[1][0])
    with pytest.raises(ValueError, match="activation is 'softplus'"):
        dn.linear_activation_forward(X, params["W1"], params["b1"], "softplus")
    with pytest.raises(ValueError, match="expected W1, b1, ..., WL, bL"):
        dn.L_model_forward(X, {"W1": params["W1"]})
