"""Input conversion for the torch backend."""

import numpy as np
import torch


def as_tensor(name, x, like=None):
    """``x`` as a floating tensor; ``ValueError`` unless it holds real numbers.

    Tensors keep their device, and floating tensors their dtype; integer and
    bool tensors become float64.  Anything else goes through NumPy and lands
    on ``like``'s device and dtype when ``like`` is given, else float64 on the CPU.
    """
    if isinstance(x, torch.Tensor):
        if x.is_floating_point():
            return x
        if x.is_complex():
            raise ValueError(f"{name} has dtype {x.dtype}, expected a tensor of real numbers")
        return x.to(torch.float64)
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} has dtype {a.dtype}, expected an array of real numbers")
    if like is not None:
        return torch.as_tensor(a, dtype=like.dtype, device=like.device)
    return torch.as_tensor(a, dtype=torch.float64)
