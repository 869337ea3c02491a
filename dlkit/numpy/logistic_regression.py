"""Chapter 2, logistic regression as a one-neuron network, in the notes' layout.

X is (n_x, m) with one example per column, Y is (1, m) with labels 0 or 1,
w is (n_x, 1) and b a scalar.  The model and its cost:

    A = sigmoid(w^T X + b)                               (1, m)
    J = -(1/m) sum_i [ y(i) log a(i) + (1 - y(i)) log(1 - a(i)) ]

and the gradients that gradient descent follows:

    dw = (1/m) X (A - Y)^T        (n_x, 1)
    db = (1/m) sum_i (a(i) - y(i))
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.basics import sigmoid


def initialize_with_zeros(dim, dtype=np.float64):
    """w = 0 of shape (dim, 1) and b = 0.0.

    Zeros are fine for logistic regression (a single neuron has no symmetry
    to break).  Returns (w, b).

    >>> w, b = initialize_with_zeros(2)
    >>> w.shape, b
    ((2, 1), 0.0)
    """
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim is {dim!r}, expected a positive int")
    return np.zeros((int(dim), 1), dtype=dtype), 0.0


def _check_inputs(w, b, X, Y=None):
    w, X = as_array("w", w), as_array("X", X)
    b = as_array("b", b)
    check_shape("b", b, ())
    b = float(b)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("w", w, ("n_x", 1), dims)
    if Y is None:
        return w, b, X
    Y = as_array("Y", Y)
    check_shape("Y", Y, (1, "m"), dims)
    return w, b, X, Y


def propagate(w, b, X, Y):
    """Cost and gradients of logistic regression, forward then backward.

    w: (n_x, 1), b: scalar, X: (n_x, m), Y: (1, m).
    Returns (grads, cost) with grads = {"dw": (n_x, 1), "db": float}.
    The cost uses log(1 - a) computed as log(sigmoid(-z)), so it stays finite
    when a rounds to 0 or 1.

    >>> grads, cost = propagate(np.array([[1.0], [2.0]]), 2.0,
    ...                         np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]),
    ...                         np.array([[1, 0, 1]]))
    >>> round(cost, 6), grads["dw"].round(6).ravel().tolist(), round(grads["db"], 6)
    (5.801545, [0.998456, 2.395072], 0.001456)
    """
    w, b, X, Y = _check_inputs(w, b, X, Y)
    m = X.shape[1]
    Z = w.T @ X + b                                    # (1, m)
    A = sigmoid(Z)                                     # (1, m)
    # log a = -log(1 + e^-z) and log(1 - a) = -log(1 + e^z), computed stably
    log_A, log_1mA = -np.logaddexp(0.0, -Z), -np.logaddexp(0.0, Z)
    cost = float(-np.sum(Y * log_A + (1 - Y) * log_1mA) / m)
    dZ = A - Y                                         # (1, m)
    dw = X @ dZ.T / m                                  # (n_x, 1)
    db = float(np.sum(dZ) / m)
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, record_every=100, callback=None):
    """Gradient descent on the logistic cost: w := w - alpha dw, b := b - alpha db.

    w: (n_x, 1), b: scalar, X: (n_x, m), Y: (1, m).  The cost is recorded
    before the update of every ``record_every``-th iteration (0, 100, ...);
    ``callback(i, cost)``, when given, is called with each recorded cost (for
    a progress display: :func:`dlkit.progress.print_cost`).
    Returns (params, grads, costs): params = {"w", "b"}, the last grads, and
    the list of recorded costs.  The inputs are not modified.
    """
    w, b, X, Y = _check_inputs(w, b, X, Y)
    w = w.copy()
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % record_every == 0:
            costs.append(cost)
            if callback is not None:
                callback(i, cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """Label 1 where sigmoid(w^T X + b) > 0.5, else 0.

    w: (n_x, 1), b: scalar, X: (n_x, m).  Returns Y_prediction: (1, m), float 0./1.
    """
    w, b, X = _check_inputs(w, b, X)
    A = sigmoid(w.T @ X + b)                           # (1, m)
    return (A > 0.5).astype(X.dtype)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, record_every=100, callback=None):
    """Logistic regression from zeros: initialize, optimize, predict.

    X_train: (n_x, m_train), Y_train: (1, m_train), X_test: (n_x, m_test),
    Y_test: (1, m_test).  Returns a dict with "costs", "w", "b",
    "Y_prediction_train", "Y_prediction_test", "train_accuracy" and
    "test_accuracy" (fractions in [0, 1]), "learning_rate", "num_iterations".
    """
    X_train, Y_train = as_array("X_train", X_train), as_array("Y_train", Y_train)
    X_test, Y_test = as_array("X_test", X_test), as_array("Y_test", Y_test)
    dims = check_shape("X_train", X_train, ("n_x", "m_train"))
    check_shape("Y_train", Y_train, (1, "m_train"), dims)
    check_shape("X_test", X_test, ("n_x", "m_test"), dims)
    check_shape("Y_test", Y_test, (1, "m_test"), dims)
    w, b = initialize_with_zeros(X_train.shape[0], dtype=X_train.dtype)
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, record_every, callback)
    w, b = params["w"], params["b"]
    Y_prediction_train = predict(w, b, X_train)
    Y_prediction_test = predict(w, b, X_test)
    return {
        "costs": costs,
        "w": w,
        "b": b,
        "Y_prediction_train": Y_prediction_train,
        "Y_prediction_test": Y_prediction_test,
        "train_accuracy": float(np.mean(Y_prediction_train == Y_train)),
        "test_accuracy": float(np.mean(Y_prediction_test == Y_test)),
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }
