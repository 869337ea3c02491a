"""Chapter 5, normalizing the inputs: standardization and PCA whitening, fitted on the training set only.

Fit the statistics on X_train and apply the same numbers to the dev and test
sets (and to every future input): normalizing each set with its own
statistics would feed the network differently scaled data than it learned on.

    standardize:  x := (x - mu) / sigma        per feature; mu, sigma: (n_x, 1)
    PCA whitening: x := U^T (x - mu) / sqrt(lambda + eps)   decorrelated, unit variance

where U holds the eigenvectors of the training covariance (1/m) Xc Xc^T as
columns, in order of decreasing eigenvalue lambda.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array


def fit_standardization(X_train):
    """mu = mean over examples and sigma = standard deviation (not the variance), each (n_x, 1).

    X_train: (n_x, m).  A constant feature gets sigma = 1 (it is only centred).

    >>> mu, sigma = fit_standardization(np.array([[1.0, 3.0], [5.0, 5.0]]))
    >>> mu.ravel().tolist(), sigma.ravel().tolist()
    ([2.0, 5.0], [1.0, 1.0])
    """
    X_train = as_array("X_train", X_train)
    check_shape("X_train", X_train, ("n_x", "m"))
    mu = X_train.mean(axis=1, keepdims=True)
    sigma = X_train.std(axis=1, keepdims=True)
    return mu, np.where(sigma > 0, sigma, 1.0)


def standardize(X, mu, sigma):
    """(X - mu) / sigma with the training set's mu, sigma: (n_x, 1).  X: (n_x, m)."""
    X, mu, sigma = as_array("X", X), as_array("mu", mu), as_array("sigma", sigma)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("mu", mu, ("n_x", 1), dims)
    check_shape("sigma", sigma, ("n_x", 1), dims)
    return (X - mu) / sigma


def _fix_signs(U):
    """Eigenvectors are defined up to sign: make each column's largest-magnitude entry positive."""
    idx = np.argmax(np.abs(U), axis=0)
    return U * np.sign(U[idx, np.arange(U.shape[1])])


def fit_pca_whitening(X_train):
    """mu (n_x, 1), U (n_x, n_x) and eigenvalues lam (n_x,) of the training covariance, lam decreasing.

    Cov = (1/m) (X - mu)(X - mu)^T.  Each eigenvector's sign is fixed (its
    largest entry positive), so the result is reproducible across libraries.
    """
    X_train = as_array("X_train", X_train)
    check_shape("X_train", X_train, ("n_x", "m"))
    mu = X_train.mean(axis=1, keepdims=True)
    Xc = X_train - mu
    lam, U = np.linalg.eigh(Xc @ Xc.T / X_train.shape[1])    # ascending
    order = np.argsort(lam)[::-1]
    return mu, _fix_signs(U[:, order]), np.clip(lam[order], 0.0, None)


def pca_whiten(X, mu, U, lam, epsilon=1e-5):
    """U^T (X - mu) / sqrt(lam + epsilon): rotated onto the principal axes and scaled to unit variance.

    X: (n_x, m); mu, U, lam from :func:`fit_pca_whitening`.  epsilon keeps
    near-zero directions (noise) from being blown up.  Returns (n_x, m).
    """
    X, mu, U, lam = as_array("X", X), as_array("mu", mu), as_array("U", U), as_array("lam", lam)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("mu", mu, ("n_x", 1), dims)
    check_shape("U", U, ("n_x", "n_x"), dims)
    check_shape("lam", lam, ("n_x",), dims)
    return (U.T @ (X - mu)) / np.sqrt(lam + epsilon)[:, None]
