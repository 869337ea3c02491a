"""Appendix A, linear classifiers: the multiclass SVM (hinge) loss and the softmax (cross-entropy) loss.

X: (n_x + 1, m), one example per column, whose last row is ones (the bias
trick of :func:`add_bias_row`: the bias becomes W's last column);
W: (K, n_x + 1); y: (m,) ints in 0..K-1.  The scores are S = W X: (K, m),
s = S[:, i] for example i, and with L2 regularization of strength reg,

    SVM:      L = (1/m) sum_i sum_{j != y_i} max(0, s_j - s_{y_i} + delta) + reg * sum(W^2)
    softmax:  L = (1/m) sum_i -log(e^{s_{y_i}} / sum_j e^{s_j})           + reg * sum(W^2)

Gradients, with x_i the i-th column of X:
  SVM: each violated margin (s_j - s_{y_i} + delta > 0, j != y_i) adds x_i
  to row j of dW and subtracts it from row y_i;
  softmax: row j of dW gets (p_j - [j = y_i]) x_i with p = softmax(s);
  both are divided by m, and the regularization adds 2 reg W.
The softmax is computed after shifting the scores by their maximum, which
changes nothing but keeps the exponentials finite.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.knn import _as_labels

LOSSES = ("svm", "softmax")


def _check(W, X, y):
    """W: (K, n_x), X: (n_x, m), y: (m,) or (1, m) labels in 0..K-1."""
    W, X = as_array("W", W), as_array("X", X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("W", W, ("K", "n_x"), dims)
    return W, X, _as_labels("y", y, X.shape[1], W.shape[0])


def add_bias_row(X):
    """X: (n_x, m) with a last row of ones appended: (n_x + 1, m), so that W X includes the bias.

    >>> add_bias_row(np.array([[2.0, 3.0]]))
    array([[2., 3.],
           [1., 1.]])
    """
    X = as_array("X", X)
    check_shape("X", X, ("n_x", "m"))
    return np.vstack([X, np.ones((1, X.shape[1]), dtype=X.dtype)])


def svm_loss_loops(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient with explicit loops over examples and classes.  Returns (loss, dW: (K, n_x))."""
    W, X, y = _check(W, X, y)
    K, m = W.shape[0], X.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(m):
        s = W @ X[:, i]                                         # (K,)
        for j in range(K):
            if j == y[i]:
                continue
            margin = s[j] - s[y[i]] + delta
            if margin > 0:
                loss += margin
                dW[j] += X[:, i]
                dW[y[i]] -= X[:, i]
    return float(loss / m + reg * np.sum(W * W)), dW / m + 2 * reg * W


def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient without loops.  Returns (loss, dW: (K, n_x))."""
    W, X, y = _check(W, X, y)
    m = X.shape[1]
    cols = np.arange(m)
    S = W @ X                                                   # (K, m)
    margins = np.maximum(0, S - S[y, cols] + delta)             # (K, m); S[y, cols]: (m,), each example's s_{y_i}
    margins[y, cols] = 0
    counts = (margins > 0).astype(W.dtype)                      # (K, m): +1 for each violated margin
    counts[y, cols] = -counts.sum(axis=0)                       # the correct class loses x_i once per violation
    return float(margins.sum() / m + reg * np.sum(W * W)), counts @ X.T / m + 2 * reg * W


def softmax_loss_loops(W, X, y, reg):
    """Softmax (cross-entropy) loss and gradient with explicit loops.  Returns (loss, dW: (K, n_x))."""
    W, X, y = _check(W, X, y)
    K, m = W.shape[0], X.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(m):
        s = W @ X[:, i]                                         # (K,)
        s = s - s.max()
        log_sum = np.log(np.sum(np.exp(s)))
        loss += log_sum - s[y[i]]
        for j in range(K):
            p_j = np.exp(s[j] - log_sum)
            dW[j] += (p_j - (j == y[i])) * X[:, i]
    return float(loss / m + reg * np.sum(W * W)), dW / m + 2 * reg * W


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax (cross-entropy) loss and gradient without loops.  Returns (loss, dW: (K, n_x))."""
    W, X, y = _check(W, X, y)
    m = X.shape[1]
    cols = np.arange(m)
    S = W @ X                                                   # (K, m)
    S = S - S.max(axis=0, keepdims=True)
    log_P = S - np.log(np.exp(S).sum(axis=0, keepdims=True))    # (K, m), log softmax of each column
    dS = np.exp(log_P)
    dS[y, cols] -= 1                                            # P - one_hot(y)
    return float(-log_P[y, cols].sum() / m + reg * np.sum(W * W)), dS @ X.T / m + 2 * reg * W


def train_linear_classifier(X, y, loss="svm", learning_rate=1e-3, reg=1e-5, num_iters=1000, batch_size=200,
                            seed=0, callback=None, W=None):
    """Mini-batch SGD on the SVM or softmax loss: W := W - learning_rate * dW.

    X: (n_x + 1, m) already holding the bias row, y: (m,) ints.  Each batch
    draws batch_size examples with replacement from np.random.default_rng(seed),
    which also draws the initial W = 0.001 * standard normal (K, n_x + 1),
    K = max label + 1, unless W is given (it is not modified).
    callback(iteration, loss) is called every iteration if given.
    Returns (W, loss_history), a list of the num_iters batch losses.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss is {loss!r}, expected one of {LOSSES}")
    X = as_array("X", X)
    m = check_shape("X", X, ("n_x", "m"))["m"]
    rng = np.random.default_rng(seed)
    if W is None:
        y = _as_labels("y", y, m)
        W = 0.001 * rng.standard_normal((int(y.max()) + 1, X.shape[0])).astype(X.dtype)
    W, X, y = _check(W, X, y)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size is {batch_size!r}, expected a positive int")
    loss_fn = svm_loss_vectorized if loss == "svm" else softmax_loss_vectorized
    history = []
    for it in range(num_iters):
        batch = rng.integers(0, m, size=batch_size)             # with replacement
        value, dW = loss_fn(W, X[:, batch], y[batch], reg)
        W = W - learning_rate * dW
        history.append(value)
        if callback is not None:
            callback(it, value)
    return W, history


def predict_linear(W, X):
    """Class of each example: argmax over the K scores of W X.  W: (K, n_x), X: (n_x, m).  Returns (m,) int64."""
    W, X = as_array("W", W), as_array("X", X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("W", W, ("K", "n_x"), dims)
    return np.argmax(W @ X, axis=0)
