"""Chapter 3 in PyTorch: twins of :mod:`dlkit.numpy.shallow_network`.

Same layout and formulas; backward_propagation's gradients come from
autograd through forward_propagation and compute_cost.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.torch._tensors import as_tensor


def layer_sizes(X, Y, n_h=4):
    """(n_x, n_h, n_y) for X: (n_x, m) and Y: (n_y, m)."""
    X = as_tensor("X", X)
    Y = as_tensor("Y", Y, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("Y", Y, ("n_y", "m"), dims)
    return X.shape[0], int(n_h), Y.shape[0]


def initialize_parameters(n_x, n_h, n_y, seed=2, scale=0.01, dtype=torch.float64, device=None):
    """The NumPy twin's parameters (the same numbers for the same seed), as tensors on ``device``."""
    rng = np.random.default_rng(seed)
    W1, W2 = scale * rng.standard_normal((n_h, n_x)), scale * rng.standard_normal((n_y, n_h))
    return {
        "W1": torch.as_tensor(W1, dtype=dtype, device=device),
        "b1": torch.zeros(n_h, 1, dtype=dtype, device=device),
        "W2": torch.as_tensor(W2, dtype=dtype, device=device),
        "b2": torch.zeros(n_y, 1, dtype=dtype, device=device),
    }


def _check_parameters(X, parameters):
    X = as_tensor("X", X)
    dims = check_shape("X", X, ("n_x", "m"))
    W1, b1, W2, b2 = (as_tensor(k, parameters[k], like=X) for k in ("W1", "b1", "W2", "b2"))
    check_shape("W1", W1, ("n_h", "n_x"), dims)
    check_shape("b1", b1, ("n_h", 1), dims)
    check_shape("W2", W2, ("n_y", "n_h"), dims)
    check_shape("b2", b2, ("n_y", 1), dims)
    return X, W1, b1, W2, b2, dims


def forward_propagation(X, parameters):
    """A2 = sigmoid(W2 tanh(W1 X + b1) + b2).  Returns (A2, {"Z1", "A1", "Z2", "A2"})."""
    X, W1, b1, W2, b2, _ = _check_parameters(X, parameters)
    Z1 = W1 @ X + b1
    A1 = torch.tanh(Z1)
    Z2 = W2 @ A1 + b2
    A2 = torch.sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    """-(1/m) sum [y log a + (1 - y) log(1 - a)] for A2, Y: (1, m).  Returns a 0-d tensor."""
    A2 = as_tensor("A2", A2)
    Y = as_tensor("Y", Y, like=A2)
    dims = check_shape("A2", A2, (1, "m"))
    check_shape("Y", Y, (1, "m"), dims)
    return -torch.sum(torch.xlogy(Y, A2) + torch.xlogy(1 - Y, 1 - A2)) / Y.shape[1]   # 0 log 0 = 0


def _gradients(parameters, X, Y):
    """{"dW1", ...} of the cost by autograd, and the cost."""
    leaves = {k: v.detach().requires_grad_(True) for k, v in parameters.items()}
    with torch.enable_grad():
        cost = compute_cost(forward_propagation(X, leaves)[0], Y)
        grads = torch.autograd.grad(cost, list(leaves.values()))
    return {"d" + k: g for k, g in zip(leaves, grads)}, cost.detach()


def backward_propagation(parameters, cache, X, Y):
    """{"dW1", "db1", "dW2", "db2"} by autograd (the cache's shapes are checked, its values recomputed)."""
    X, W1, b1, W2, b2, dims = _check_parameters(X, parameters)
    Y = as_tensor("Y", Y, like=X)
    check_shape("Y", Y, ("n_y", "m"), dims)
    check_shape("cache['A1']", cache["A1"], ("n_h", "m"), dims)
    check_shape("cache['A2']", cache["A2"], ("n_y", "m"), dims)
    return _gradients({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, Y)[0]


def update_parameters(parameters, grads, learning_rate=1.2):
    """p := p - learning_rate * dp for every parameter.  Returns a new dict."""
    updated = {}
    for key, p in parameters.items():
        if "d" + key not in grads:
            raise ValueError(f"grads has no 'd{key}' for parameter {key!r}")
        p = as_tensor(key, p)
        dp = as_tensor("d" + key, grads["d" + key], like=p)
        check_shape("d" + key, dp, tuple(p.shape))
        updated[key] = p - learning_rate * dp
    return updated


def nn_model(X, Y, n_h, num_iterations=10000, learning_rate=1.2, seed=3, record_every=1000, callback=None):
    """Batch gradient descent with autograd, on X's device.  Returns (parameters, costs) as in NumPy."""
    X = as_tensor("X", X)
    Y = as_tensor("Y", Y, like=X)
    n_x, n_h, n_y = layer_sizes(X, Y, n_h)
    parameters = initialize_parameters(n_x, n_h, n_y, seed, dtype=X.dtype, device=X.device)
    costs = []
    for i in range(num_iterations):
        grads, cost = _gradients(parameters, X, Y)
        if i % record_every == 0:
            costs.append(float(cost))
            if callback is not None:
                callback(i, costs[-1])
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def predict(parameters, X):
    """1 where A2 > 0.5, else 0.  Returns (n_y, m) in X's dtype."""
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).to(A2.dtype)
