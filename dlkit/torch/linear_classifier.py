"""Appendix A in PyTorch: twins of :mod:`dlkit.numpy.linear_classifier`; dW by autograd.

Each loss is written once as a torch computation of L from W; dW is the
gradient autograd takes through it.  Losses are 0-d tensors, as the other
torch twins return them.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.numpy.linear_classifier import LOSSES
from dlkit.torch._tensors import as_tensor
from dlkit.torch.knn import _as_labels


def _check(W, X, y):
    """W: (K, n_x), X: (n_x, m), y: (m,) or (1, m) labels in 0..K-1 (as int64 on X's device)."""
    X = as_tensor("X", X)
    W = as_tensor("W", W, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("W", W, ("K", "n_x"), dims)
    return W, X, _as_labels("y", y, X.shape[1], W.shape[0], device=X.device)


def _with_grad(loss_of_W, W, reg):
    """(L, dW) with L = loss_of_W(W) + reg * sum(W^2), dW by autograd."""
    W = W.detach().requires_grad_(True)
    with torch.enable_grad():
        loss = loss_of_W(W) + reg * torch.sum(W * W)
        (dW,) = torch.autograd.grad(loss, W)
    return loss.detach(), dW


def add_bias_row(X):
    """X: (n_x, m) with a last row of ones: (n_x + 1, m)."""
    X = as_tensor("X", X)
    check_shape("X", X, ("n_x", "m"))
    return torch.cat([X, X.new_ones((1, X.shape[1]))], dim=0)


def _svm_loops(W, X, y, delta):
    K, m = W.shape[0], X.shape[1]
    loss = W.new_zeros(())
    for i in range(m):
        s = W @ X[:, i]                                         # (K,)
        for j in range(K):
            if j != y[i]:
                loss = loss + torch.relu(s[j] - s[y[i]] + delta)
    return loss / m


def _svm(W, X, y, delta):
    cols = torch.arange(X.shape[1], device=X.device)
    S = W @ X                                                   # (K, m)
    others = torch.ones_like(S, dtype=torch.bool)
    others[y, cols] = False                                     # (K, m): the terms j != y_i
    margins = torch.relu(S - S[y, cols] + delta)                # (K, m)
    return margins[others].sum() / X.shape[1]


def _softmax_loops(W, X, y):
    m = X.shape[1]
    loss = W.new_zeros(())
    for i in range(m):
        loss = loss - torch.log_softmax(W @ X[:, i], dim=0)[y[i]]
    return loss / m


def _softmax(W, X, y):
    log_P = torch.log_softmax(W @ X, dim=0)                     # (K, m)
    return -log_P[y, torch.arange(X.shape[1], device=X.device)].sum() / X.shape[1]


def svm_loss_loops(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss with loops over examples and classes; dW by autograd.  Returns (loss, dW)."""
    W, X, y = _check(W, X, y)
    return _with_grad(lambda W: _svm_loops(W, X, y.tolist(), delta), W, reg)


def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss without loops; dW by autograd.  Returns (loss, dW)."""
    W, X, y = _check(W, X, y)
    return _with_grad(lambda W: _svm(W, X, y, delta), W, reg)


def softmax_loss_loops(W, X, y, reg):
    """Softmax (cross-entropy) loss with a loop over examples; dW by autograd.  Returns (loss, dW)."""
    W, X, y = _check(W, X, y)
    return _with_grad(lambda W: _softmax_loops(W, X, y.tolist()), W, reg)


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax (cross-entropy) loss without loops; dW by autograd.  Returns (loss, dW)."""
    W, X, y = _check(W, X, y)
    return _with_grad(lambda W: _softmax(W, X, y), W, reg)


def train_linear_classifier(X, y, loss="svm", learning_rate=1e-3, reg=1e-5, num_iters=1000, batch_size=200,
                            seed=0, callback=None, W=None):
    """Mini-batch SGD as in NumPy (the same batches and initial W from the same seed), on X's device.

    Returns (W, loss_history), loss_history a list of Python floats.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss is {loss!r}, expected one of {LOSSES}")
    X = as_tensor("X", X)
    m = check_shape("X", X, ("n_x", "m"))["m"]
    rng = np.random.default_rng(seed)
    if W is None:
        y = _as_labels("y", y, m)
        W = torch.as_tensor(0.001 * rng.standard_normal((int(y.max()) + 1, X.shape[0])), dtype=X.dtype,
                            device=X.device)
    W, X, y = _check(W, X, y)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size is {batch_size!r}, expected a positive int")
    loss_fn = svm_loss_vectorized if loss == "svm" else softmax_loss_vectorized
    history = []
    for it in range(num_iters):
        batch = torch.as_tensor(rng.integers(0, m, size=batch_size), device=X.device)  # with replacement
        value, dW = loss_fn(W, X[:, batch], y[batch], reg)
        W = W - learning_rate * dW
        history.append(float(value))
        if callback is not None:
            callback(it, float(value))
    return W, history


def predict_linear(W, X):
    """argmax over the K scores of W X.  Returns (m,) int64 on X's device."""
    X = as_tensor("X", X)
    W = as_tensor("W", W, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("W", W, ("K", "n_x"), dims)
    return torch.argmax(W @ X, dim=0)
