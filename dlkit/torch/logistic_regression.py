"""Chapter 2 in PyTorch: twins of :mod:`dlkit.numpy.logistic_regression`.

Same layout (X: (n_x, m), Y: (1, m), w: (n_x, 1), b scalar); the gradients
come from autograd instead of the hand-derived dw = X (A - Y)^T / m.
"""

import torch
import torch.nn.functional as F

from dlkit._shapes import check_shape
from dlkit.torch._tensors import as_tensor


def initialize_with_zeros(dim, dtype=torch.float64, device=None):
    """w = 0 of shape (dim, 1) and b = 0-d zero tensor, on ``device``.  Returns (w, b)."""
    if not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim is {dim!r}, expected a positive int")
    return torch.zeros(dim, 1, dtype=dtype, device=device), torch.zeros((), dtype=dtype, device=device)


def _check_inputs(w, b, X, Y=None):
    X = as_tensor("X", X)
    w, b = as_tensor("w", w, like=X), as_tensor("b", b, like=X)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("w", w, ("n_x", 1), dims)
    check_shape("b", b, ())
    if Y is None:
        return w, b, X
    Y = as_tensor("Y", Y, like=X)
    check_shape("Y", Y, (1, "m"), dims)
    return w, b, X, Y


def _cost(w, b, X, Y):
    Z = w.T @ X + b                                            # (1, m)
    return F.binary_cross_entropy_with_logits(Z, Y, reduction="mean")


def propagate(w, b, X, Y):
    """Cost and gradients by autograd.  Returns ({"dw": (n_x, 1), "db": 0-d}, cost).

    The returned tensors are detached: the inputs' own ``.grad`` is untouched.
    """
    w, b, X, Y = _check_inputs(w, b, X, Y)
    w, b = w.detach().requires_grad_(True), b.detach().requires_grad_(True)
    with torch.enable_grad():
        cost = _cost(w, b, X, Y)
        dw, db = torch.autograd.grad(cost, (w, b))
    return {"dw": dw, "db": db}, cost.detach()


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, record_every=100, callback=None):
    """Gradient descent with autograd's gradients.  Returns (params, grads, costs) as in NumPy;
    costs is a list of Python floats."""
    w, b, X, Y = _check_inputs(w, b, X, Y)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % record_every == 0:
            costs.append(float(cost))
            if callback is not None:
                callback(i, float(cost))
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """1 where sigmoid(w^T X + b) > 0.5, else 0.  Returns (1, m) in X's dtype."""
    w, b, X = _check_inputs(w, b, X)
    return (torch.sigmoid(w.T @ X + b) > 0.5).to(X.dtype)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, record_every=100, callback=None):
    """Logistic regression from zeros on X's device; the same dict as the NumPy model."""
    X_train = as_tensor("X_train", X_train)
    Y_train, X_test, Y_test = (as_tensor(n, t, like=X_train) for n, t in
                               (("Y_train", Y_train), ("X_test", X_test), ("Y_test", Y_test)))
    dims = check_shape("X_train", X_train, ("n_x", "m_train"))
    check_shape("Y_train", Y_train, (1, "m_train"), dims)
    check_shape("X_test", X_test, ("n_x", "m_test"), dims)
    check_shape("Y_test", Y_test, (1, "m_test"), dims)
    w, b = initialize_with_zeros(X_train.shape[0], dtype=X_train.dtype, device=X_train.device)
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, record_every, callback)
    w, b = params["w"], params["b"]
    Y_prediction_train, Y_prediction_test = predict(w, b, X_train), predict(w, b, X_test)
    return {
        "costs": costs,
        "w": w,
        "b": b,
        "Y_prediction_train": Y_prediction_train,
        "Y_prediction_test": Y_prediction_test,
        "train_accuracy": float((Y_prediction_train == Y_train).to(X_train.dtype).mean()),
        "test_accuracy": float((Y_prediction_test == Y_test).to(X_train.dtype).mean()),
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }
