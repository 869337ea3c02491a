"""Chapter 7 in PyTorch: twins of :mod:`dlkit.numpy.softmax_regression` (dZ by autograd)."""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.torch._tensors import as_tensor


def one_hot(labels, K):
    """Labels (m,) or (1, m) in 0..K-1 as a one-hot (K, m) float64 tensor (on the labels' device)."""
    device = labels.device if isinstance(labels, torch.Tensor) else None
    labels = torch.as_tensor(np.asarray(labels.cpu() if device is not None else labels)).reshape(-1)
    if labels.numel() and (labels.min() < 0 or labels.max() >= K or not torch.all(labels == labels.round())):
        raise ValueError(f"labels hold {sorted(set(labels.tolist()))[:5]}..., expected integers in 0..{K - 1}")
    return torch.eye(K, dtype=torch.float64, device=device)[:, labels.long().to(device)]


def softmax_cross_entropy(Z, Y):
    """(J, dZ) for logits Z and targets Y, both (K, m); J a 0-d tensor, dZ from autograd."""
    Z = as_tensor("Z", Z)
    Y = as_tensor("Y", Y, like=Z)
    dims = check_shape("Z", Z, ("K", "m"))
    check_shape("Y", Y, ("K", "m"), dims)
    z = Z.detach().requires_grad_(True)
    with torch.enable_grad():
        cost = -torch.sum(Y * torch.log_softmax(z, dim=0)) / Z.shape[1]
        (dZ,) = torch.autograd.grad(cost, z)
    return cost.detach(), dZ
