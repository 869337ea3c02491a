"""Chapter 5, initializing an L-layer network: zeros, random, LeCun, Xavier (Glorot) and He.

Every initializer takes layer_dims = [n[0], ..., n[L]] and returns the
parameter dict of :mod:`dlkit.numpy.deep_network`, {"W1", "b1", ..., "WL",
"bL"}, with b[l] = 0 and W[l] (n[l], n[l-1]) drawn in the order l = 1, 2, ...
from ``np.random.default_rng(seed)``.  The variances, with n_in = n[l-1] and
n_out = n[l]:

    zeros           W = 0                 every unit of a layer stays identical
    random          W ~ N(0, scale^2)     small scale: signals shrink layer by layer; large: sigmoids saturate
    LeCun           Var W = 1 / n_in      keeps Var z near Var a for linear/tanh units
    Xavier/Glorot   Var W = 2 / (n_in + n_out)   normal, or uniform on +-sqrt(6 / (n_in + n_out))
    He              Var W = 2 / n_in      ReLU zeroes half of its inputs: twice LeCun's variance
"""

import numpy as np


def _initialize(layer_dims, draw):
    """{"W1", "b1", ...} with W[l] = draw(n_out, n_in) and b[l] = 0."""
    layer_dims = [int(n) for n in layer_dims]
    if len(layer_dims) < 2 or min(layer_dims) < 1:
        raise ValueError(f"layer_dims is {layer_dims}, expected at least two positive sizes [n_x, ..., n_L]")
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = draw(layer_dims[l], layer_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def initialize_parameters_zeros(layer_dims):
    """W[l] = 0 and b[l] = 0: fails to break symmetry (shown in the book and the exercise).

    >>> initialize_parameters_zeros([3, 2, 1])["W1"]
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    return _initialize(layer_dims, lambda n_out, n_in: np.zeros((n_out, n_in)))


def initialize_parameters_random(layer_dims, scale=0.01, seed=3):
    """W[l] ~ N(0, scale^2), the same scale in every layer; b[l] = 0."""
    if not scale > 0:
        raise ValueError(f"scale is {scale!r}, expected a positive number")
    rng = np.random.default_rng(seed)
    return _initialize(layer_dims, lambda n_out, n_in: scale * rng.standard_normal((n_out, n_in)))


def initialize_parameters_lecun(layer_dims, seed=3):
    """W[l] ~ N(0, 1 / n[l-1]) (LeCun); b[l] = 0."""
    rng = np.random.default_rng(seed)
    return _initialize(layer_dims, lambda n_out, n_in: rng.standard_normal((n_out, n_in)) * np.sqrt(1.0 / n_in))


def initialize_parameters_xavier(layer_dims, uniform=False, seed=3):
    """Xavier/Glorot: Var W[l] = 2 / (n[l-1] + n[l]), normal or uniform on +-sqrt(6 / (n[l-1] + n[l])); b[l] = 0."""
    rng = np.random.default_rng(seed)

    def draw(n_out, n_in):
        if uniform:
            bound = np.sqrt(6.0 / (n_in + n_out))
            return rng.uniform(-bound, bound, (n_out, n_in))
        return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))
    return _initialize(layer_dims, draw)


def initialize_parameters_he(layer_dims, seed=3):
    """W[l] ~ N(0, 2 / n[l-1]) (He, for ReLU layers); b[l] = 0."""
    rng = np.random.default_rng(seed)
    return _initialize(layer_dims, lambda n_out, n_in: rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in))
