"""Appendix A: the SVM and softmax losses against torch's multi_margin_loss and cross_entropy, worked numbers, training.

The gradient checks of the four losses are in test_gradients.py (CHECKS), the
parity with the torch twins (autograd's dW) in test_parity.py.
"""

import numpy as np
import pytest

from dlkit.numpy import linear_classifier as lc
from dlkit.testing import rel_error

LOSSES = {"svm": (lc.svm_loss_loops, lc.svm_loss_vectorized),
          "softmax": (lc.softmax_loss_loops, lc.softmax_loss_vectorized)}


def _problem(rng, K=5, n_x=6, m=20):
    """W: (K, n_x + 1), X: (n_x + 1, m) with the bias row, y: (m,) ints."""
    X = lc.add_bias_row(rng.standard_normal((n_x, m)))
    return rng.standard_normal((K, n_x + 1)), X, rng.integers(K, size=m)


def _blobs(rng, m=150):
    """Three Gaussian clusters in 2-D, 5 or more standard deviations apart, with the bias row: (3, m), y: (m,)."""
    centers = np.array([[0.0, 4.0, -4.0], [4.0, -3.0, -3.0]])
    y = rng.integers(3, size=m)
    return lc.add_bias_row(centers[:, y] + rng.standard_normal((2, m))), y


