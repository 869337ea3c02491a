"""Chapter 14 in PyTorch: twins of :mod:`dlkit.numpy.glove` (formulas there), and GloVe trained on a real corpus.

The gradients of :func:`glove_loss_and_grads` are autograd's, through the
loss written with torch operations.  :func:`train_glove` counts with
:func:`dlkit.numpy.glove.cooccurrence` and fits the vectors with Adam or
AdaGrad on any device.
"""

import time

import numpy as np
import torch
import torch.nn.functional as F

from dlkit._shapes import check_shape
from dlkit.data.vectors import WordVectors
from dlkit.numpy.glove import _check_glove, cooccurrence
from dlkit.text import Vocabulary
from dlkit.torch._tensors import as_tensor, loss_and_grads


def weighting(x, x_max=100, alpha=0.75):
    """f(x) = min(1, (x / x_max)^alpha), f(0) = 0, elementwise on a tensor of counts >= 0."""
    x = as_tensor("x", x)
    if not x_max > 0 or not alpha > 0:
        raise ValueError(f"x_max and alpha are {x_max!r} and {alpha!r}, expected positive numbers")
    if bool((x < 0).any()):
        raise ValueError("x has negative entries, expected co-occurrence counts >= 0")
    return _f(x, x_max, alpha)


def _f(x, x_max, alpha):
    return torch.clamp((x / x_max) ** alpha, max=1.0)


def _glove_loss(W, W_tilde, b, b_tilde, rows, cols, x, x_max, alpha):
    """J = sum_k f(x_k) (w_i . w~_j + b_i + b~_j - log x_k)^2 over the entries k = (rows, cols): a 0-d tensor."""
    w, w_tilde = F.embedding(rows, W), F.embedding(cols, W_tilde)      # (nnz, n_e): W[rows], W_tilde[cols]
    diff = torch.sum(w * w_tilde, dim=1) + b[rows] + b_tilde[cols] - torch.log(x)   # (nnz,)
    return torch.sum(_f(x, x_max, alpha) * diff**2)


def _as_ids(idx, device):
    return idx.to(device) if isinstance(idx, torch.Tensor) else torch.as_tensor(np.asarray(idx), device=device)


def glove_loss_and_grads(W, W_tilde, b, b_tilde, rows, cols, x, x_max=100, alpha=0.75):
    """GloVe's J over the entries (rows, cols, x) and its gradients by autograd.

    W, W_tilde: (V, n_e); b, b_tilde: (V,); rows, cols: (nnz,) integer ids;
    x: (nnz,) counts > 0.  Returns (loss (0-d), dW, dW_tilde, db, db_tilde),
    on W's device and in its dtype.
    """
    W = as_tensor("W", W)
    W_tilde, b, b_tilde, x = (as_tensor(name, a, like=W).to(W.device) for name, a in (
        ("W_tilde", W_tilde), ("b", b), ("b_tilde", b_tilde), ("x", x)))
    rows, cols = _as_ids(rows, W.device), _as_ids(cols, W.device)
    _check_glove(W, W_tilde, b, b_tilde, rows, cols, x, lambda idx: idx.dtype in (torch.int32, torch.int64))
    return loss_and_grads(lambda *params: _glove_loss(*params, rows, cols, x, x_max, alpha), [W, W_tilde, b, b_tilde])


def glove_vectors(W, W_tilde):
    """W + W~, GloVe's final word vectors: (V, n_e) and (V, n_e) -> (V, n_e)."""
    W = as_tensor("W", W)
    W_tilde = as_tensor("W_tilde", W_tilde, like=W).to(W.device)
    dims = check_shape("W", W, ("V", "n_e"))
    check_shape("W_tilde", W_tilde, ("V", "n_e"), dims)
    return W + W_tilde


def _positive_int(name, value):
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} is {value!r}, expected a positive integer")


OPTIMIZERS = {"adam": 0.01, "adagrad": 0.05}             # and the default learning rate of each
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def _sparse_step(params, state, rows, cols, x, x_max, alpha, lr, t=None):
    """One optimizer step on the rows of W, W~, b, b~ that the batch touches (in place); returns the batch's J.

    Only the distinct words of the batch are gathered: autograd gives their
    summed gradients (dense V x n_e gradients would cost more than the batch).
    state: AdaGrad's sums of squared gradients G, one tensor per parameter
    (t None): G += g^2, p -= lr g / sqrt(G); or Adam's (m, v) per parameter
    with t the step number from 1, updated lazily (the moments of the rows
    the batch touches only, as torch.optim.SparseAdam).
    """
    words, w_at = torch.unique(rows, return_inverse=True)     # (u,) distinct rows; rows = words[w_at]
    contexts, c_at = torch.unique(cols, return_inverse=True)
    at = (words, contexts, words, contexts)
    local = [p[i].requires_grad_(True) for p, i in zip(params, at)]   # (u, n_e), (u', n_e), (u,), (u',)
    loss = _glove_loss(*local, w_at, c_at, x, x_max, alpha)
    grads = torch.autograd.grad(loss, local)
    with torch.no_grad():
        for p, s, i, g in zip(params, state, at, grads):
            if t is None:
                s.index_add_(0, i, g * g)
                p.index_add_(0, i, -lr * g / torch.sqrt(s[i]))
            else:
                m, v = s
                m[i] = BETA1 * m[i] + (1 - BETA1) * g
                v[i] = BETA2 * v[i] + (1 - BETA2) * g * g
                p.index_add_(0, i, -lr * (m[i] / (1 - BETA1**t)) / (torch.sqrt(v[i] / (1 - BETA2**t)) + EPS))
    return loss.item()


