"""Chapter 7, batch normalization and layer normalization, in the notes' layout (units x examples).

Batch norm normalizes each unit over the m examples of a mini-batch, then
rescales with learned gamma and beta:

    mu = (1/m) sum_i z(i),   var = (1/m) sum_i (z(i) - mu)^2,   z_norm = (z - mu) / sqrt(var + eps)
    z_tilde = gamma * z_norm + beta                              Z, z_tilde: (n, m); gamma, beta: (n, 1)

At test time there may be a single example, so the layer uses running
estimates of mu and var kept during training by exponentially weighted
averages, running := momentum * running + (1 - momentum) * batch statistic.
The running variance averages the *unbiased* batch variance var * m / (m - 1),
an estimate of the population variance (as torch.nn.BatchNorm1d does; its
momentum argument is our 1 - momentum).

Layer norm normalizes each example over its n units instead: no dependence on
the batch, the same computation in training and at test time.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array

MODES = ("train", "test")


def _check(Z, gamma, beta):
    Z, gamma, beta = as_array("Z", Z), as_array("gamma", gamma), as_array("beta", beta)
    dims = check_shape("Z", Z, ("n", "m"))
    check_shape("gamma", gamma, ("n", 1), dims)
    check_shape("beta", beta, ("n", 1), dims)
    return Z, gamma, beta


def batchnorm_forward(Z, gamma, beta, running=None, mode="train", momentum=0.9, eps=1e-5):
    """Batch norm of Z: (n, m) with gamma, beta: (n, 1).

    running: {"mean": (n, 1), "var": (n, 1)}, the running estimates (None:
    mean 0 and variance 1, as a new layer starts).  mode "train" normalizes
    with the batch's statistics and updates the running ones; "test" uses the
    running ones.  Returns (Z_tilde, cache, running), where running is a new
    dict (the given one is not modified) and cache is None in test mode.
    """
    Z, gamma, beta = _check(Z, gamma, beta)
    if mode not in MODES:
        raise ValueError(f"mode is {mode!r}, expected 'train' or 'test'")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum is {momentum!r}, expected a number in [0, 1)")
    n, m = Z.shape
    if running is None:
        running = {"mean": np.zeros((n, 1)), "var": np.ones((n, 1))}
    mean, var = as_array("running['mean']", running["mean"]), as_array("running['var']", running["var"])
    check_shape("running['mean']", mean, (n, 1))
    check_shape("running['var']", var, (n, 1))
    if mode == "test":
        return gamma * (Z - mean) / np.sqrt(var + eps) + beta, None, {"mean": mean, "var": var}
    if m < 2:
        raise ValueError(f"Z has shape {Z.shape}: batch norm in training needs at least 2 examples per batch")
    mu = Z.mean(axis=1, keepdims=True)                        # (n, 1)
    diff = Z - mu
    batch_var = (diff * diff).mean(axis=1, keepdims=True)     # (n, 1), the biased (1/m) variance
    inv_std = 1.0 / np.sqrt(batch_var + eps)
    Z_norm = diff * inv_std
    running = {"mean": momentum * mean + (1 - momentum) * mu,
               "var": momentum * var + (1 - momentum) * batch_var * m / (m - 1)}
    return gamma * Z_norm + beta, (Z, Z_norm, inv_std, gamma, eps), running


def batchnorm_backward(dZ_tilde, cache):
    """Gradients of training-mode batch norm: (dZ, dgamma, dbeta).

    With d = dZ_tilde, z_norm and sigma = sqrt(var + eps) from the forward
    pass, the chain rule through the batch's mean and variance collapses to

        dZ = (gamma / sigma) * (d - mean(d) - z_norm * mean(d * z_norm))     (means over the m examples)

    and dgamma = sum_i d * z_norm, dbeta = sum_i d, each (n, 1).
    """
    _, Z_norm, inv_std, gamma, _ = cache
    d = as_array("dZ_tilde", dZ_tilde)
    check_shape("dZ_tilde", d, Z_norm.shape)
    dgamma = (d * Z_norm).sum(axis=1, keepdims=True)
    dbeta = d.sum(axis=1, keepdims=True)
    dZ = gamma * inv_std * (d - d.mean(axis=1, keepdims=True) - Z_norm * (d * Z_norm).mean(axis=1, keepdims=True))
    return dZ, dgamma, dbeta


def layernorm_forward(Z, gamma, beta, eps=1e-5):
    """Layer norm: each example (column of Z: (n, m)) normalized over its n units, then gamma * . + beta.

    Returns (Z_tilde, cache).
    """
    Z, gamma, beta = _check(Z, gamma, beta)
    mu = Z.mean(axis=0, keepdims=True)                        # (1, m)
    diff = Z - mu
    inv_std = 1.0 / np.sqrt((diff * diff).mean(axis=0, keepdims=True) + eps)
    Z_norm = diff * inv_std
    return gamma * Z_norm + beta, (Z, Z_norm, inv_std, gamma, eps)


def layernorm_backward(dZ_tilde, cache):
    """(dZ, dgamma, dbeta) of layer norm: batch norm's formula with the roles of the axes swapped."""
    _, Z_norm, inv_std, gamma, _ = cache
    d = as_array("dZ_tilde", dZ_tilde)
    check_shape("dZ_tilde", d, Z_norm.shape)
    dgamma = (d * Z_norm).sum(axis=1, keepdims=True)
    dbeta = d.sum(axis=1, keepdims=True)
    g = gamma * d                                             # dL/dZ_norm
    dZ = inv_std * (g - g.mean(axis=0, keepdims=True) - Z_norm * (g * Z_norm).mean(axis=0, keepdims=True))
    return dZ, dgamma, dbeta
