"""Chapter 14, GloVe: co-occurrence counts, the weighting f, the weighted least-squares loss and its gradients.

Oracles: counts worked out by hand and by a naive double loop over token
positions; f at the points the notes name; a two-sided finite-difference
check of every gradient (float64, < 1e-7); torch autograd through J written
independently on the dense matrix X; and, trained on a synthetic corpus with
two planted topics, vectors whose words of one topic are closer to each other
than to the other topic's.
"""

import numpy as np
import pytest

from dlkit.numpy import glove
from dlkit.testing import gradient_check, rel_error


def _dense(rows, cols, x, V):
    X = np.zeros((V, V))
    X[rows, cols] = x
    return X


def _naive_counts(sentences, V, window, harmonic=True):
    """X by the definition: for every token, every other token within the window adds 1/distance (or 1)."""
    X = np.zeros((V, V))
    for s in sentences:
        for p in range(len(s)):
            for q in range(max(0, p - window), min(len(s), p + window + 1)):
                if q != p:
                    X[s[p], s[q]] += 1 / abs(p - q) if harmonic else 1
    return X


def test_cooccurrence_of_a_tiny_sentence_by_hand():
    # "a b a c a", window 2.  d = 1: ab, ba, ac, ca; d = 2: a_a (twice), b_c.
    # X_ab = 1 + 1 = 2, X_ac = 2, X_bc = 1/2, and each a_a pair adds 1/2 to X_aa in both orders: 2 * 2 * 1/2 = 2.
    rows, cols, x = glove.cooccurrence(np.array([0, 1, 0, 2, 0]), V=3, window=2)
    expected = np.array([[2.0, 2.0, 2.0],
                         [2.0, 0.0, 0.5],
                         [2.0, 0.5, 0.0]])
    assert rel_error(_dense(rows, cols, x, 3), expected) < 1e-15
    assert list(zip(rows.tolist(), cols.tolist())) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    assert rows.dtype == cols.dtype == np.int64 and x.dtype == np.float64
    _, _, counts = glove.cooccurrence([0, 1, 0, 2, 0], V=3, window=2, weighting="uniform")
    assert counts.tolist() == [4.0, 2.0, 2.0, 2.0, 1.0, 2.0, 1.0]     # X_aa, X_ab, X_ac, X_ba, X_bc, X_ca, X_cb


def test_cooccurrence_agrees_with_a_double_loop(rng):
    ids = rng.integers(0, 7, size=300)
    for window in (1, 3, 10):
        for weighting in ("harmonic", "uniform"):
            rows, cols, x = glove.cooccurrence(ids, V=9, window=window, weighting=weighting)
            naive = _naive_counts([ids], 9, window, weighting == "harmonic")
            assert rel_error(_dense(rows, cols, x, 9), naive) < 1e-12, (window, weighting)
            assert np.all(x > 0) and len(x) == np.count_nonzero(naive)           # exactly the nonzeros
            assert np.all(np.diff(rows * 9 + cols) > 0)                          # sorted, no duplicates
    sentences = [rng.integers(0, 5, size=n) for n in (6, 1, 9)]                 # no pair crosses a boundary
    rows, cols, x = glove.cooccurrence(sentences, V=5, window=4)
    assert rel_error(_dense(rows, cols, x, 5), _naive_counts(sentences, 5, 4)) < 1e-12


def test_weighting_is_zero_at_zero_one_from_x_max_and_a_power_below():
    x = np.array([0.0, 1.0, 50.0, 99.0, 100.0, 100.5, 1e6])
    f = glove.weighting(x)
    assert f[0] == 0.0 and f[4] == 1.0 and np.all(f[5:] == 1.0)                # f(0) = 0, capped at 1 from x_max
    assert rel_error(f[1:4], (x[1:4] / 100) ** 0.75) < 1e-15
    assert np.all(np.diff(f) >= 0)                                              # non-decreasing
    assert rel_error(glove.weighting(x, x_max=10, alpha=0.5)[1:3], np.array([np.sqrt(0.1), 1.0])) < 1e-15