def test_add_bias_row_appends_ones():
    X = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(lc.add_bias_row(X), [[0, 1, 2], [3, 4, 5], [1, 1, 1]])
    assert lc.add_bias_row(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("name", ["svm", "softmax"])
def test_loops_and_vectorized_agree(rng, name):
    loops, vectorized = LOSSES[name]
    W, X, y = _problem(rng)
    kwargs = [{"delta": d} for d in (1.0, 0.3, 4.0)] if name == "svm" else [{}]
    for kw in kwargs:
        loss_a, dW_a = loops(W, X, y, 0.05, **kw)
        loss_b, dW_b = vectorized(W, X, y, 0.05, **kw)
        assert isinstance(loss_a, float) and isinstance(loss_b, float)
        assert abs(loss_a - loss_b) < 1e-12 * abs(loss_a)
        assert dW_a.shape == W.shape and rel_error(dW_a, dW_b) < 1e-10


@pytest.mark.parametrize("delta", [1.0, 2.5])
def test_svm_loss_is_K_times_torchs_multi_margin_loss(rng, delta):
    """torch's reduction 'mean' divides each example's sum over j != y_i by the number of classes K too."""
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    W, X, y = _problem(rng)
    S = torch.tensor((W @ X).T)                                 # torch's input: (m, K), one example per row
    expected = 5 * torch.nn.functional.multi_margin_loss(S, torch.tensor(y), p=1, margin=delta).item()
    for fn in LOSSES["svm"]:
        assert abs(fn(W, X, y, 0.0, delta)[0] - expected) < 1e-12 * expected


def test_softmax_loss_is_torchs_cross_entropy(rng):
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    W, X, y = _problem(rng)
    W = 10 * W                                                  # large scores: the max shift must keep it finite
    expected = torch.nn.functional.cross_entropy(torch.tensor((W @ X).T), torch.tensor(y)).item()
    for fn in LOSSES["softmax"]:
        assert abs(fn(W, X, y, 0.0)[0] - expected) < 1e-12 * expected


def test_regularization_adds_reg_sum_of_squares_and_2_reg_W(rng):
    W, X, y = _problem(rng)
    for loops, vectorized in LOSSES.values():
        for fn in (loops, vectorized):
            (l0, d0), (l1, d1) = fn(W, X, y, 0.0), fn(W, X, y, 0.7)
            assert abs(l1 - l0 - 0.7 * np.sum(W * W)) < 1e-10
            assert rel_error(d1 - d0, 1.4 * W) < 1e-10


@pytest.mark.parametrize("delta", [1.0, 2.5])
def test_with_W_zero_softmax_is_log_K_and_svm_is_K_minus_1_times_delta(rng, delta):
    """All scores 0: every class has probability 1/K, and every one of the K - 1 margins is delta."""
    _, X, y = _problem(rng)
    W = np.zeros((5, X.shape[0]))
    for fn in LOSSES["softmax"]:
        assert abs(fn(W, X, y, 0.1)[0] - np.log(5)) < 1e-12
        assert abs(fn(W, X, y, 0.1)[0] - 1.6094379124341003) < 1e-12
    for fn in LOSSES["svm"]:
        assert abs(fn(W, X, y, 0.1, delta)[0] - 4 * delta) < 1e-12


@pytest.mark.parametrize("vectorized", [False, True])
def test_worked_scores_from_the_notes(vectorized):
    """Notes 002, Study2 item 11: with class 0 correct, scores [10, -100, -100] and [10, 9, 9] both satisfy the
    margin delta = 1, so the SVM loss is 0 for both, while the softmax loss is ~0 for the first and
    log(1 + 2/e) = 0.5514 for the second.  Also the three-class cat/car/frog scores [3.2, 5.1, -1.7] with cat
    correct: SVM max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9, softmax 2.0404 (natural log).

    W is the 3x3 identity, so the scores are the columns of X."""
    svm, softmax = (LOSSES[name][int(vectorized)] for name in ("svm", "softmax"))
    W, y = np.eye(3), np.array([0])
    for scores, svm_loss, softmax_loss in (([10.0, -100.0, -100.0], 0.0, 0.0),
                                            ([10.0, 9.0, 9.0], 0.0, 0.5514447139320511),
                                            ([3.2, 5.1, -1.7], 2.9, 2.0403551528001707)):
        X = np.array(scores)[:, None]                           # (3, 1): one example
        assert abs(svm(W, X, y, 0.0)[0] - svm_loss) < 1e-12, scores
        assert abs(softmax(W, X, y, 0.0)[0] - softmax_loss) < 1e-12, scores
    # batched: the mean of the three examples' losses
    X = np.array([[10.0, 10.0, 3.2], [-100.0, 9.0, 5.1], [-100.0, 9.0, -1.7]])
    assert abs(svm(W, X, np.zeros(3, dtype=int), 0.0)[0] - 2.9 / 3) < 1e-12


@pytest.mark.parametrize("loss", ["svm", "softmax"])
def test_training_reduces_the_loss_and_separates_three_clusters(rng, loss):
    X, y = _blobs(rng)
    calls = []
    W, history = lc.train_linear_classifier(X, y, loss=loss, learning_rate=0.05, reg=1e-3, num_iters=200,
                                            batch_size=32, seed=2, callback=lambda it, value: calls.append((it, value)))
    assert W.shape == (3, 3) and len(history) == 200
    assert calls == list(enumerate(history))
    assert np.mean(history[-20:]) < 0.2 * history[0]
    assert np.mean(lc.predict_linear(W, X) == y) > 0.9
    W_again, history_again = lc.train_linear_classifier(X, y, loss=loss, learning_rate=0.05, reg=1e-3,
                                                        num_iters=200, batch_size=32, seed=2)
    np.testing.assert_array_equal(W, W_again)                   # seeded: the same batches and initial W


def test_training_starts_from_a_given_W_without_modifying_it(rng):
    X, y = _blobs(rng, m=40)
    W0 = rng.standard_normal((3, 3))
    W0_copy = W0.copy()
    W, history = lc.train_linear_classifier(X, y, num_iters=1, batch_size=40, learning_rate=0.1, W=W0)
    np.testing.assert_array_equal(W0, W0_copy)
    assert len(history) == 1 and not np.array_equal(W, W0)


def test_predict_linear_is_the_argmax_of_the_scores():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    X = np.array([[2.0, 0.0, -1.0], [1.0, 3.0, -1.0]])           # scores: [2, 1, -3], [0, 3, -3], [-1, -1, 2]
    np.testing.assert_array_equal(lc.predict_linear(W, X), [0, 1, 2])


def test_bad_inputs_raise_value_errors_that_name_the_problem(rng):
    W, X, y = _problem(rng)
    for loops, vectorized in LOSSES.values():
        for fn in (loops, vectorized):
            with pytest.raises(ValueError, match=r"W has shape \(5, 6\), expected \(K, n_x\) = \(K, 7\)"):
                fn(W[:, :6], X, y, 0.1)
            with pytest.raises(ValueError, match=r"y holds labels from 0 to 4, expected integers in 0..3"):
                fn(W[:4], X, y, 0.1)
            with pytest.raises(ValueError, match=r"y has shape \(19,\), expected \(m,\) or \(1, m\) with m = 20"):
                fn(W, X, y[:19], 0.1)
    with pytest.raises(ValueError, match="loss is 'hinge', expected one of"):
        lc.train_linear_classifier(X, y, loss="hinge")
    with pytest.raises(ValueError, match=r"W has shape \(5, 6\)"):
        lc.predict_linear(W[:, :6], X)
