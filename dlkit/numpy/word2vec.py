"""Chapter 14, word2vec skip-gram: losses and gradients of the full softmax, negative sampling, hierarchical softmax.

Notation of the notes: the context word c (the center of the window, which
word2vec calls the center word) has the input vector e_c, a target word t
(a word near it) the output vector theta_t.  In code both are rows:
e_c = E[c] of the input matrix E: (V, n_e), theta_t = U[t] of the output
matrix U: (V, n_e) (E here is the transpose of the notes' (n_e, V)
embedding matrix, whose column c is e_c; :class:`dlkit.data.WordVectors`
gives that layout as ``.E``).
Each function returns the loss and its gradients with respect to the vectors
it was given.  log sigma(x) = -log(1 + e^-x) is computed as -logaddexp(0, -x),
finite for every x.

- full softmax:  p(t | c) = e^{theta_t.e_c} / sum_{j=1}^{V} e^{theta_j.e_c},  L = -log p(t | c)
- negative sampling, one true target o and k noise words w_1..w_k:
  L = -log sigma(theta_o.e_c) - sum_{i=1}^{k} log sigma(-theta_{w_i}.e_c)
- hierarchical softmax, along the Huffman path of t (bits d_1..d_L, inner nodes
  with vectors theta_1..theta_L, :func:`dlkit.text.huffman_codes`):
  L = -sum_{l=1}^{L} log sigma((1 - 2 d_l) theta_l.e_c)
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.knn import _as_labels


def _sigmoid(x):
    """sigma(x) = exp(log sigma(x)), without overflow for any x."""
    return np.exp(-np.logaddexp(0.0, -x))


def softmax_loss_and_grads(e_c, U, target):
    """Skip-gram with the full softmax: L = mean over m pairs of -log softmax(U e_c)[t].

    e_c: (m, n_e) context vectors; U: (V, n_e) output vectors theta_j, one
    per row; target: (m,) ints in 0..V-1.  With p = softmax(U e_c) (V,) and
    y the one-hot target, dL/d(theta_j.e_c) = (p_j - y_j) / m, so
    de_c = (p - y) U / m and dU = (p - y)^T e_c / m.  Each pair costs
    O(V n_e): every one of the V output vectors enters the normalizer and
    receives a gradient, for V = 10,000 to millions of words, which is why
    word2vec replaces it by negative sampling or hierarchical softmax.
    Returns (loss, de_c: (m, n_e), dU: (V, n_e)).

    >>> loss, de_c, dU = softmax_loss_and_grads(np.zeros((1, 2)), np.ones((4, 2)), np.array([3]))
    >>> round(loss, 6), de_c, dU[3]                 # uniform p = 1/4: loss log 4
    (1.386294, array([[0., 0.]]), array([0., 0.]))
    """
    e_c, U = as_array("e_c", e_c), as_array("U", U)
    dims = check_shape("e_c", e_c, ("m", "n_e"))
    check_shape("U", U, ("V", "n_e"), dims)
    target = _as_labels("target", target, e_c.shape[0], U.shape[0])
    m, rows = e_c.shape[0], np.arange(e_c.shape[0])
    S = e_c @ U.T                                              # (m, V): theta_j.e_c
    S = S - S.max(axis=1, keepdims=True)                       # shifts nothing in the softmax
    log_p = S - np.log(np.exp(S).sum(axis=1, keepdims=True))  # (m, V)
    dS = np.exp(log_p)
    dS[rows, target] -= 1                                      # p - y
    dS /= m
    return float(-log_p[rows, target].sum() / m), dS @ U, dS.T @ e_c


def sgns_loss_and_grads(e_c, u_o, u_neg):
    """Skip-gram with negative sampling: L = mean over m of -log sigma(u_o.e_c) - sum_k log sigma(-u_k.e_c).

    e_c: (m, n_e) context vectors, u_o: (m, n_e) output vectors of the true
    targets, u_neg: (m, k, n_e) output vectors of the k noise words of each
    pair (drawn from :func:`dlkit.text.noise_distribution`).  With
    s_o = u_o.e_c and s_k = u_k.e_c, dL/ds_o = (sigma(s_o) - 1) / m and
    dL/ds_k = sigma(s_k) / m, so

        de_c = ((sigma(s_o) - 1) u_o + sum_k sigma(s_k) u_k) / m
        du_o = (sigma(s_o) - 1) e_c / m,   du_k = sigma(s_k) e_c / m

    k + 1 dot products per pair instead of V.  A word drawn twice gets two
    rows of du_neg; the caller adds them into U (np.add.at).
    Returns (loss, de_c: (m, n_e), du_o: (m, n_e), du_neg: (m, k, n_e)).

    >>> loss, de_c, du_o, du_neg = sgns_loss_and_grads(np.zeros((1, 2)), np.ones((1, 2)), np.ones((1, 3, 2)))
    >>> round(loss, 6), de_c                        # 4 log 2: each sigma is 1/2
    (2.772589, array([[1., 1.]]))
    """
    e_c, u_o, u_neg = as_array("e_c", e_c), as_array("u_o", u_o), as_array("u_neg", u_neg)
    dims = check_shape("e_c", e_c, ("m", "n_e"))
    check_shape("u_o", u_o, ("m", "n_e"), dims)
    check_shape("u_neg", u_neg, ("m", "k", "n_e"), dims)
    m = e_c.shape[0]
    s_o = np.sum(u_o * e_c, axis=1)                            # (m,)
    s_neg = np.einsum("mkn,mn->mk", u_neg, e_c)                # (m, k)
    loss = (np.logaddexp(0.0, -s_o).sum() + np.logaddexp(0.0, s_neg).sum()) / m
    g_o = (_sigmoid(s_o) - 1.0) / m                            # (m,) dL/ds_o
    g_neg = _sigmoid(s_neg) / m                                # (m, k) dL/ds_k
    de_c = g_o[:, None] * u_o + np.einsum("mk,mkn->mn", g_neg, u_neg)
    return float(loss), de_c, g_o[:, None] * e_c, g_neg[:, :, None] * e_c[:, None, :]


def hs_loss_and_grads(e_c, node_vectors, code):
    """Hierarchical softmax along one Huffman path: L = -sum_l log sigma((1 - 2 d_l) theta_l.e_c).

    e_c: (n_e,) the context vector; node_vectors: (L, n_e) the vectors
    theta_l of the inner nodes on the target's path, root first (rows
    ``points[t]`` of the (V - 1, n_e) node matrix, with ``codes, points =
    dlkit.text.huffman_codes(counts)``); code: (L,) its bits d_l in {0, 1}.
    Sign convention of word2vec's C code (and gensim): at node l the walk
    takes branch 0 with probability sigma(theta_l.e_c) and branch 1 with
    sigma(-theta_l.e_c), so p(t | c) = prod_l sigma((1 - 2 d_l) theta_l.e_c),
    and these probabilities sum to 1 over the V leaves.  L log2-sized dot
    products per pair instead of V.  With s_l = (1 - 2 d_l) theta_l.e_c and
    g_l = -(1 - 2 d_l) sigma(-s_l) = sigma(theta_l.e_c) - (1 - d_l):

        de_c = sum_l g_l theta_l,   dtheta_l = g_l e_c

    Returns (loss, de_c: (n_e,), dnodes: (L, n_e)).

    >>> loss, de_c, dnodes = hs_loss_and_grads(np.zeros(2), np.ones((3, 2)), np.array([0, 1, 1]))
    >>> round(loss, 6), de_c                        # three fair coin flips: 3 log 2
    (2.079442, array([0.5, 0.5]))
    """
    e_c, node_vectors = as_array("e_c", e_c), as_array("node_vectors", node_vectors)
    dims = check_shape("e_c", e_c, ("n_e",))
    check_shape("node_vectors", node_vectors, ("L", "n_e"), dims)
    code = np.asarray(code)
    check_shape("code", code, (node_vectors.shape[0],))
    if code.size and not np.all((code == 0) | (code == 1)):
        raise ValueError(f"code holds {sorted(set(code.tolist()))}, expected bits 0 and 1")
    sign = 1.0 - 2.0 * code                                    # (L,): +1 for branch 0, -1 for branch 1
    s = sign * (node_vectors @ e_c)                            # (L,)
    g = -sign * _sigmoid(-s)                                   # (L,) dL/d(theta_l.e_c)
    return float(np.logaddexp(0.0, -s).sum()), g @ node_vectors, g[:, None] * e_c