def train_glove(tokens, n_e=100, window=10, min_count=5, x_max=100, alpha=0.75, epochs=10, lr=None,
                batch_size=16384, seed=0, device=None, progress=True, optimizer="adam"):
    """GloVe word vectors of a token list: co-occurrence counts, then J minimized by Adam or AdaGrad.

    tokens: a list of str (e.g. :func:`dlkit.data.load_corpus`).  The
    words seen at least ``min_count`` times form the vocabulary (the others
    are dropped before counting, so they do not separate their neighbours);
    X counts their co-occurrences within ``window`` with GloVe's 1/d weights.
    W, W~ start uniform in [-0.5, 0.5) / n_e and the biases at 0, drawn from
    ``seed``; every epoch visits the nonzero entries of X in a new order,
    ``batch_size`` at a time, one optimizer step on the summed J of each
    batch, in float32 on ``device`` (None: CUDA when available, else the
    CPU).  optimizer: "adam" (lazy, on the rows a batch touches; lr 0.01 by
    default) or "adagrad" (GloVe's own, accumulators from 1 as in its code;
    lr 0.05).  progress=True prints, per epoch, J / nnz, the epoch time and
    the entries per second.  Returns a :class:`dlkit.data.WordVectors` of the
    unit-length rows of W + W~ (:func:`glove_vectors`), most frequent word first.

    Measured on 2 shared CPU cores (one torch thread, under nice with a
    load average of 5 to 9): on the whole of :func:`dlkit.data.load_corpus`
    (1,301,444 tokens, V = 10,893, 4,146,347 nonzero X_ij) counting takes
    2 to 6 s and an epoch 12 to 20 s (200,000 to 350,000 entries/s); the
    defaults (10 epochs) take 145 s in all.  With them Adam answers 6.9% of the analogy questions it can (4,339
    with all four words among the V) after 5 epochs, 6.5% after 10 and 5.8%
    after 20, with a WordSim-353 Spearman correlation of 0.08, 0.18 and 0.16
    (157 of the 353 pairs are in the vocabulary); AdaGrad (lr 0.05) reaches 1.4% and 0.08
    after 10 epochs, 2.6% and 0.14 after 15: its batches take far fewer
    steps than GloVe's per-entry AdaGrad, so Adam is the default.  After 10
    epochs he : she :: brother : ? gives sister; king - man + woman does not
    give queen (the novels are too small a corpus for it).
    """
    for name, value in (("n_e", n_e), ("window", window), ("epochs", epochs), ("batch_size", batch_size)):
        _positive_int(name, value)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer is {optimizer!r}, expected one of {tuple(OPTIMIZERS)}")
    lr = OPTIMIZERS[optimizer] if lr is None else lr
    if not lr > 0:
        raise ValueError(f"lr is {lr!r}, expected a positive learning rate")
    vocab = Vocabulary(tokens, min_count=min_count)          # ValueError for an empty corpus
    V = len(vocab)
    rows, cols, x = cooccurrence(vocab.encode(tokens), V, window=window)
    if rows.shape[0] == 0:
        raise ValueError("no two vocabulary words occur within the window: nothing to fit")
    device = torch.device(device if device is not None else ("cuda" if torch.cuda.is_available() else "cpu"))
    rng = np.random.default_rng(seed)
    init = [(rng.random((V, n_e)) - 0.5) / n_e for _ in range(2)] + [np.zeros(V), np.zeros(V)]
    params = [torch.tensor(p, dtype=torch.float32, device=device) for p in init]     # W, W~, b, b~
    if optimizer == "adam":
        state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]        # m, v
    else:
        state = [torch.ones_like(p) for p in params]          # AdaGrad's sums of squared gradients, from 1
    rows_t, cols_t = torch.as_tensor(rows, device=device), torch.as_tensor(cols, device=device)
    x_t = torch.as_tensor(x, dtype=torch.float32, device=device)
    generator = torch.Generator().manual_seed(seed)
    nnz, step = rows.shape[0], 0
    for epoch in range(1, epochs + 1):
        start, total = time.perf_counter(), 0.0
        for batch in torch.randperm(nnz, generator=generator).to(device).split(batch_size):
            step += 1
            total += _sparse_step(params, state, rows_t[batch], cols_t[batch], x_t[batch], x_max, alpha, lr,
                                  step if optimizer == "adam" else None)
        if progress:
            seconds = time.perf_counter() - start
            print(f"epoch {epoch:3d}  J/nnz {total / nnz:.6f}  {seconds:.2f} s  {nnz / seconds:,.0f} entries/s",
                  flush=True)
    vectors = glove_vectors(params[0], params[1]).double().cpu().numpy()
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return WordVectors(vocab.words, vectors, vocab.counts.copy())
