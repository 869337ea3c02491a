"""Chapter 5 in PyTorch: twins of :mod:`dlkit.numpy.regularization`.

Penalties and costs are torch operations; the backward functions are autograd
through the forward twins.  Dropout masks are drawn with NumPy's generator
from the same seed (then moved to the tensor's device), so a twin drops the
same units as its NumPy counterpart.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.numpy.regularization import NORMS
from dlkit.torch._tensors import as_tensor
from dlkit.torch.deep_network import L_model_backward, _n_layers, compute_cost, linear_activation_forward
from dlkit.torch.softmax_regression import softmax_cross_entropy


def _check_lambd(lambd, norm):
    if not lambd >= 0:
        raise ValueError(f"lambd is {lambd!r}, expected a number >= 0")
    if norm not in NORMS:
        raise ValueError(f"norm is {norm!r}, expected 'l2' or 'l1'")


def regularization_cost(parameters, lambd, m, norm="l2"):
    """(lambda / 2m) sum ||W[l]||_F^2 ("l2") or (lambda / m) sum |W[l]| ("l1").  A 0-d tensor."""
    _check_lambd(lambd, norm)
    W = [as_tensor(f"W{l}", parameters[f"W{l}"]) for l in range(1, _n_layers(parameters) + 1)]
    if norm == "l2":
        return lambd / (2 * m) * sum(torch.sum(w * w) for w in W)
    return lambd / m * sum(torch.sum(torch.abs(w)) for w in W)


def compute_cost_with_regularization(AL, Y, parameters, lambd, norm="l2"):
    """Cross-entropy plus :func:`regularization_cost`.  A 0-d tensor."""
    return compute_cost(AL, Y) + regularization_cost(parameters, lambd, np.shape(Y)[-1], norm)


def backward_propagation_with_regularization(AL, Y, caches, lambd, norm="l2"):
    """Gradients of the regularized cost: autograd's cross-entropy gradients plus autograd of the penalty."""
    _check_lambd(lambd, norm)
    grads = L_model_backward(AL, Y, caches)
    m = AL.shape[1]
    for l, ((_, W, _), _) in enumerate(caches, 1):
        w = W.detach().requires_grad_(True)
        with torch.enable_grad():
            penalty = lambd / (2 * m) * torch.sum(w * w) if norm == "l2" else lambd / m * torch.sum(torch.abs(w))
            (dpenalty,) = torch.autograd.grad(penalty, w)
        grads[f"dW{l}"] = grads[f"dW{l}"] + dpenalty
    return grads


def _check_keep_prob(keep_prob):
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob is {keep_prob!r}, expected a probability in (0, 1]")


def dropout_forward(A, keep_prob, seed=0):
    """A * D / keep_prob with D ~ Bernoulli(keep_prob) drawn as in NumPy.  Returns (A_dropped, (D, keep_prob))."""
    _check_keep_prob(keep_prob)
    A = as_tensor("A", A)
    D = np.random.default_rng(seed).random(tuple(A.shape)) < keep_prob
    D = torch.as_tensor(D, device=A.device).to(A.dtype)
    return A * D / keep_prob, (D, keep_prob)


def dropout_backward(dA, cache):
    """dA * D / keep_prob, by autograd through the masked scaling."""
    D, keep_prob = cache
    dA = as_tensor("dA", dA, like=D)
    check_shape("dA", dA, tuple(D.shape))
    a = torch.zeros_like(dA, requires_grad=True)
    with torch.enable_grad():
        (grad,) = torch.autograd.grad(a * D / keep_prob, a, dA)
    return grad


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5, seed=1):
    """L_model_forward with inverted dropout after each hidden layer.  Returns (AL, caches) as in NumPy."""
    _check_keep_prob(keep_prob)
    rng = np.random.default_rng(seed)
    L = _n_layers(parameters)
    A, caches = as_tensor("X", X), []
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
    """The NumPy twin's gradients, by autograd through the cached layers and masks."""
    _check_keep_prob(keep_prob)
    AL = as_tensor("AL", AL)
    Y = as_tensor("Y", Y, like=AL)
    dims = check_shape("AL", AL, ("n[L]", "m"))
    check_shape("Y", Y, ("n[L]", "m"), dims)
    L, m = len(caches), AL.shape[1]
    for l, (_, drop) in enumerate(caches, 1):
        if drop is not None and drop[1] != keep_prob:
            raise ValueError(f"keep_prob is {keep_prob}, but layer {l} was dropped with {drop[1]}")
    X = caches[0][0][0][0]
    inputs = [X.detach().requires_grad_(True)]
    for ((_, W, b), _), _ in caches:
        inputs += [W.detach().requires_grad_(True), b.detach().requires_grad_(True)]
    with torch.enable_grad():
        A, dropped = inputs[0], [inputs[0]]
        for l, (_, drop) in enumerate(caches, 1):
            A = (torch.sigmoid if l == L else torch.relu)(inputs[2 * l - 1] @ A + inputs[2 * l])
            if drop is not None:
                A = A * drop[0] / keep_prob
            dropped.append(A)
        found = torch.autograd.grad(compute_cost(A, Y), dropped[:-1] + inputs[1:])
    grads = {f"dA{l}": m * found[l] for l in range(L)}
    for l in range(1, L + 1):
        grads[f"dW{l}"], grads[f"db{l}"] = found[L + 2 * l - 2], found[L + 2 * l - 1]
    return grads


def smooth_labels(Y, epsilon):
    """(1 - epsilon) on the true class, epsilon / (K - 1) elsewhere.  Y: one-hot (K, m)."""
    Y = as_tensor("Y", Y)
    check_shape("Y", Y, ("K", "m"))
    K = Y.shape[0]
    if K < 2 or not 0 <= epsilon < 1:
        raise ValueError(f"epsilon is {epsilon!r} with K = {K}, expected 0 <= epsilon < 1 and K >= 2")
    return (1 - epsilon) * Y + epsilon / (K - 1) * (1 - Y)


def cross_entropy_with_label_smoothing(Z, Y, epsilon=0.1):
    """(cost, dZ) of softmax cross-entropy against smoothed labels (softmax_cross_entropy(Z, T)).  Z, Y: (K, m)."""
    Z = as_tensor("Z", Z)
    Y = as_tensor("Y", Y, like=Z)
    dims = check_shape("Z", Z, ("K", "m"))
    check_shape("Y", Y, ("K", "m"), dims)
    return softmax_cross_entropy(Z, smooth_labels(Y, epsilon))
