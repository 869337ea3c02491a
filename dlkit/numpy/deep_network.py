"""Chapter 4, an L-layer network built from forward and backward blocks with caches.

layer_dims = [n[0], n[1], ..., n[L]] with n[0] = n_x.  For l = 1..L:

    W[l]: (n[l], n[l-1])    b[l]: (n[l], 1)    Z[l], A[l], dZ[l], dA[l]: (n[l], m)
    Z[l] = W[l] A[l-1] + b[l],    A[l] = g[l](Z[l]),    A[0] = X

with ReLU in layers 1..L-1 and a sigmoid in layer L.  Each forward block
returns a cache, and the matching backward block turns dA[l] into
dA[l-1], dW[l], db[l]:

    dZ[l] = dA[l] * g[l]'(Z[l])
    dW[l] = (1/m) dZ[l] A[l-1]^T,  db[l] = (1/m) sum_i dZ[l],  dA[l-1] = W[l]^T dZ[l]

The cost is the cross-entropy of chapter 3 (:func:`compute_cost`) and the
update the same gradient step (:func:`update_parameters`), reused here.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.activations import relu, relu_derivative, tanh, tanh_derivative
from dlkit.numpy.basics import sigmoid, sigmoid_derivative
from dlkit.numpy.shallow_network import compute_cost, update_parameters  # noqa: F401 (part of this chapter's API)

ACTIVATIONS = {  # name -> (g, g')
    "relu": (relu, relu_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
}


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation is {name!r}, expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def initialize_parameters_deep(layer_dims, seed=3, scale=None):
    """W[l] ~ N(0, s^2) and b[l] = 0 for l = 1..L, drawn with ``np.random.default_rng(seed)``.

    layer_dims: [n_x, n[1], ..., n[L]].  s is ``scale`` when given, else
    1 / sqrt(n[l-1]), which keeps the variance of Z[l] near that of A[l-1]
    so a deep stack neither explodes nor dies at the start (chapter 5 has the
    full story: Xavier, He).  Returns {"W1", "b1", ..., "WL", "bL"}.

    >>> p = initialize_parameters_deep([5, 4, 3])
    >>> [(k, v.shape) for k, v in p.items()]
    [('W1', (4, 5)), ('b1', (4, 1)), ('W2', (3, 4)), ('b2', (3, 1))]
    """
    layer_dims = [int(n) for n in layer_dims]
    if len(layer_dims) < 2 or min(layer_dims) < 1:
        raise ValueError(f"layer_dims is {layer_dims}, expected at least two positive sizes [n_x, ..., n_L]")
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        s = 1.0 / np.sqrt(layer_dims[l - 1]) if scale is None else scale
        parameters[f"W{l}"] = s * rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A_prev, W, b):
    """Z = W A_prev + b.

    A_prev: (n[l-1], m), W: (n[l], n[l-1]), b: (n[l], 1).
    Returns (Z, cache) with Z: (n[l], m) and cache = (A_prev, W, b).
    """
    A_prev, W, b = as_array("A_prev", A_prev), as_array("W", W), as_array("b", b)
    dims = check_shape("A_prev", A_prev, ("n[l-1]", "m"))
    check_shape("W", W, ("n[l]", "n[l-1]"), dims)
    check_shape("b", b, ("n[l]", 1), dims)
    return W @ A_prev + b, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b) for activation g in "relu", "sigmoid", "tanh".

    Returns (A, cache) with A: (n[l], m) and cache = (linear_cache, Z).
    """
    g, _ = _activation(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    return g(Z), (linear_cache, Z)


def _n_layers(parameters):
    L = len(parameters) // 2
    missing = [k for l in range(1, L + 1) for k in (f"W{l}", f"b{l}") if k not in parameters]
    if L < 1 or missing or len(parameters) != 2 * L:
        raise ValueError(f"parameters has keys {sorted(parameters)}, expected W1, b1, ..., WL, bL")
    return L


def L_model_forward(X, parameters):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID.

    X: (n_x, m); parameters: {"W1", "b1", ..., "WL", "bL"}.
    Returns (AL, caches): AL: (n[L], m), and the L caches of
    :func:`linear_activation_forward`, layer 1 first.
    """
    L = _n_layers(parameters)
    A, caches = as_array("X", X), []
    check_shape("X", A, (np.shape(parameters["W1"])[-1], "m"))   # blame X, not W1, for a transposed X
    for l in range(1, L + 1):
        try:
            A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                 "sigmoid" if l == L else "relu")
        except ValueError as e:
            raise ValueError(f"layer {l}: {e}") from None
        caches.append(cache)
    return A, caches


def linear_backward(dZ, cache):
    """Backward pass of the linear block Z = W A_prev + b.

    dZ: (n[l], m); cache = (A_prev, W, b) from :func:`linear_forward`.
    Returns (dA_prev, dW, db): dA_prev = W^T dZ (n[l-1], m),
    dW = (1/m) dZ A_prev^T (n[l], n[l-1]), db = (1/m) sum_i dZ (n[l], 1).
    """
    A_prev, W, b = cache
    dZ = as_array("dZ", dZ)
    check_shape("dZ", dZ, (W.shape[0], A_prev.shape[1]))
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def linear_activation_backward(dA, cache, activation):
    """Backward pass of A = g(W A_prev + b): dZ = dA * g'(Z), then :func:`linear_backward`.

    dA: (n[l], m); cache = (linear_cache, Z) from :func:`linear_activation_forward`
    with the same ``activation``.  Returns (dA_prev, dW, db).
    """
    _, g_prime = _activation(activation)
    linear_cache, Z = cache
    dA = as_array("dA", dA)
    check_shape("dA", dA, Z.shape)
    return linear_backward(dA * g_prime(Z), linear_cache)


def L_model_backward(AL, Y, caches):
    """Gradients of the cross-entropy cost through every layer, output first.

    AL: (1, m), the output of :func:`L_model_forward`; Y: (1, m); caches: its
    caches.  The output layer starts from dAL = -(Y / AL - (1 - Y) / (1 - AL)),
    which through the sigmoid gives dZ[L] = dAL * AL (1 - AL) = AL - Y; that
    product is computed directly, so it stays finite when AL rounds to 0 or 1.
    Returns {"dA0", "dW1", "db1", ..., "dA(L-1)", "dWL", "dbL"}, where dA[l-1]
    is the gradient with respect to the input of layer l (m times dJ/dA[l-1];
    the 1/m is in dW, db).
    """
    AL, Y = as_array("AL", AL), as_array("Y", Y)
    dims = check_shape("AL", AL, ("n[L]", "m"))
    check_shape("Y", Y, ("n[L]", "m"), dims)
    L = len(caches)
    grads = {}
    for l in range(L, 0, -1):
        try:
            if l == L:                                   # sigmoid output with cross-entropy
                dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(AL - Y, caches[l - 1][0])
            else:
                dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], "relu")
        except ValueError as e:
            raise ValueError(f"layer {l}: {e}") from None
        grads[f"dA{l - 1}"] = dA
    return grads


def _train(X, Y, parameters, learning_rate, num_iterations, record_every, callback):
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        grads = L_model_backward(AL, Y, caches)
        if i % record_every == 0 or i == num_iterations - 1:
            costs.append(compute_cost(AL, Y))
            if callback is not None:
                callback(i, costs[-1])
        parameters = update_parameters(parameters, grads, learning_rate)  # the dA entries are ignored
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, seed=1,
                    record_every=100, callback=None):
    """LINEAR -> RELU -> LINEAR -> SIGMOID, trained by batch gradient descent.

    X: (n_x, m), Y: (1, m), layers_dims: (n_x, n_h, n_y).  The cost is recorded
    every ``record_every`` iterations and after the last one, and passed to
    ``callback(i, cost)``.  Returns (parameters, costs).
    """
    if len(layers_dims) != 3:
        raise ValueError(f"layers_dims is {list(layers_dims)}, expected (n_x, n_h, n_y)")
    return L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, seed, record_every, callback)


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, seed=1,
                  record_every=100, callback=None):
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, trained by batch gradient descent.

    X: (n_x, m), Y: (1, m), layers_dims: [n_x, n[1], ..., n[L]], parameters from
    ``initialize_parameters_deep(layers_dims, seed)``.  Returns (parameters, costs)
    as :func:`two_layer_model`.
    """
    X, Y = as_array("X", X), as_array("Y", Y)
    dims = check_shape("X", X, (int(layers_dims[0]), "m"))
    check_shape("Y", Y, (int(layers_dims[-1]), "m"), dims)
    parameters = initialize_parameters_deep(layers_dims, seed)
    return _train(X, Y, parameters, learning_rate, num_iterations, record_every, callback)


def predict(parameters, X):
    """Label 1 where the L-layer network's output AL > 0.5, else 0.  X: (n_x, m); returns (1, m)."""
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(AL.dtype)
