"""Chapter 3, the perceptron: a neuron with a step activation, and its learning rule.

X is (n_x, m) with one example per column, Y is (1, m) with labels 0 or 1,
w is (n_x, 1) and b a scalar.  The perceptron predicts

    y_hat = 1 if w^T x + b > 0 else 0

and learns one example at a time: w := w + alpha (y - y_hat) x,
b := b + alpha (y - y_hat), which changes nothing when the prediction is right.
On linearly separable data (AND, OR, NAND) it stops after finitely many
mistakes; on XOR it never does.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array


def perceptron_predict(w, b, X):
    """Step-activation predictions: 1 where w^T X + b > 0, else 0.

    w: (n_x, 1), b: scalar, X: (n_x, m).  Returns (1, m) in X's dtype.

    >>> perceptron_predict(np.array([[1.0], [1.0]]), -1.5, np.array([[0, 0, 1, 1], [0, 1, 0, 1]]))
    array([[0., 0., 0., 1.]])
    """
    X, w = as_array("X", X), as_array("w", w)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("w", w, ("n_x", 1), dims)
    return (w.T @ X + float(b) > 0).astype(X.dtype)


def perceptron_train(X, Y, learning_rate=1.0, max_epochs=100):
    """The perceptron learning rule, from w = 0, b = 0, over the examples in order.

    X: (n_x, m), Y: (1, m) of 0/1.  An epoch visits every example once and
    updates after each mistake; training stops after the first epoch without
    one, or after ``max_epochs``.  Returns (w, b, errors), where errors[e] is
    the number of mistakes made during epoch e (its last entry is 0 when the
    data were separated).
    """
    X, Y = as_array("X", X), as_array("Y", Y)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("Y", Y, (1, "m"), dims)
    w, b = np.zeros((X.shape[0], 1), dtype=X.dtype), 0.0
    errors = []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(X.shape[1]):
            x = X[:, i:i + 1]                                # (n_x, 1)
            y_hat = float((w.T @ x).item() + b > 0)
            if y_hat != Y[0, i]:
                w = w + learning_rate * (Y[0, i] - y_hat) * x
                b = b + learning_rate * (Y[0, i] - y_hat)
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), errors
