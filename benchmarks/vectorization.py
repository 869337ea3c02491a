"""Chapter 1's point about vectorization, measured: Python loops vs whole-array operations.

Two workloads, each timed against its vectorized NumPy reference in the same run:

1. dot product of two float64 vectors of n entries: a Python ``for`` loop,
   ``np.dot`` (reference) and ``torch.dot`` on the CPU;
2. the logistic-regression cost and gradients (A = sigmoid(w^T X + b),
   dw = X (A - Y)^T / m, db = mean(A - Y)) for X (n_x, m): one Python
   iteration per example, ``dlkit.numpy.logistic_regression.propagate``
   (reference) and ``dlkit.torch.logistic_regression.propagate`` (autograd,
   CPU float64 tensors); also the notes' unvectorized version, with a loop
   over examples and loops over features inside it (one element at a time),
   which at n_x = 625, m = 1000 still takes only about half a second.

Every variant's result is checked against the reference (``np.allclose``)
before it is timed, so a benchmark that computes garbage fails.
Ratio = variant time / reference time: how many times slower than NumPy.
"""

import math

import numpy as np

from _timing import time_workload
from dlkit.numpy import logistic_regression as np_lr

try:
    import torch
    from dlkit.torch import logistic_regression as torch_lr
except ImportError:                        # torch is an optional extra of dlkit
    torch = None

# repeat: k timed runs per variant, each lasting at least min_time seconds
FULL = {"n": 1_000_000, "n_x": 625, "m": 1000, "repeat": 7, "min_time": 0.05}   # 10-20 s on 2 cores
QUICK = {"n": 10_000, "n_x": 20, "m": 50, "repeat": 2, "min_time": 0.002}       # a fraction of a second


# --- the unvectorized versions, as a student would first write them ---------

def dot_loop(a, b):
    """Dot product with one multiply-add per Python iteration."""
    c = 0.0
    for i in range(len(a)):
        c += a[i] * b[i]
    return c


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def propagate_loop_examples(w, b, X, Y):
    """Cost and gradients with a Python loop over the m examples (columns of X).

    Inside the loop each step is a length-n_x NumPy operation: z = w.x + b,
    dw += x dz.  Returns ({"dw", "db"}, cost) like ``propagate``.
    """
    n_x, m = X.shape
    w, dw, db, cost = w[:, 0], np.zeros(n_x), 0.0, 0.0
    for i in range(m):
        x, y = X[:, i], Y[0, i]
        a = _sigmoid(float(w @ x) + b)
        cost -= y * math.log(a) + (1 - y) * math.log(1 - a)
        dz = a - y
        dw += x * dz
        db += dz
    return {"dw": (dw / m).reshape(n_x, 1), "db": db / m}, cost / m


def propagate_two_loops(w, b, X, Y):
    """The notes' unvectorized gradient: loop over examples i, and over features j inside it.

    z(i) = sum_j w_j x_j(i) + b and dw_j += x_j(i) dz(i) are both Python loops
    over j, reading one array element at a time.
    Returns ({"dw", "db"}, cost) like ``propagate``.
    """
    n_x, m = X.shape
    dw, db, cost = np.zeros((n_x, 1)), 0.0, 0.0
    for i in range(m):
        z = b
        for j in range(n_x):
            z += w[j, 0] * X[j, i]
        a, y = _sigmoid(z), Y[0, i]
        cost -= y * math.log(a) + (1 - y) * math.log(1 - a)
        dz = a - y
        for j in range(n_x):
            dw[j, 0] += X[j, i] * dz
        db += dz
    return {"dw": dw / m, "db": db / m}, cost / m


# --- checking and timing -----------------------------------------------------

def _same_gradients(result, reference):
    (grads, cost), (ref_grads, ref_cost) = result, reference
    return (np.allclose(np.asarray(grads["dw"]), ref_grads["dw"], rtol=1e-9, atol=1e-12)
            and np.allclose(float(grads["db"]), ref_grads["db"], rtol=1e-9, atol=1e-12)
            and np.allclose(float(cost), ref_cost, rtol=1e-9))


def workloads(sizes, rng):
    """[(workload, {variant: (fn, check)})], the reference variant first in each dict.

    ``check(result)`` is True when the variant's result agrees with the reference's.
    """
    n, n_x, m = sizes["n"], sizes["n_x"], sizes["m"]

    a, b = rng.standard_normal(n), rng.standard_normal(n)
    ref_dot = float(np.dot(a, b))
    dot = {
        "np.dot (reference)": (lambda: np.dot(a, b), None),
        "Python for-loop": (lambda: dot_loop(a, b), lambda r: np.allclose(r, ref_dot, rtol=1e-9)),
    }
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        dot["torch.dot, CPU"] = (lambda: torch.dot(ta, tb), lambda r: np.allclose(float(r), ref_dot, rtol=1e-9))

    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    w, bias = 0.05 * rng.standard_normal((n_x, 1)), 0.1
    ref = np_lr.propagate(w, bias, X, Y)
    grad = {
        "numpy propagate (reference)": (lambda: np_lr.propagate(w, bias, X, Y), None),
        "loop over examples": (lambda: propagate_loop_examples(w, bias, X, Y), lambda r: _same_gradients(r, ref)),
        "loops over examples and features": (lambda: propagate_two_loops(w, bias, X, Y),
                                             lambda r: _same_gradients(r, ref)),
    }
    if torch is not None:
        tw, tb_, tX, tY = (torch.from_numpy(w), torch.tensor(bias, dtype=torch.float64),
                           torch.from_numpy(X), torch.from_numpy(Y))
        grad["torch propagate, autograd CPU"] = (lambda: torch_lr.propagate(tw, tb_, tX, tY),
                                                 lambda r: _same_gradients(r, ref))

    return [
        (f"dot product, n={n:,} float64", dot),
        (f"logistic gradient, n_x={n_x}, m={m:,}", grad),
    ]


def run(quick=False, seed=0):
    """Check, then time every variant of every workload.  Returns (sizes, rows).

    Each variant gets k = sizes["repeat"] timed runs back to back, after the
    calibration of :func:`calls_per_run`, and keeps its best.  (Going
    round-robin over the variants instead made the references look 2x slower:
    after a long Python loop, NumPy's and torch's idle BLAS threads take a
    while to wake up.)  Each row:
    {"workload", "variant", "best_s", "number", "ratio"}, with ratio =
    best_s / best_s of the workload's reference (its first variant).
    """
    sizes = QUICK if quick else FULL
    rows = []
    for workload, variants in workloads(sizes, np.random.default_rng(seed)):
        rows += time_workload(workload, variants, sizes["repeat"], sizes["min_time"])
    return sizes, rows
