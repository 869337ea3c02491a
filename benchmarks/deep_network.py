"""Chapter 4's L-layer network trained for a fixed number of iterations: dlkit.numpy vs dlkit.torch.

The workload: ``L_layer_model`` (batch gradient descent, [LINEAR -> RELU] x 3
-> LINEAR -> SIGMOID) on Fashion-MNIST shirts vs T-shirts (X (784, m)),
layer_dims [784, 64, 32, 16, 1], the same seed, iterations and learning rate
for every variant:

- ``dlkit.numpy.deep_network.L_layer_model``, float64: the **reference**, with
  the hand-written backward pass;
- ``dlkit.torch.deep_network.L_layer_model`` on the CPU, float64 and float32
  (autograd's backward);
- the same on CUDA, float32 and float64, where a GPU exists (synchronized
  before the clock stops).

Every variant's final parameters are checked against the reference's before
it is timed (float64 to 1e-8 relative, float32 to 1e-2), so a variant that
trains a different network fails.  Ratio = variant time / reference time.
"""

import numpy as np

from _timing import time_workload
from dlkit.data import load_fashion_binary
from dlkit.numpy import deep_network as np_dn

try:
    import torch
    from dlkit.torch import deep_network as torch_dn
except ImportError:                        # torch is an optional extra of dlkit
    torch = None

FULL = {"m": 2000, "layer_dims": [784, 64, 32, 16, 1], "iterations": 20, "repeat": 3, "min_time": 0.0}
QUICK = {"m": 100, "layer_dims": [784, 8, 4, 1], "iterations": 3, "repeat": 1, "min_time": 0.0}
LEARNING_RATE = 0.05


def _agrees(reference, rtol):
    """A check: the variant's trained parameters equal the reference's to ``rtol``."""
    def check(result):
        params, _ = result
        return all(np.allclose(params[k].double().cpu().numpy(), v, rtol=rtol, atol=rtol * 1e-3)
                   for k, v in reference[0].items())
    return check


def run(quick=False):
    """Check, then time each variant (best of k whole training runs).  Returns (sizes, rows)."""
    sizes = QUICK if quick else FULL
    data = load_fashion_binary()
    X, Y = data.X_train[:, :sizes["m"]], data.Y_train[:, :sizes["m"]]
    args = (sizes["layer_dims"], LEARNING_RATE, sizes["iterations"])

    def train_numpy():
        return np_dn.L_layer_model(X, Y, *args, record_every=sizes["iterations"])

    reference = train_numpy()
    variants = {"dlkit.numpy, float64 (reference)": (train_numpy, None)}
    if torch is not None:
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        for device in devices:
            for dtype, rtol in ((torch.float64, 1e-8), (torch.float32, 1e-2)):
                Xt = torch.as_tensor(X, dtype=dtype, device=device)
                Yt = torch.as_tensor(Y, dtype=dtype, device=device)

                def train_torch(Xt=Xt, Yt=Yt, device=device):
                    result = torch_dn.L_layer_model(Xt, Yt, *args, record_every=sizes["iterations"])
                    if device == "cuda":
                        torch.cuda.synchronize()
                    return result

                name = f"dlkit.torch, {device} {str(dtype).removeprefix('torch.')}"
                variants[name] = (train_torch, _agrees(reference, rtol))
    workload = f"L_layer_model {sizes['layer_dims']}, m={sizes['m']:,}, {sizes['iterations']} iterations"
    return sizes, time_workload(workload, variants, sizes["repeat"], sizes["min_time"])
