"""Chapter 7 in PyTorch: twins of :mod:`dlkit.numpy.batch_norm`; the backward passes are autograd.

Caches hold (Z, Z_norm, 1/sigma, gamma, eps), as in NumPy; the backward
functions run the forward normalization again on Z with autograd.
"""

import torch

from dlkit._shapes import check_shape
from dlkit.numpy.batch_norm import MODES
from dlkit.torch._tensors import as_tensor
from dlkit.torch.activations import _vjp


def _check(Z, gamma, beta):
    Z = as_tensor("Z", Z)
    gamma, beta = as_tensor("gamma", gamma, like=Z), as_tensor("beta", beta, like=Z)
    dims = check_shape("Z", Z, ("n", "m"))
    check_shape("gamma", gamma, ("n", 1), dims)
    check_shape("beta", beta, ("n", 1), dims)
    return Z, gamma, beta


def _normalize(Z, gamma, beta, eps, dim):
    mu = Z.mean(dim=dim, keepdim=True)
    var = Z.var(dim=dim, keepdim=True, correction=0)
    Z_norm = (Z - mu) / torch.sqrt(var + eps)
    return gamma * Z_norm + beta, Z_norm, 1.0 / torch.sqrt(var + eps), var


def batchnorm_forward(Z, gamma, beta, running=None, mode="train", momentum=0.9, eps=1e-5):
    """Batch norm of Z: (n, m).  Returns (Z_tilde, cache, running) as in NumPy."""
    Z, gamma, beta = _check(Z, gamma, beta)
    if mode not in MODES:
        raise ValueError(f"mode is {mode!r}, expected 'train' or 'test'")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum is {momentum!r}, expected a number in [0, 1)")
    n, m = Z.shape
    if running is None:
        running = {"mean": torch.zeros(n, 1, dtype=Z.dtype, device=Z.device),
                   "var": torch.ones(n, 1, dtype=Z.dtype, device=Z.device)}
    mean, var = as_tensor("running['mean']", running["mean"], like=Z), as_tensor("running['var']", running["var"], like=Z)
    check_shape("running['mean']", mean, (n, 1))
    check_shape("running['var']", var, (n, 1))
    if mode == "test":
        return gamma * (Z - mean) / torch.sqrt(var + eps) + beta, None, {"mean": mean, "var": var}
    if m < 2:
        raise ValueError(f"Z has shape {tuple(Z.shape)}: batch norm in training needs at least 2 examples per batch")
    out, Z_norm, inv_std, batch_var = _normalize(Z, gamma, beta, eps, dim=1)
    running = {"mean": momentum * mean + (1 - momentum) * Z.mean(dim=1, keepdim=True),
               "var": momentum * var + (1 - momentum) * batch_var * m / (m - 1)}
    return out, (Z, Z_norm, inv_std, gamma, eps), running


def _backward(dZ_tilde, cache, dim):
    Z, Z_norm, _, gamma, eps = cache
    d = as_tensor("dZ_tilde", dZ_tilde, like=Z)
    check_shape("dZ_tilde", d, tuple(Z.shape))
    beta = torch.zeros_like(gamma)
    return _vjp(lambda Z, g, b: _normalize(Z, g, b, eps, dim)[0], [Z, gamma, beta], d)


def batchnorm_backward(dZ_tilde, cache):
    """(dZ, dgamma, dbeta) by autograd through the training-mode forward pass."""
    return _backward(dZ_tilde, cache, dim=1)


def layernorm_forward(Z, gamma, beta, eps=1e-5):
    """Each example normalized over its units, then gamma * . + beta.  Returns (Z_tilde, cache)."""
    Z, gamma, beta = _check(Z, gamma, beta)
    out, Z_norm, inv_std, _ = _normalize(Z, gamma, beta, eps, dim=0)
    return out, (Z, Z_norm, inv_std, gamma, eps)


def layernorm_backward(dZ_tilde, cache):
    """(dZ, dgamma, dbeta) of layer norm, by autograd."""
    return _backward(dZ_tilde, cache, dim=0)
