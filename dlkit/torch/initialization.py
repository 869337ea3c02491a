"""Chapter 5 in PyTorch: twins of :mod:`dlkit.numpy.initialization`.

The weights are drawn with NumPy's generator from the same seed, so a twin
returns the same numbers as its NumPy counterpart, as tensors on ``device``.
"""

import torch

from dlkit.numpy import initialization as _np_init


def _to_torch(parameters, dtype, device):
    return {k: torch.as_tensor(v, dtype=dtype, device=device) for k, v in parameters.items()}


def initialize_parameters_zeros(layer_dims, dtype=torch.float64, device=None):
    """W[l] = 0, b[l] = 0."""
    return _to_torch(_np_init.initialize_parameters_zeros(layer_dims), dtype, device)


def initialize_parameters_random(layer_dims, scale=0.01, seed=3, dtype=torch.float64, device=None):
    """W[l] ~ N(0, scale^2), b[l] = 0."""
    return _to_torch(_np_init.initialize_parameters_random(layer_dims, scale, seed), dtype, device)


def initialize_parameters_lecun(layer_dims, seed=3, dtype=torch.float64, device=None):
    """W[l] ~ N(0, 1 / n[l-1]), b[l] = 0."""
    return _to_torch(_np_init.initialize_parameters_lecun(layer_dims, seed), dtype, device)


def initialize_parameters_xavier(layer_dims, uniform=False, seed=3, dtype=torch.float64, device=None):
    """Var W[l] = 2 / (n[l-1] + n[l]), normal or uniform; b[l] = 0."""
    return _to_torch(_np_init.initialize_parameters_xavier(layer_dims, uniform, seed), dtype, device)


def initialize_parameters_he(layer_dims, seed=3, dtype=torch.float64, device=None):
    """W[l] ~ N(0, 2 / n[l-1]), b[l] = 0."""
    return _to_torch(_np_init.initialize_parameters_he(layer_dims, seed), dtype, device)
