"""Chapter 13: an LSTM layer's forward and backward over a sequence, dlkit.numpy against torch.nn.LSTM on the CPU.

Each workload is one LSTM layer (input size n_x, hidden size n_a, batch m,
T_x time steps) in float32 or float64, timed for forward plus backward
(the hidden states a, then dx, da0 and every weight gradient from a fixed
upstream da):

- ``torch.nn.LSTM`` and autograd on CPU tensors, (T_x, m, n_x) (**reference**);
- ``dlkit.numpy`` ``lstm_forward`` + ``lstm_backward`` in the notes' layout
  (n_x, m, T_x): one GEMM for the x half of all four gates over all steps,
  one (4 n_a, n_a) GEMM per step forwards and one per step backwards, then
  one GEMM each for the weight gradients and dx;
- ``dlkit.torch`` ``lstm_forward`` + ``lstm_backward`` (torch operations step
  by step, autograd through the forward again);
- where a GPU exists, the same dlkit.torch twin on CUDA (synchronized).

torch runs with as many threads as numpy's BLAS (read with threadpoolctl),
set for this benchmark and restored after it.  Every variant's a, dx and
dWi must equal the reference's (float64 to 1e-9, float32 to 1e-3 relative
to the largest entry) before it is timed.
"""

import numpy as np

from _timing import time_workload
from dlkit.numpy import rnn as np_rnn

try:
    import torch
    from threadpoolctl import threadpool_info            # the test extra

    from dlkit.torch import rnn as torch_rnn
except ImportError:                                      # the torch and test extras of dlkit
    torch = None

# layers: (n_x, n_a, m, T_x)
FULL = {"layers": [(64, 128, 32, 50)], "dtypes": ["float32", "float64"], "repeat": 5, "min_time": 0.1}
QUICK = {"layers": [(3, 4, 2, 5)], "dtypes": ["float32", "float64"], "repeat": 1, "min_time": 0.0}
TOLERANCE = {"float32": 1e-3, "float64": 1e-9}
GATES = ("i", "f", "c", "o")                             # nn.LSTM's stacking order, in the notes' names


def _parameters(n_x, n_a, dtype, rng):
    scale = 1 / np.sqrt(n_a + n_x)
    p = {f"W{g}": (scale * rng.standard_normal((n_a, n_a + n_x))).astype(dtype) for g in GATES}
    p.update({f"b{g}": (0.1 * rng.standard_normal((n_a, 1))).astype(dtype) for g in GATES})
    p.update({"Wy": np.zeros((2, n_a), dtype), "by": np.zeros((2, 1), dtype)})
    return p


def _torch_lstm(p, x, a0, da):
    """Returns a function that runs nn.LSTM forward and backward; results (a, dx, dWi) in the notes' layout."""
    n_a, n_x = p["Wf"].shape[0], x.shape[0]
    lstm = torch.nn.LSTM(n_x, n_a).to(torch.float32 if x.dtype == np.float32 else torch.float64)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.concatenate([p[f"W{g}"][:, n_a:] for g in GATES])))
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.concatenate([p[f"W{g}"][:, :n_a] for g in GATES])))
        lstm.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([p[f"b{g}"][:, 0] for g in GATES])))
        lstm.bias_hh_l0.zero_()
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 1, 0)))          # (T_x, m, n_x)
    h0 = torch.from_numpy(np.ascontiguousarray(a0.T[None]))                    # (1, m, n_a)
    d = torch.from_numpy(np.ascontiguousarray(da.transpose(2, 1, 0)))          # (T_x, m, n_a)

    def run():
        lstm.zero_grad()
        inputs = [t.detach().requires_grad_(True) for t in (xt, h0)]
        out, _ = lstm(inputs[0], (inputs[1], torch.zeros_like(inputs[1])))
        out.backward(d)
        dWi = torch.cat([lstm.weight_hh_l0.grad[:n_a], lstm.weight_ih_l0.grad[:n_a]], dim=1)
        return (out.detach().numpy().transpose(2, 1, 0), inputs[0].grad.numpy().transpose(2, 1, 0), dWi.numpy())
    return run


def _close(got, expected, tol):
    return all(g.shape == e.shape and np.allclose(g, e, rtol=tol, atol=tol * np.abs(e).max())
               for g, e in zip(got, expected))


def _variants(layer, dtype, rng):
    n_x, n_a, m, T_x = layer
    p = _parameters(n_x, n_a, dtype, rng)
    x, a0 = rng.standard_normal((n_x, m, T_x)).astype(dtype), rng.standard_normal((n_a, m)).astype(dtype)
    da = rng.standard_normal((n_a, m, T_x)).astype(dtype)
    reference = _torch_lstm(p, x, a0, da)
    expected, tol = reference(), TOLERANCE[dtype]

    def dlkit_numpy():
        a, _, _, caches = np_rnn.lstm_forward(x, a0, p)
        grads = np_rnn.lstm_backward(da, caches)
        return a, grads["dx"], grads["dWi"]

    def twin(device):
        tensors = [torch.from_numpy(v).to(device) for v in (x, a0, da)]
        tp = {k: torch.from_numpy(v).to(device) for k, v in p.items()}

        def run():
            a, _, _, caches = torch_rnn.lstm_forward(tensors[0], tensors[1], tp)
            grads = torch_rnn.lstm_backward(tensors[2], caches)
            if device == "cuda":
                torch.cuda.synchronize()
            return tuple(t.cpu().numpy() for t in (a, grads["dx"], grads["dWi"]))
        return run

    variants = {
        "torch nn.LSTM + autograd (reference)": (reference, None),
        "dlkit.numpy lstm_forward + lstm_backward": (dlkit_numpy, lambda r: _close(r, expected, tol)),
        "dlkit.torch lstm twin (autograd), cpu": (twin("cpu"), lambda r: _close(r, expected, tol)),
    }
    if torch.cuda.is_available():
        variants["dlkit.torch lstm twin (autograd), cuda"] = (twin("cuda"), lambda r: _close(r, expected, tol))
    return variants


def _blas_threads():
    """numpy's BLAS threads (threadpoolctl looks inside the loaded OpenBLAS)."""
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


def run(quick=False, seed=0):
    """Check, then time each variant.  Returns (sizes, rows); empty rows without torch (nothing to compare with)."""
    sizes = dict(QUICK if quick else FULL)
    if torch is None:
        return sizes, []
    threads, torch_threads = _blas_threads(), torch.get_num_threads()
    sizes["threads"] = threads
    rng = np.random.default_rng(seed)
    rows = []
    torch.set_num_threads(threads)
    try:
        for layer in sizes["layers"]:
            n_x, n_a, m, T_x = layer
            for dtype in sizes["dtypes"]:
                workload = (f"LSTM n_x {n_x}, n_a {n_a}, m {m}, T_x {T_x}, {dtype}, "
                            f"{threads} thread{'s' if threads > 1 else ''}")
                rows += time_workload(workload, _variants(layer, dtype, rng), sizes["repeat"], sizes["min_time"])
    finally:
        torch.set_num_threads(torch_threads)
    return sizes, rows
