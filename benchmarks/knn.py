"""Appendix A: the kNN distance matrix with two loops, one loop and no loops (dlkit.numpy), and torch.cdist.

One workload: the L2 distances D (m_test, m_train) between m_test test and
m_train training examples of n_x features (FULL: 500 x 5000 x 784, MNIST-sized),
float64:

- ``compute_distances_no_loops``: ||a||^2 + ||b||^2 - 2 a.b, one matrix product (**reference**);
- ``compute_distances_one_loop``: a Python loop over test examples, each row by broadcasting;
- ``compute_distances_two_loops``: a Python loop over test and one over training examples;
- the torch twin of the no-loop version, and ``torch.cdist`` (CPU, float64).

The loop versions run on the first ``loop_rows`` test examples only and
their times are scaled by m_test / loop_rows (their time is linear in the
number of test rows).  Every variant's result must equal the reference's
(on the same rows) to 1e-9 relative before it is timed.
"""

import numpy as np

from _timing import time_workload
from dlkit.numpy import knn as np_knn

try:
    import torch

    from dlkit.torch import knn as torch_knn
except ImportError:                                      # torch is an optional extra of dlkit
    torch = None

FULL = {"m_test": 500, "m_train": 5000, "n_x": 784, "one_loop_rows": 50, "two_loops_rows": 5, "repeat": 3,
        "min_time": 0.05}
QUICK = {"m_test": 10, "m_train": 50, "n_x": 20, "one_loop_rows": 2, "two_loops_rows": 2, "repeat": 1,
         "min_time": 0.0}


def _close(result, expected):
    return np.allclose(result, expected, rtol=1e-9, atol=1e-9)


def _variants(sizes, rng):
    X_test = rng.standard_normal((sizes["n_x"], sizes["m_test"]))
    X_train = rng.standard_normal((sizes["n_x"], sizes["m_train"]))
    m_test = sizes["m_test"]
    expected = np_knn.compute_distances_no_loops(X_test, X_train)
    variants = {"compute_distances_no_loops (reference)":
                (lambda: np_knn.compute_distances_no_loops(X_test, X_train), None)}
    for name, rows in (("one_loop", sizes["one_loop_rows"]), ("two_loops", sizes["two_loops_rows"])):
        fn = getattr(np_knn, f"compute_distances_{name}")
        variants[f"compute_distances_{name}, {rows} test rows, time x {m_test // rows}"] = (
            lambda fn=fn, rows=rows: fn(X_test[:, :rows], X_train),
            lambda r, rows=rows: _close(r, expected[:rows]))
    if torch is not None:
        A, B = torch.from_numpy(X_test), torch.from_numpy(X_train)
        At, Bt = A.T.contiguous(), B.T.contiguous()              # torch.cdist wants one example per row
        variants["dlkit.torch compute_distances_no_loops, cpu"] = (
            lambda: torch_knn.compute_distances_no_loops(A, B).numpy(), lambda r: _close(r, expected))
        variants["torch.cdist, cpu"] = (lambda: torch.cdist(At, Bt).numpy(), lambda r: _close(r, expected))
    return variants


def run(quick=False, seed=0):
    """Check, then time each variant.  Returns (sizes, rows); the loop rows scaled to all m_test test examples."""
    sizes = QUICK if quick else FULL
    rng = np.random.default_rng(seed)
    workload = f"L2 distances, {sizes['m_test']} test x {sizes['m_train']} train x {sizes['n_x']} features, float64"
    rows = time_workload(workload, _variants(sizes, rng), sizes["repeat"], sizes["min_time"])
    for row in rows:
        for name in ("one_loop", "two_loops"):
            if row["variant"].startswith(f"compute_distances_{name},"):
                scale = sizes["m_test"] // sizes[f"{name}_rows"]
                row["best_s"] *= scale
                row["ratio"] *= scale
    return sizes, rows
