"""Chapter 4 in PyTorch: twins of :mod:`dlkit.numpy.deep_network`.

The forward blocks are torch operations; each backward block is autograd
through its forward twin, so the parity tests compare the NumPy chain rule,
block by block, with autograd.  The models train with autograd's gradients.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.torch._tensors import as_tensor
from dlkit.torch.activations import _vjp
from dlkit.torch.shallow_network import compute_cost, update_parameters  # noqa: F401 (part of this chapter's API)

ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation is {name!r}, expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def initialize_parameters_deep(layer_dims, seed=3, scale=None, dtype=torch.float64, device=None):
    """The NumPy twin's parameters (the same numbers for the same seed), as tensors on ``device``."""
    layer_dims = [int(n) for n in layer_dims]
    if len(layer_dims) < 2 or min(layer_dims) < 1:
        raise ValueError(f"layer_dims is {layer_dims}, expected at least two positive sizes [n_x, ..., n_L]")
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        s = 1.0 / np.sqrt(layer_dims[l - 1]) if scale is None else scale
        W = s * rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        parameters[f"W{l}"] = torch.as_tensor(W, dtype=dtype, device=device)
        parameters[f"b{l}"] = torch.zeros(layer_dims[l], 1, dtype=dtype, device=device)
    return parameters


def _linear(A_prev, W, b):
    A_prev = as_tensor("A_prev", A_prev)
    W, b = as_tensor("W", W, like=A_prev), as_tensor("b", b, like=A_prev)
    dims = check_shape("A_prev", A_prev, ("n[l-1]", "m"))
    check_shape("W", W, ("n[l]", "n[l-1]"), dims)
    check_shape("b", b, ("n[l]", 1), dims)
    return A_prev, W, b


def linear_forward(A_prev, W, b):
    """Z = W A_prev + b.  Returns (Z, (A_prev, W, b))."""
    A_prev, W, b = _linear(A_prev, W, b)
    return W @ A_prev + b, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b).  Returns (A, ((A_prev, W, b), Z))."""
    g = _activation(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    return g(Z), (linear_cache, Z)


def _n_layers(parameters):
    L = len(parameters) // 2
    missing = [k for l in range(1, L + 1) for k in (f"W{l}", f"b{l}") if k not in parameters]
    if L < 1 or missing or len(parameters) != 2 * L:
        raise ValueError(f"parameters has keys {sorted(parameters)}, expected W1, b1, ..., WL, bL")
    return L


def L_model_forward(X, parameters):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.  Returns (AL, caches)."""
    L = _n_layers(parameters)
    A, caches = as_tensor("X", X), []
    for l in range(1, L + 1):
        try:
            A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                 "sigmoid" if l == L else "relu")
        except ValueError as e:
            raise ValueError(f"layer {l}: {e}") from None
        caches.append(cache)
    return A, caches


def _linear_mean(A_prev, W, b):
    """Z scaled so that autograd's dW, db carry the 1/m of the notes' convention.

    The notes' dZ is m times dJ/dZ (the 1/m is applied in dW and db, not in
    dA_prev), so the backward blocks differentiate W A_prev / m + b / m for
    dW and db, and W A_prev for dA_prev.
    """
    return (W @ A_prev + b) / A_prev.shape[1]


def linear_backward(dZ, cache):
    """(dA_prev, dW, db) of Z = W A_prev + b, by autograd, with the notes' 1/m in dW and db."""
    A_prev, W, b = cache
    dZ = as_tensor("dZ", dZ, like=A_prev)
    check_shape("dZ", dZ, (W.shape[0], A_prev.shape[1]))
    (dA_prev,) = _vjp(lambda A: W @ A + b, [A_prev], dZ)
    _, dW, db = _vjp(_linear_mean, [A_prev, W, b], dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """(dA_prev, dW, db) of A = g(W A_prev + b): dZ = dA * g'(Z) by autograd, then :func:`linear_backward`."""
    g = _activation(activation)
    linear_cache, Z = cache
    dA = as_tensor("dA", dA, like=Z)
    check_shape("dA", dA, tuple(Z.shape))
    (dZ,) = _vjp(g, [Z], dA)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """The NumPy twin's gradients, by autograd of the cost through every cached layer.

    The caches give X (layer 1's input) and the parameters; the network is
    run again with autograd on.  dA[l-1] keeps the notes' scale (m times dJ/dA).
    """
    AL = as_tensor("AL", AL)
    Y = as_tensor("Y", Y, like=AL)
    dims = check_shape("AL", AL, ("n[L]", "m"))
    check_shape("Y", Y, ("n[L]", "m"), dims)
    L, m = len(caches), AL.shape[1]
    X = caches[0][0][0]
    params = [t for (A_prev, W, b), Z in caches for t in (W, b)]
    inputs = [X.detach().requires_grad_(True)] + [p.detach().requires_grad_(True) for p in params]
    with torch.enable_grad():
        A, activations = inputs[0], [inputs[0]]
        for l in range(1, L + 1):
            W, b = inputs[2 * l - 1], inputs[2 * l]
            A = (torch.sigmoid if l == L else torch.relu)(W @ A + b)
            activations.append(A)
        cost = compute_cost(A, Y)
        found = torch.autograd.grad(cost, activations[:-1] + inputs[1:])
    grads = {f"dA{l}": m * found[l] for l in range(L)}
    for l in range(1, L + 1):
        grads[f"dW{l}"], grads[f"db{l}"] = found[L + 2 * l - 2], found[L + 2 * l - 1]
    return grads


def _train(X, Y, parameters, learning_rate, num_iterations, record_every, callback):
    costs = []
    for i in range(num_iterations):
        leaves = {k: v.detach().requires_grad_(True) for k, v in parameters.items()}
        with torch.enable_grad():
            cost = compute_cost(L_model_forward(X, leaves)[0], Y)
            found = torch.autograd.grad(cost, list(leaves.values()))
        if i % record_every == 0 or i == num_iterations - 1:
            costs.append(float(cost.detach()))
            if callback is not None:
                callback(i, costs[-1])
        parameters = update_parameters(parameters, {"d" + k: g for k, g in zip(leaves, found)}, learning_rate)
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, seed=1,
                    record_every=100, callback=None):
    """LINEAR -> RELU -> LINEAR -> SIGMOID on X's device.  Returns (parameters, costs)."""
    if len(layers_dims) != 3:
        raise ValueError(f"layers_dims is {list(layers_dims)}, expected (n_x, n_h, n_y)")
    return L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, seed, record_every, callback)


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, seed=1,
                  record_every=100, callback=None):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID on X's device.  Returns (parameters, costs)."""
    X = as_tensor("X", X)
    Y = as_tensor("Y", Y, like=X)
    dims = check_shape("X", X, (int(layers_dims[0]), "m"))
    check_shape("Y", Y, (int(layers_dims[-1]), "m"), dims)
    parameters = initialize_parameters_deep(layers_dims, seed, dtype=X.dtype, device=X.device)
    return _train(X, Y, parameters, learning_rate, num_iterations, record_every, callback)


def predict(parameters, X):
    """1 where AL > 0.5, else 0.  Returns (1, m) in X's dtype."""
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).to(AL.dtype)
