"""Appendix A in PyTorch: twins of :mod:`dlkit.numpy.knn`, on the inputs' device and dtype.

The splits of :func:`dlkit.numpy.knn.k_fold_split` are index arrays from a
seeded NumPy permutation, shared by both backends; :func:`cross_validate_knn`
uses them to index the tensors.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy.knn import _CHUNK_ENTRIES, DISTANCES, _check_features, _check_k, k_fold_split
from dlkit.torch._tensors import as_tensor


def _as_labels(name, y, m, K=None, device=None):
    """Labels (m,) or (1, m) of integers in 0..K-1 (any K >= 0 when K is None) as an int64 (m,) tensor on device."""
    y = y if isinstance(y, torch.Tensor) else torch.as_tensor(np.asarray(y))
    if y.ndim == 2 and y.shape[0] == 1:
        y = y.reshape(-1)                                     # (1, m) -> (m,)
    if tuple(y.shape) != (m,):
        raise ValueError(f"{name} has shape {format_shape(y.shape)}, expected (m,) or (1, m) with m = {m}")
    if y.is_complex() or (y.is_floating_point() and not torch.all(y == y.round())):
        raise ValueError(f"{name} has dtype {y.dtype} with non-integer values, expected integer class labels")
    top = "K - 1" if K is None else K - 1
    if y.numel() and (y.min() < 0 or (K is not None and y.max() >= K)):
        raise ValueError(f"{name} holds labels from {int(y.min())} to {int(y.max())}, expected integers in 0..{top}")
    return y.to(device=device, dtype=torch.int64)


def _check_pair(X_test, X_train):
    X_test = as_tensor("X_test", X_test)
    X_train = as_tensor("X_train", X_train, like=X_test)
    _check_features(X_test, X_train)
    return X_test, X_train


def compute_distances_two_loops(X_test, X_train):
    """L2 distances, a loop over test and one over training examples.  D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    D = X_test.new_zeros((X_test.shape[1], X_train.shape[1]))
    for i in range(X_test.shape[1]):
        for j in range(X_train.shape[1]):
            diff = X_test[:, i] - X_train[:, j]                    # (n_x,)
            D[i, j] = torch.sqrt(torch.sum(diff * diff))
    return D


def compute_distances_one_loop(X_test, X_train):
    """L2 distances, one loop over test examples, each row by broadcasting.  D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    D = X_test.new_zeros((X_test.shape[1], X_train.shape[1]))
    for i in range(X_test.shape[1]):
        diff = X_train - X_test[:, i:i + 1]                         # (n_x, m_train) - (n_x, 1)
        D[i] = torch.sqrt(torch.sum(diff * diff, dim=0))
    return D


def compute_distances_no_loops(X_test, X_train):
    """L2 distances from ||a||^2 + ||b||^2 - 2 a.b, clipped at 0 before the square root.  D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    sq_test = torch.sum(X_test * X_test, dim=0)[:, None]        # (m_test, 1)
    sq_train = torch.sum(X_train * X_train, dim=0)[None, :]     # (1, m_train)
    D2 = sq_test + sq_train - 2 * (X_test.T @ X_train)          # (m_test, m_train)
    return torch.sqrt(torch.clamp(D2, min=0))


def l1_distances(X_test, X_train):
    """L1 distances by broadcasting, a block of test examples at a time.  D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    n_x, m_train = X_train.shape
    A, B = X_test.T, X_train.T                                  # (m_test, n_x), (m_train, n_x)
    rows = max(1, _CHUNK_ENTRIES // max(1, m_train * n_x))
    D = X_test.new_zeros((A.shape[0], m_train))
    for start in range(0, A.shape[0], rows):
        block = A[start:start + rows, None, :] - B[None, :, :]  # (rows, m_train, n_x)
        D[start:start + rows] = block.abs().sum(dim=2)
    return D


def predict_labels(dists, y_train, k=1):
    """Majority label of the k nearest (stable sort; vote ties to the smallest label).  Returns (m_test,) int64."""
    dists = as_tensor("dists", dists)
    m_train = check_shape("dists", dists, ("m_test", "m_train"))["m_train"]
    y_train = _as_labels("y_train", y_train, m_train, device=dists.device)
    _check_k(k, m_train)
    nearest = torch.argsort(dists, dim=1, stable=True)[:, :k]   # (m_test, k) training indices
    return _vote(y_train[nearest], int(y_train.max()) + 1)


def _vote(labels, K):
    """labels: (m_test, k), the labels of the k nearest -> (m_test,) the most frequent, ties to the smallest."""
    votes = torch.zeros(labels.shape[0], K, dtype=torch.int64, device=labels.device)
    votes.scatter_add_(1, labels, torch.ones_like(labels))      # (m_test, K)
    return torch.argmax(votes, dim=1)                           # the first maximal, i.e. smallest, label


def cross_validate_knn(X, y, ks, n_folds=5, seed=0, distance="l2"):
    """Validation accuracies (len(ks), n_folds) in X's dtype and device, on the NumPy twin's folds."""
    X = as_tensor("X", X)
    m = check_shape("X", X, ("n_x", "m"))["m"]
    y = _as_labels("y", y, m, device=X.device)
    if distance not in DISTANCES:
        raise ValueError(f"distance is {distance!r}, expected one of {DISTANCES}")
    dist_fn = l1_distances if distance == "l1" else compute_distances_no_loops
    accuracies = X.new_zeros((len(ks), n_folds))
    K = int(y.max()) + 1
    for f, (train_idx, val_idx) in enumerate(k_fold_split(m, n_folds, seed)):
        for k in ks:
            _check_k(k, len(train_idx))
        train_idx, val_idx = torch.as_tensor(train_idx, device=X.device), torch.as_tensor(val_idx, device=X.device)
        dists = dist_fn(X[:, val_idx], X[:, train_idx])         # (m_val, m_train)
        nearest = torch.argsort(dists, dim=1, stable=True)[:, :max(ks)]
        for row, k in enumerate(ks):
            accuracies[row, f] = (_vote(y[train_idx][nearest[:, :k]], K) == y[val_idx]).to(X.dtype).mean()
    return accuracies
