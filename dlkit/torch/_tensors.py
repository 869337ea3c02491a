"""Input conversion for the torch backend, and losses with their gradients by autograd."""

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


def loss_and_grads(loss_of, inputs):
    """(loss, *its gradients with respect to each of ``inputs``): the torch twin of a hand-written ``*_and_grads``.

    loss_of(*inputs) -> a 0-d tensor; the inputs are detached copies, so the
    caller's tensors are not changed and need no requires_grad.
    """
    inputs = [x.detach().requires_grad_(True) for x in inputs]
    with torch.enable_grad():
        loss = loss_of(*inputs)
        grads = torch.autograd.grad(loss, inputs)
    return (loss.detach(), *grads)
