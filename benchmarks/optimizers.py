"""Chapters 6 and 7: dlkit's Adam and batch norm (NumPy and torch) against torch.optim.Adam and nn.BatchNorm1d.

Two workloads, each timed against PyTorch's own implementation in the same run:

1. STEPS Adam steps on the parameters of a 784-256-10 network (float64), with
   fixed gradients: ``dlkit.numpy.optimization.update_parameters_with_adam``,
   its torch twin, and ``torch.optim.Adam`` (**reference**, foreach kernels);
2. one training-mode batch-norm forward and backward on Z (n, m):
   ``dlkit.numpy.batch_norm`` (hand-written backward), its torch twin
   (autograd), and ``nn.BatchNorm1d`` (**reference**; its input is (m, n)).

Before timing, each variant's result must equal the reference's (Adam's
parameters after STEPS steps; batch norm's output and dZ) to 1e-8 relative.
"""

import numpy as np

from _timing import time_workload
from dlkit.numpy import batch_norm as np_bn
from dlkit.numpy import optimization as np_opt

try:
    import torch
    from dlkit.torch import batch_norm as torch_bn
    from dlkit.torch import optimization as torch_opt
except ImportError:                        # torch is an optional extra of dlkit
    torch = None

FULL = {"layers": [784, 256, 10], "steps": 20, "n": 256, "m": 512, "repeat": 5, "min_time": 0.05}
QUICK = {"layers": [20, 8, 3], "steps": 2, "n": 8, "m": 16, "repeat": 1, "min_time": 0.0}


def _adam_variants(sizes, rng):
    dims = sizes["layers"]
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * 0.05
        params[f"b{l}"] = np.zeros((dims[l], 1))
    grads = {"d" + k: rng.standard_normal(p.shape) for k, p in params.items()}
    steps = sizes["steps"]

    def torch_optim():
        tensors = [torch.tensor(p, requires_grad=True) for p in params.values()]
        for t, g in zip(tensors, grads.values()):
            t.grad = torch.from_numpy(g)
        optimizer = torch.optim.Adam(tensors, lr=1e-3)
        for _ in range(steps):
            optimizer.step()
        return {k: t.detach().numpy() for k, t in zip(params, tensors)}

    def with_dlkit(module, convert):
        def run():
            p, g = convert(params), convert(grads)
            v, s = module.initialize_adam(p)
            for t in range(1, steps + 1):
                p, v, s = module.update_parameters_with_adam(p, g, v, s, t, learning_rate=1e-3)
            return {k: np.asarray(x.detach() if hasattr(x, "detach") else x) for k, x in p.items()}
        return run

    reference = torch_optim()

    def same(result):
        return all(np.allclose(result[k], reference[k], rtol=1e-8, atol=1e-12) for k in reference)

    return {
        "torch.optim.Adam (reference)": (torch_optim, None),
        "dlkit.numpy Adam": (with_dlkit(np_opt, lambda d: d), same),
        "dlkit.torch Adam": (with_dlkit(torch_opt, lambda d: {k: torch.from_numpy(v) for k, v in d.items()}), same),
    }


def _batchnorm_variants(sizes, rng):
    n, m = sizes["n"], sizes["m"]
    Z = rng.standard_normal((n, m)) * 3 + 1
    gamma, beta, d = 1 + 0.1 * rng.standard_normal((n, 1)), rng.standard_normal((n, 1)), rng.standard_normal((n, m))
    layer = torch.nn.BatchNorm1d(n, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma[:, 0]))
        layer.bias.copy_(torch.from_numpy(beta[:, 0]))
    Zt, dt = torch.from_numpy(Z.T.copy()), torch.from_numpy(d.T.copy())

    def reference_bn():
        x = Zt.detach().requires_grad_(True)
        layer.zero_grad()
        out = layer(x)
        out.backward(dt)
        return out.detach().numpy().T, x.grad.numpy().T

    def dlkit_numpy():
        out, cache, _ = np_bn.batchnorm_forward(Z, gamma, beta)
        return out, np_bn.batchnorm_backward(d, cache)[0]

    Zt2, gt, bt, dt2 = (torch.from_numpy(a) for a in (Z, gamma, beta, d))

    def dlkit_torch():
        out, cache, _ = torch_bn.batchnorm_forward(Zt2, gt, bt)
        return out.numpy(), torch_bn.batchnorm_backward(dt2, cache)[0].numpy()

    expected = reference_bn()

    def same(result):
        return all(np.allclose(r, e, rtol=1e-8, atol=1e-12) for r, e in zip(result, expected))

    return {
        "nn.BatchNorm1d (reference)": (reference_bn, None),
        "dlkit.numpy batch norm": (dlkit_numpy, same),
        "dlkit.torch batch norm (autograd)": (dlkit_torch, same),
    }


def run(quick=False, seed=0):
    """Check, then time each variant.  Returns (sizes, rows); empty rows without torch (nothing to compare with)."""
    sizes = QUICK if quick else FULL
    if torch is None:
        return sizes, []
    rng = np.random.default_rng(seed)
    rows = time_workload(f"Adam, {sizes['steps']} steps, layers {sizes['layers']}, float64", _adam_variants(sizes, rng),
                         sizes["repeat"], sizes["min_time"])
    rows += time_workload(f"batch norm forward + backward, Z ({sizes['n']}, {sizes['m']}), float64",
                          _batchnorm_variants(sizes, rng), sizes["repeat"], sizes["min_time"])
    return sizes, rows
