"""Chapter 5 in PyTorch: twins of :mod:`dlkit.numpy.input_normalization` (fit on train, apply everywhere)."""

import torch

from dlkit._shapes import check_shape
from dlkit.torch._tensors import as_tensor


def fit_standardization(X_train):
    """mu and sigma (population standard deviation; 1 for a constant feature), each (n_x, 1)."""
    X_train = as_tensor("X_train", X_train)
    check_shape("X_train", X_train, ("n_x", "m"))
    mu = X_train.mean(dim=1, keepdim=True)
    sigma = X_train.std(dim=1, keepdim=True, correction=0)
    return mu, torch.where(sigma > 0, sigma, torch.ones_like(sigma))


def standardize(X, mu, sigma):
    """(X - mu) / sigma.  X: (n_x, m); mu, sigma: (n_x, 1)."""
    X = as_tensor("X", X)
    mu, sigma = as_tensor("mu", mu, like=X), as_tensor("sigma", sigma, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("mu", mu, ("n_x", 1), dims)
    check_shape("sigma", sigma, ("n_x", 1), dims)
    return (X - mu) / sigma


def fit_pca_whitening(X_train):
    """mu (n_x, 1), U (n_x, n_x) and decreasing eigenvalues lam (n_x,), signs fixed as in NumPy."""
    X_train = as_tensor("X_train", X_train)
    check_shape("X_train", X_train, ("n_x", "m"))
    mu = X_train.mean(dim=1, keepdim=True)
    Xc = X_train - mu
    lam, U = torch.linalg.eigh(Xc @ Xc.T / X_train.shape[1])
    lam, U = lam.flip(0), U.flip(1)                           # decreasing
    idx = torch.argmax(torch.abs(U), dim=0)
    U = U * torch.sign(U[idx, torch.arange(U.shape[1], device=U.device)])
    return mu, U, torch.clamp(lam, min=0.0)


def pca_whiten(X, mu, U, lam, epsilon=1e-5):
    """U^T (X - mu) / sqrt(lam + epsilon).  Returns (n_x, m)."""
    X = as_tensor("X", X)
    mu, U, lam = (as_tensor(n, t, like=X) for n, t in (("mu", mu), ("U", U), ("lam", lam)))
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("mu", mu, ("n_x", 1), dims)
    check_shape("U", U, ("n_x", "n_x"), dims)
    check_shape("lam", lam, ("n_x",), dims)
    return (U.T @ (X - mu)) / torch.sqrt(lam + epsilon)[:, None]