def _problem(rng, V=6, n_e=3, nnz=20):
    """Random parameters and nonzero entries; rows repeat (scattered gradients add up) and some x pass x_max."""
    W, W_tilde = rng.standard_normal((V, n_e)), rng.standard_normal((V, n_e))
    b, b_tilde = rng.standard_normal(V), rng.standard_normal(V)
    rows, cols = rng.integers(0, V, size=nnz), rng.integers(0, V, size=nnz)
    x = np.exp(rng.uniform(-1, 6, size=nnz))                                   # 0.37 .. 400
    return [W, W_tilde, b, b_tilde], rows, cols, x


def _dense_loss(W, W_tilde, b, b_tilde, rows, cols, x):
    """J straight from the formula, one term at a time."""
    return sum(min(1.0, (xk / 100) ** 0.75) * (W[i] @ W_tilde[j] + b[i] + b_tilde[j] - np.log(xk)) ** 2
               for i, j, xk in zip(rows, cols, x))


def test_loss_is_the_formula_and_every_gradient_passes_the_check(rng):
    params, rows, cols, x = _problem(rng)
    assert len(set(rows.tolist())) < len(rows) and np.any(x > 100) and np.any(x < 100)
    loss, *grads = glove.glove_loss_and_grads(*params, rows, cols, x)
    assert isinstance(loss, float)
    assert rel_error(loss, _dense_loss(*params, rows, cols, x)) < 1e-12
    for k, (name, grad) in enumerate(zip(("dW", "dW_tilde", "db", "db_tilde"), grads)):
        def J(p, k=k):
            args = list(params)
            args[k] = p
            return glove.glove_loss_and_grads(*args, rows, cols, x)[0]
        assert grad.shape == params[k].shape
        assert gradient_check(J, params[k].copy(), grad, tol=1e-7, name=name) < 1e-7


def test_gradients_agree_with_torch_autograd_on_the_dense_objective(rng):
    """J written on the dense X (a mask picks the nonzeros), differentiated by torch: the same loss and gradients."""
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    params, _, _, _ = _problem(rng)
    V = params[0].shape[0]
    X = np.where(rng.random((V, V)) < 0.6, np.exp(rng.uniform(-1, 6, size=(V, V))), 0.0)
    rows, cols = np.nonzero(X)
    loss, *grads = glove.glove_loss_and_grads(*params, rows, cols, X[rows, cols])
    W, W_tilde, b, b_tilde = (torch.tensor(p, requires_grad=True) for p in params)
    Xt = torch.tensor(X)
    mask = Xt > 0
    f = torch.clamp(Xt / 100, max=1.0) ** 0.75
    residual = W @ W_tilde.T + b[:, None] + b_tilde[None, :] - torch.log(torch.where(mask, Xt, 1.0))   # (V, V)
    J = torch.sum(torch.where(mask, f * residual**2, 0.0))
    J.backward()
    assert rel_error(loss, J.detach()) < 1e-12
    for name, got, want in zip(("dW", "dW_tilde", "db", "db_tilde"), grads, (W, W_tilde, b, b_tilde)):
        assert rel_error(got, want.grad) < 1e-10, name


def test_glove_vectors_are_the_sum_of_both_tables(rng):
    W, W_tilde = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    assert rel_error(glove.glove_vectors(W, W_tilde), W + W_tilde) < 1e-15


def _two_topics(rng, sentences=400, length=8):
    """Sentences drawn from one of two topics of 5 words each: words of a topic co-occur, the topics never do."""
    topics = (["cat", "dog", "horse", "cow", "sheep"], ["saw", "hammer", "drill", "nail", "screw"])
    tokens = [tok for s in range(sentences) for tok in [*rng.choice(topics[s % 2], size=length), "."]]
    return [str(t) for t in tokens], topics


def test_adagrad_on_the_numpy_loss_decreases_it(rng):
    ids = rng.integers(0, 8, size=400)
    rows, cols, x = glove.cooccurrence(ids, V=8, window=3)
    params = [0.1 * rng.standard_normal((8, 4)), 0.1 * rng.standard_normal((8, 4)), np.zeros(8), np.zeros(8)]
    sq = [np.ones_like(p) for p in params]
    losses = []
    for _ in range(60):
        loss, *grads = glove.glove_loss_and_grads(*params, rows, cols, x)
        losses.append(loss)
        for p, s, g in zip(params, sq, grads):
            s += g * g
            p -= 0.1 * g / np.sqrt(s)
    assert losses[-1] < 0.1 * losses[0]
    assert np.all(np.diff(losses) < 0)


