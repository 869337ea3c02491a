"""Chapter 14: one GloVe training epoch (AdaGrad over the shuffled nonzero X_ij), dlkit.torch against dlkit.numpy.

The workload counts the co-occurrences of the first tokens of
:func:`dlkit.data.load_corpus` (min_count 5, window 10, GloVe's 1/d
weights), then times one epoch from the same initial W, W~, b, b~: every
nonzero entry once, in one fixed shuffled order, in batches, one AdaGrad
step per batch (learning rate 0.05, accumulators from 1), n_e = 100, float64:

- ``dlkit.torch`` :func:`~dlkit.torch.glove.train_glove`'s epoch with
  ``optimizer="adagrad"`` on the CPU: per batch, autograd on the rows the
  batch touches and an in-place AdaGrad update of those rows only
  (**reference**; its default, lazy Adam, costs the same per step but has no
  dense NumPy equivalent to check against);
- ``dlkit.numpy`` ``glove_loss_and_grads`` (dense (V, n_e) gradients
  scattered with np.add.at) and a dense AdaGrad update of every parameter;
- where a GPU exists, the torch epoch on CUDA (synchronized).

The counting itself is timed too, as its own workload (one variant).
Both epochs take the same steps (AdaGrad leaves rows with a zero gradient
unchanged), so every variant's W + W~ must equal the reference's to 1e-9
relative before it is timed.  torch runs with as many threads as numpy's
BLAS (read with threadpoolctl), set for this benchmark and restored after it.
"""

import numpy as np

from _timing import time_workload
from dlkit.data import load_corpus
from dlkit.numpy import glove as np_glove
from dlkit.text import Vocabulary

try:
    import torch
    from threadpoolctl import threadpool_info            # the test extra

    from dlkit.torch.glove import _sparse_step
except ImportError:                                      # the torch and test extras of dlkit
    torch = None

FULL = {"tokens": 100_000, "n_e": 100, "batch_size": 16384, "repeat": 2, "min_time": 0.0}
QUICK = {"tokens": 3_000, "n_e": 10, "batch_size": 512, "repeat": 1, "min_time": 0.0}
LR, X_MAX, ALPHA = 0.05, 100, 0.75


def _problem(sizes, rng):
    tokens = load_corpus(sizes["tokens"])
    vocab = Vocabulary(tokens, min_count=5)
    V, n_e = len(vocab), sizes["n_e"]
    ids = vocab.encode(tokens)
    rows, cols, x = np_glove.cooccurrence(ids, V, window=10)
    init = [(rng.random((V, n_e)) - 0.5) / n_e for _ in range(2)] + [np.zeros(V), np.zeros(V)]
    order = rng.permutation(x.shape[0])
    return ids, V, (rows[order], cols[order], x[order]), init


def _numpy_epoch(init, entries, batch_size):
    def run():
        params = [p.copy() for p in init]
        sq_sums = [np.ones_like(p) for p in params]
        for s in range(0, entries[0].shape[0], batch_size):
            batch = [a[s : s + batch_size] for a in entries]
            _, *grads = np_glove.glove_loss_and_grads(*params, *batch, x_max=X_MAX, alpha=ALPHA)
            for p, sq, g in zip(params, sq_sums, grads):
                sq += g * g
                p -= LR * g / np.sqrt(sq)
        return params[0] + params[1]
    return run


def _torch_epoch(init, entries, batch_size, device):
    rows, cols, x = (torch.as_tensor(a, device=device) for a in entries)

    def run():
        params = [torch.tensor(p, device=device) for p in init]
        sq_sums = [torch.ones_like(p) for p in params]
        for batch in torch.arange(x.shape[0], device=device).split(batch_size):
            _sparse_step(params, sq_sums, rows[batch], cols[batch], x[batch], X_MAX, ALPHA, LR)
        if device == "cuda":
            torch.cuda.synchronize()
        return (params[0] + params[1]).cpu().numpy()
    return run


def _close(got, expected):
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())


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
    ids, V, entries, init = _problem(sizes, np.random.default_rng(seed))
    nnz, bs = entries[0].shape[0], sizes["batch_size"]
    sizes.update(V=V, nnz=nnz)
    count = {"dlkit.numpy cooccurrence, window 10 (reference)": (lambda: np_glove.cooccurrence(ids, V), None)}
    rows = time_workload(f"co-occurrence counts of {ids.shape[0]:,} token ids, V {V:,}", count, sizes["repeat"],
                         sizes["min_time"])
    torch.set_num_threads(threads)
    try:
        reference = _torch_epoch(init, entries, bs, "cpu")
        expected = reference()
        variants = {
            "dlkit.torch AdaGrad epoch, cpu (reference)": (reference, None),
            "dlkit.numpy glove_loss_and_grads + dense AdaGrad": (_numpy_epoch(init, entries, bs),
                                                                 lambda r: _close(r, expected)),
        }
        if torch.cuda.is_available():
            variants["dlkit.torch AdaGrad epoch, cuda"] = (_torch_epoch(init, entries, bs, "cuda"),
                                                           lambda r: _close(r, expected))
        workload = (f"GloVe epoch, V {V:,}, {nnz:,} nonzero X_ij, n_e {sizes['n_e']}, batch {bs}, float64, "
                    f"{threads} thread{'s' if threads > 1 else ''}")
        rows += time_workload(workload, variants, sizes["repeat"], sizes["min_time"])
    finally:
        torch.set_num_threads(torch_threads)
    return sizes, rows
