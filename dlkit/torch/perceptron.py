"""Chapter 3 in PyTorch: twins of :mod:`dlkit.numpy.perceptron` (the step function has no gradient to learn from)."""

import torch

from dlkit._shapes import check_shape
from dlkit.torch._tensors import as_tensor


def perceptron_predict(w, b, X):
    """1 where w^T X + b > 0, else 0.  w: (n_x, 1), b: scalar, X: (n_x, m).  Returns (1, m) in X's dtype."""
    X = as_tensor("X", X)
    w = as_tensor("w", w, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("w", w, ("n_x", 1), dims)
    return (w.T @ X + float(b) > 0).to(X.dtype)


def perceptron_train(X, Y, learning_rate=1.0, max_epochs=100):
    """The perceptron rule from zeros, examples in order.  Returns (w, b, errors) as in NumPy; b a float."""
    X = as_tensor("X", X)
    Y = as_tensor("Y", Y, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("Y", Y, (1, "m"), dims)
    w, b = torch.zeros(X.shape[0], 1, dtype=X.dtype, device=X.device), 0.0
    errors = []
    for _ in range(max_epochs):
        mistakes = 0
        for i in range(X.shape[1]):
            x, y = X[:, i:i + 1], float(Y[0, i])              # (n_x, 1), a label
            y_hat = float((w.T @ x).item() + b > 0)
            if y_hat != y:
                w = w + learning_rate * (y - y_hat) * x
                b = b + learning_rate * (y - y_hat)
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, float(b), errors
