"""Chapter 5, regularization of the L-layer network: L2 and L1 penalties, dropout, label smoothing.

The network, caches and gradients are those of :mod:`dlkit.numpy.deep_network`
([LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, X (n_x, m), Y (1, m)).

    L2:  J = cross-entropy + (lambda / 2m) sum_l ||W[l]||_F^2     dW[l] += (lambda / m) W[l]
    L1:  J = cross-entropy + (lambda / m) sum_l sum |W[l]|        dW[l] += (lambda / m) sign(W[l])

The biases are not penalized.  Under plain gradient descent the L2 term turns
the update into W := (1 - alpha lambda / m) W - alpha dW: "weight decay".

Inverted dropout keeps each unit of a hidden layer with probability
keep_prob, A := A * D / keep_prob with D ~ Bernoulli(keep_prob), so that
E[A] is unchanged and nothing needs rescaling at test time (where no unit is
dropped).  The same mask D, scaled the same way, gates the backward pass.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.deep_network import (L_model_backward, _n_layers, compute_cost, linear_activation_backward,
                                      linear_activation_forward, linear_backward)
from dlkit.numpy.softmax_regression import softmax_cross_entropy

NORMS = ("l2", "l1")


def _check_lambd(lambd, norm):
    if not lambd >= 0:
        raise ValueError(f"lambd is {lambd!r}, expected a number >= 0")
    if norm not in NORMS:
        raise ValueError(f"norm is {norm!r}, expected 'l2' or 'l1'")


def _weights(parameters):
    """The W[l] of a parameter dict, l = 1..L (KeyError-free: checks the keys first)."""
    L = _n_layers(parameters)
    return {f"W{l}": as_array(f"W{l}", parameters[f"W{l}"]) for l in range(1, L + 1)}


def regularization_cost(parameters, lambd, m, norm="l2"):
    """The penalty: (lambda / 2m) sum ||W[l]||_F^2 for "l2", (lambda / m) sum |W[l]| for "l1".  A float."""
    _check_lambd(lambd, norm)
    W = _weights(parameters).values()
    if norm == "l2":
        return float(lambd / (2 * m) * sum(np.sum(w * w) for w in W))
    return float(lambd / m * sum(np.sum(np.abs(w)) for w in W))


def compute_cost_with_regularization(AL, Y, parameters, lambd, norm="l2"):
    """Cross-entropy of AL against Y, both (1, m), plus :func:`regularization_cost`.  A float."""
    return compute_cost(AL, Y) + regularization_cost(parameters, lambd, as_array("Y", Y).shape[-1], norm)


def backward_propagation_with_regularization(AL, Y, caches, lambd, norm="l2"):
    """:func:`L_model_backward`'s gradients of the regularized cost.

    AL, Y: (1, m); caches: from ``L_model_forward``, which hold the W[l].
    dW[l] gains (lambda / m) W[l] ("l2") or (lambda / m) sign(W[l]) ("l1",
    with sign(0) = 0, a subgradient); db and dA are unchanged.
    """
    _check_lambd(lambd, norm)
    grads = L_model_backward(AL, Y, caches)
    m = as_array("AL", AL).shape[1]
    for l, ((_, W, _), _) in enumerate(caches, 1):
        grads[f"dW{l}"] = grads[f"dW{l}"] + lambd / m * (W if norm == "l2" else np.sign(W))
    return grads


def _check_keep_prob(keep_prob):
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob is {keep_prob!r}, expected a probability in (0, 1]")


def dropout_forward(A, keep_prob, seed=0):
    """Inverted dropout: A * D / keep_prob with D[i, j] = 1 with probability keep_prob, else 0.

    A: any shape; seed: an int or an ``np.random.Generator`` (the mask is
    ``rng.random(A.shape) < keep_prob``).  keep_prob = 1 keeps everything.
    Returns (A_dropped, cache) with cache = (D, keep_prob), D a 0./1. array.
    """
    _check_keep_prob(keep_prob)
    A = as_array("A", A)
    D = (np.random.default_rng(seed).random(A.shape) < keep_prob).astype(A.dtype)
    return A * D / keep_prob, (D, keep_prob)


def dropout_backward(dA, cache):
    """Backward pass of inverted dropout: the same mask and scale, dA * D / keep_prob."""
    D, keep_prob = cache
    dA = as_array("dA", dA)
    check_shape("dA", dA, D.shape)
    return dA * D / keep_prob


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5, seed=1):
    """:func:`L_model_forward` with inverted dropout after every hidden (ReLU) layer.

    The masks come from one ``np.random.default_rng(seed)``, layer 1 first;
    the output layer is never dropped.  Returns (AL, caches) where caches[l-1]
    = (layer cache of ``linear_activation_forward``, dropout cache or None).
    """
    _check_keep_prob(keep_prob)
    rng = np.random.default_rng(seed)
    L = _n_layers(parameters)
    A, caches = as_array("X", X), []
    for l in range(1, L + 1):
        try:
            A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                 "sigmoid" if l == L else "relu")
        except ValueError as e:
            raise ValueError(f"layer {l}: {e}") from None
        drop = None
        if l < L:
            A, drop = dropout_forward(A, keep_prob, rng)
        caches.append((cache, drop))
    return A, caches


def backward_propagation_with_dropout(AL, Y, caches, keep_prob=0.5):
    """Gradients of the cross-entropy through the network of :func:`forward_propagation_with_dropout`.

    Each hidden layer's dA is first gated by that layer's mask
    (:func:`dropout_backward`), then passed through its block.  ``keep_prob``
    must be the forward pass's.  Returns the grads of ``L_model_backward``.
    """
    _check_keep_prob(keep_prob)
    AL, Y = as_array("AL", AL), as_array("Y", Y)
    dims = check_shape("AL", AL, ("n[L]", "m"))
    check_shape("Y", Y, ("n[L]", "m"), dims)
    L = len(caches)
    grads = {}
    for l in range(L, 0, -1):
        cache, drop = caches[l - 1]
        if l == L:                                       # sigmoid output with cross-entropy: dZ[L] = AL - Y
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(AL - Y, cache[0])
        else:
            if drop[1] != keep_prob:
                raise ValueError(f"keep_prob is {keep_prob}, but layer {l} was dropped with {drop[1]}")
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dropout_backward(dA, drop), cache, "relu")
        grads[f"dA{l - 1}"] = dA
    return grads


def smooth_labels(Y, epsilon):
    """Label smoothing as in the notes: 1 - epsilon on the true class, epsilon / (K - 1) on each other.

    Y: one-hot (K, m), K >= 2.  PyTorch's ``label_smoothing=eps`` instead
    gives 1 - eps + eps / K and eps / K: the same targets for
    eps_torch = epsilon K / (K - 1).
    """
    Y = as_array("Y", Y)
    check_shape("Y", Y, ("K", "m"))
    K = Y.shape[0]
    if K < 2 or not 0 <= epsilon < 1:
        raise ValueError(f"epsilon is {epsilon!r} with K = {K}, expected 0 <= epsilon < 1 and K >= 2")
    return (1 - epsilon) * Y + epsilon / (K - 1) * (1 - Y)


def cross_entropy_with_label_smoothing(Z, Y, epsilon=0.1):
    """Softmax cross-entropy of logits Z against smoothed one-hot labels, and its gradient.

    Z, Y: (K, m), classes along axis 0.  With T = smooth_labels(Y, epsilon):
    :func:`dlkit.numpy.softmax_regression.softmax_cross_entropy` (Z, T), that is
    J = -(1/m) sum_i sum_k T_ki log softmax(Z)_ki and dZ = (softmax(Z) - T) / m.
    Returns (cost, dZ).
    """
    Z, Y = as_array("Z", Z), as_array("Y", Y)
    dims = check_shape("Z", Z, ("K", "m"))
    check_shape("Y", Y, ("K", "m"), dims)
    return softmax_cross_entropy(Z, smooth_labels(Y, epsilon))