@pytest.mark.parametrize("optimizer", ["adam", "adagrad"])
def test_train_glove_puts_words_of_one_topic_closer(optimizer, rng, capsys):
    tg = pytest.importorskip("dlkit.torch.glove", reason="the torch extra is not installed")
    tokens, topics = _two_topics(rng)
    wv = tg.train_glove(tokens, n_e=8, window=3, min_count=1, epochs=30, batch_size=64, lr=0.1, seed=0,
                        optimizer=optimizer)
    assert len(wv) == 11 and wv.vectors.shape == (11, 8)
    assert np.allclose(np.linalg.norm(wv.vectors, axis=1), 1.0)
    within = [wv[a] @ wv[b] for t in topics for a in t for b in t if a < b]
    across = [wv[a] @ wv[b] for a in topics[0] for b in topics[1]]
    assert min(within) > max(across), (min(within), max(across))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 30 and all("entries/s" in line for line in lines)
    J = [float(line.split("J/nnz")[1].split()[0]) for line in lines]
    assert J[-1] < 0.01 * J[0] and J[-1] < J[14]


def test_bad_input_names_the_shapes(rng):
    params, rows, cols, x = _problem(rng)
    W, W_tilde, b, b_tilde = params
    with pytest.raises(ValueError, match=r"W_tilde has shape \(6, 4\), expected \(V, n_e\) = \(6, 3\)"):
        glove.glove_loss_and_grads(W, rng.standard_normal((6, 4)), b, b_tilde, rows, cols, x)
    with pytest.raises(ValueError, match=r"b_tilde has shape \(6, 1\), expected \(V,\) = \(6,\)"):
        glove.glove_loss_and_grads(W, W_tilde, b, b_tilde[:, None], rows, cols, x)
    with pytest.raises(ValueError, match=r"cols has shape \(19,\), expected \(nnz,\) = \(20,\)"):
        glove.glove_loss_and_grads(W, W_tilde, b, b_tilde, rows, cols[1:], x)
    with pytest.raises(ValueError, match=r"rows range from 0 to 6, expected 0 to 5"):
        glove.glove_loss_and_grads(W, W_tilde, b, b_tilde, np.r_[rows[:-1], 6], cols, x)
    with pytest.raises(ValueError, match="rows has dtype float64, expected integer word ids"):
        glove.glove_loss_and_grads(W, W_tilde, b, b_tilde, rows.astype(float), cols, x)
    with pytest.raises(ValueError, match=r"x has entries <= 0"):
        glove.glove_loss_and_grads(W, W_tilde, b, b_tilde, rows, cols, np.r_[x[:-1], 0.0])
    with pytest.raises(ValueError, match="x has negative entries"):
        glove.weighting(np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"weighting is 'linear', expected one of \('harmonic', 'uniform'\)"):
        glove.cooccurrence([0, 1], V=2, weighting="linear")
    with pytest.raises(ValueError, match="ids range from 0 to 2, expected 0 to 1"):
        glove.cooccurrence([0, 2], V=2)
    with pytest.raises(ValueError, match=r"sentence 0 of ids has shape \(2, 2\)"):
        glove.cooccurrence(np.zeros((2, 2), dtype=int), V=2)


def test_an_empty_corpus_is_a_clear_error():
    with pytest.raises(ValueError, match="ids is empty"):
        glove.cooccurrence(np.zeros(0, dtype=np.int64), V=3)
    tg = pytest.importorskip("dlkit.torch.glove", reason="the torch extra is not installed")
    with pytest.raises(ValueError, match="the corpus is empty"):
        tg.train_glove([])
    with pytest.raises(ValueError, match="no two vocabulary words occur within the window"):
        tg.train_glove(["lonely"], min_count=1)
    with pytest.raises(ValueError, match=r"optimizer is 'sgd', expected one of \('adam', 'adagrad'\)"):
        tg.train_glove(["a", "b"], min_count=1, optimizer="sgd")
