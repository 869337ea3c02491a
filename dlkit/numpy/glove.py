"""Chapter 14, GloVe (Pennington, Socher and Manning 2014): co-occurrence counts and a weighted least-squares loss.

X_ij counts how often word j occurs near word i: every pair of tokens at
positions p != q with |p - q| <= window adds 1/|p - q| to X[w_p, w_q] (the
harmonic weighting of GloVe's ``cooccur`` tool; "uniform" adds 1).  Counting
left and right windows makes X symmetric, X_ij = X_ji, as the notes assume.
GloVe fits word vectors w_i, context vectors w~_j (the notes' theta_i and
e_j) and biases b_i, b~_j to the logarithm of the nonzero counts:

    J = sum_{X_ij > 0} f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2
    f(x) = min(1, (x / x_max)^alpha),   x_max = 100, alpha = 3/4

with no 1/2 in front, as the notes and the paper write J (GloVe's C code
minimizes J / 2).  f(0) = 0, so the pairs that never co-occur, whose log X_ij
is -inf, drop out: the sum runs over the nonzero entries only.  f caps the
weight of very frequent pairs ("of the") at 1 and lets rare pairs count less.

W and W~ play symmetric roles, so both are word vectors; GloVe's paper and
code use their sum W + W~ (:func:`glove_vectors`), the notes their average
(W + W~) / 2, which has the same directions, hence the same cosine
similarities and analogies.

Shapes: W, W_tilde: (V, n_e), one word per row (the layout of
:class:`dlkit.data.WordVectors`); b, b_tilde: (V,); the nonzero entries of X
as three (nnz,) arrays rows, cols, x.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.text import _as_sentences_of_ids

COOCCURRENCE_WEIGHTINGS = ("harmonic", "uniform")


def cooccurrence(ids, V, window=10, weighting="harmonic"):
    """The nonzero co-occurrence counts X_ij of the word ids, within ``window`` positions, symmetric.

    ids: (n,) word ids in [0, V) of one text, or a list of such arrays, one
    per sentence (no pair crosses a sentence boundary).  Every two tokens
    d <= window positions apart add 1/d ("harmonic", GloVe's weighting) or 1
    ("uniform") to X[w_p, w_q] and to X[w_q, w_p]; so a word d positions
    from itself adds 2/d to X_ii.  One vectorized pass per distance d lists
    the pairs, one sort of their keys sums them (the 1.3 M tokens of
    :func:`dlkit.data.load_corpus`, window 10: about 2 s).
    Returns (rows, cols, x): (nnz,) int64, (nnz,) int64, (nnz,) float64,
    sorted by row, then column.

    >>> rows, cols, x = cooccurrence([0, 1, 2, 0, 3], V=4, window=2)   # "the cat and the dog"
    >>> X = np.zeros((4, 4))
    >>> X[rows, cols] = x                  # the -- cat: 1 (d = 1) + 1/2 (d = 2, "cat and the")
    >>> X
    array([[0. , 1.5, 1.5, 1. ],
           [1.5, 0. , 1. , 0. ],
           [1.5, 1. , 0. , 0.5],
           [1. , 0. , 0.5, 0. ]])
    """
    if weighting not in COOCCURRENCE_WEIGHTINGS:
        raise ValueError(f"weighting is {weighting!r}, expected one of {COOCCURRENCE_WEIGHTINGS}")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window is {window!r}, expected a positive integer")
    if not isinstance(V, (int, np.integer)) or V < 1:
        raise ValueError(f"V is {V!r}, expected a positive integer (the vocabulary size)")
    flat, sid = _as_sentences_of_ids(ids)
    n = flat.shape[0]
    if n == 0:
        raise ValueError("ids is empty: expected the word ids of a non-empty corpus")
    if flat.min() < 0 or flat.max() >= V:
        raise ValueError(f"ids range from {flat.min()} to {flat.max()}, expected 0 to {V - 1}")
    keys = []
    for d in range(1, min(window, n - 1) + 1):
        left, right = flat[: n - d], flat[d:]                 # (n - d,) tokens d apart
        same = sid[: n - d] == sid[d:]
        lo, hi = np.minimum(left, right)[same], np.maximum(left, right)[same]
        keys.append((lo * V + hi) * window + (d - 1))         # the unordered pair {i, j}, i <= j, and d
    keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    if keys.size == 0:                                        # one token, or sentences of one token
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    # sorting the values alone is fast (no argsort); equal keys then form runs of one pair at one distance
    keys = np.sort(keys)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[starts, keys.size])                # (runs,) how often each (pair, d) occurs
    run_pair, d = keys[starts] // window, keys[starts] % window + 1
    run_weight = counts / d if weighting == "harmonic" else counts.astype(np.float64)
    first = np.flatnonzero(np.r_[True, run_pair[1:] != run_pair[:-1]])
    pair = run_pair[first]                                    # (P,) distinct pairs, ascending
    total = np.add.reduceat(run_weight, first)                # (P,) X_ij for i <= j, before symmetrizing
    lo, hi = pair // V, pair % V
    off = lo != hi
    rows = np.concatenate([lo, hi[off]])                      # X_ij and, off the diagonal, X_ji
    cols = np.concatenate([hi, lo[off]])
    x = np.concatenate([np.where(off, total, 2 * total), total[off]])   # i == j: both orders land on X_ii
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], x[order].astype(np.float64)


def weighting(x, x_max=100, alpha=0.75):
    """GloVe's weight f(x) = (x / x_max)^alpha for x < x_max, else 1; f(0) = 0.

    x: an array of counts >= 0 (any shape).  Returns float64 of x's shape.

    >>> weighting(np.array([0.0, 10.0, 100.0, 500.0]))
    array([0.        , 0.17782794, 1.        , 1.        ])
    """
    x = as_array("x", x)
    if not x_max > 0 or not alpha > 0:
        raise ValueError(f"x_max and alpha are {x_max!r} and {alpha!r}, expected positive numbers")
    if np.any(x < 0):
        raise ValueError("x has negative entries, expected co-occurrence counts >= 0")
    return np.minimum(1.0, (x / x_max) ** alpha)


def _check_glove(W, W_tilde, b, b_tilde, rows, cols, x, is_integer):
    """Shapes and ranges shared by both backends; is_integer(idx) says whether idx holds integers.  Returns dims."""
    dims = check_shape("W", W, ("V", "n_e"))
    check_shape("W_tilde", W_tilde, ("V", "n_e"), dims)
    check_shape("b", b, ("V",), dims)
    check_shape("b_tilde", b_tilde, ("V",), dims)
    check_shape("x", x, ("nnz",), dims)
    for name, idx in (("rows", rows), ("cols", cols)):
        check_shape(name, idx, ("nnz",), dims)
        if not is_integer(idx):
            raise ValueError(f"{name} has dtype {idx.dtype}, expected integer word ids")
        if dims["nnz"] and (int(idx.min()) < 0 or int(idx.max()) >= dims["V"]):
            raise ValueError(f"{name} range from {int(idx.min())} to {int(idx.max())}, expected 0 to {dims['V'] - 1}")
    if dims["nnz"] and not bool((x > 0).all()):
        raise ValueError("x has entries <= 0, expected the nonzero co-occurrence counts (log X_ij must exist)")
    return dims


def glove_loss_and_grads(W, W_tilde, b, b_tilde, rows, cols, x, x_max=100, alpha=0.75):
    """GloVe's J over the given nonzero entries of X, and its gradients.

    J = sum_k f(x_k) (w_{i_k} . w~_{j_k} + b_{i_k} + b~_{j_k} - log x_k)^2,
    i = rows, j = cols (formula and f in the module docstring).  With
    g_k = 2 f(x_k) diff_k: dw_i = sum_{k: i_k = i} g_k w~_{j_k},
    dw~_j = sum_{k: j_k = j} g_k w_{i_k}, db_i and db~_j the sums of g_k;
    a word in several entries collects them all (np.add.at).

    W, W_tilde: (V, n_e); b, b_tilde: (V,); rows, cols: (nnz,) ints in
    [0, V); x: (nnz,) counts > 0.  Returns (loss, dW (V, n_e),
    dW_tilde (V, n_e), db (V,), db_tilde (V,)), loss a float.
    """
    W, W_tilde, b, b_tilde, x = (as_array(name, a) for name, a in (
        ("W", W), ("W_tilde", W_tilde), ("b", b), ("b_tilde", b_tilde), ("x", x)))
    rows, cols = np.asarray(rows), np.asarray(cols)
    _check_glove(W, W_tilde, b, b_tilde, rows, cols, x, lambda idx: idx.dtype.kind in "iu")
    w, w_t = W[rows], W_tilde[cols]                           # (nnz, n_e) each
    diff = np.sum(w * w_t, axis=1) + b[rows] + b_tilde[cols] - np.log(x)   # (nnz,)
    fx = weighting(x, x_max, alpha)
    loss = float(np.sum(fx * diff**2))
    g = 2 * fx * diff                                         # (nnz,) dJ/d(diff_k)
    dW, dW_tilde = np.zeros_like(W), np.zeros_like(W_tilde)
    db, db_tilde = np.zeros_like(b), np.zeros_like(b_tilde)
    np.add.at(dW, rows, g[:, None] * w_t)                    # repeated rows accumulate
    np.add.at(dW_tilde, cols, g[:, None] * w)
    np.add.at(db, rows, g)
    np.add.at(db_tilde, cols, g)
    return loss, dW, dW_tilde, db, db_tilde


def glove_vectors(W, W_tilde):
    """The final word vectors W + W~, as GloVe's paper and code take them: (V, n_e) and (V, n_e) -> (V, n_e).

    The notes average them, (W + W~) / 2: the same directions, so the same
    cosine similarities and analogies.

    >>> glove_vectors(np.array([[1.0, 0.0]]), np.array([[0.5, 2.0]]))
    array([[1.5, 2. ]])
    """
    W, W_tilde = as_array("W", W), as_array("W_tilde", W_tilde)
    dims = check_shape("W", W, ("V", "n_e"))
    check_shape("W_tilde", W_tilde, ("V", "n_e"), dims)
    return W + W_tilde
