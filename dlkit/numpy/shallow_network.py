"""Chapter 3, a two-layer network for binary classification, in the notes' layout.

X is (n_x, m), Y is (1, m) of 0/1.  One hidden layer of n_h tanh units and a
sigmoid output unit:

    Z1 = W1 X + b1      (n_h, m)        A1 = tanh(Z1)
    Z2 = W2 A1 + b2     (1, m)          A2 = sigmoid(Z2)
    J  = -(1/m) sum_i [ y(i) log a2(i) + (1 - y(i)) log(1 - a2(i)) ]

and backpropagation, layer by layer from the output:

    dZ2 = A2 - Y                       dW2 = (1/m) dZ2 A1^T    db2 = (1/m) sum_i dZ2
    dZ1 = W2^T dZ2 * (1 - A1^2)        dW1 = (1/m) dZ1 X^T     db1 = (1/m) sum_i dZ1

Parameters are {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.activations import tanh
from dlkit.numpy.basics import sigmoid


def layer_sizes(X, Y, n_h=4):
    """The sizes (n_x, n_h, n_y) of the input, hidden and output layers.

    X: (n_x, m), Y: (n_y, m).

    >>> layer_sizes(np.zeros((5, 3)), np.zeros((2, 3)))
    (5, 4, 2)
    """
    X, Y = as_array("X", X), as_array("Y", Y)
    dims = check_shape("X", X, ("n_x", "m"))
    check_shape("Y", Y, ("n_y", "m"), dims)
    return X.shape[0], int(n_h), Y.shape[0]


def initialize_parameters(n_x, n_h, n_y, seed=2, scale=0.01):
    """W1, W2 drawn from N(0, scale^2) with ``np.random.default_rng(seed)``, b1, b2 zeros.

    Small random weights break the symmetry between hidden units (with W = 0
    every hidden unit computes the same function and receives the same
    update, forever) and keep tanh away from its flat tails.
    Returns {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}.
    """
    rng = np.random.default_rng(seed)
    return {
        "W1": scale * rng.standard_normal((n_h, n_x)),
        "b1": np.zeros((n_h, 1)),
        "W2": scale * rng.standard_normal((n_y, n_h)),
        "b2": np.zeros((n_y, 1)),
    }


def _check_parameters(X, parameters):
    X = as_array("X", X)
    dims = check_shape("X", X, ("n_x", "m"))
    W1, b1, W2, b2 = (as_array(k, parameters[k]) for k in ("W1", "b1", "W2", "b2"))
    check_shape("W1", W1, ("n_h", "n_x"), dims)
    check_shape("b1", b1, ("n_h", 1), dims)
    check_shape("W2", W2, ("n_y", "n_h"), dims)
    check_shape("b2", b2, ("n_y", 1), dims)
    return X, W1, b1, W2, b2, dims


def forward_propagation(X, parameters):
    """Z1 = W1 X + b1, A1 = tanh(Z1), Z2 = W2 A1 + b2, A2 = sigmoid(Z2).

    X: (n_x, m).  Returns (A2, cache) with A2: (n_y, m) and
    cache = {"Z1", "A1", "Z2", "A2"} for the backward pass.
    """
    X, W1, b1, W2, b2, _ = _check_parameters(X, parameters)
    Z1 = W1 @ X + b1                                   # (n_h, m)
    A1 = tanh(Z1)
    Z2 = W2 @ A1 + b2                                  # (n_y, m)
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def compute_cost(A2, Y):
    """Cross-entropy of the predicted probabilities A2 against labels Y, both (1, m).

    J = -(1/m) sum_i [ y log a + (1 - y) log(1 - a) ].  Returns a float.

    >>> round(compute_cost(np.array([[0.8, 0.1]]), np.array([[1, 0]])), 6)
    0.164252
    """
    A2, Y = as_array("A2", A2), as_array("Y", Y)
    dims = check_shape("A2", A2, (1, "m"))
    check_shape("Y", Y, (1, "m"), dims)
    m = Y.shape[1]
    # y log a with 0 log 0 = 0: a sure and right prediction (a = y = 1) costs 0, not nan; a sure and
    # wrong one costs inf
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(Y > 0, Y * np.log(A2), 0.0) + np.where(Y < 1, (1 - Y) * np.log(1 - A2), 0.0)
    return float(-np.sum(terms) / m)


def backward_propagation(parameters, cache, X, Y):
    """Gradients of the cost with respect to W1, b1, W2, b2 (see the module's formulas).

    cache: from :func:`forward_propagation` on X.  Y: (n_y, m).
    Returns {"dW1", "db1", "dW2", "db2"}, each of its parameter's shape.
    """
    X, W1, b1, W2, b2, dims = _check_parameters(X, parameters)
    Y = as_array("Y", Y)
    check_shape("Y", Y, ("n_y", "m"), dims)
    A1, A2 = cache["A1"], cache["A2"]
    check_shape("cache['A1']", A1, ("n_h", "m"), dims)
    check_shape("cache['A2']", A2, ("n_y", "m"), dims)
    m = X.shape[1]
    dZ2 = A2 - Y                                       # (n_y, m)
    dW2 = dZ2 @ A1.T / m                               # (n_y, n_h)
    db2 = dZ2.sum(axis=1, keepdims=True) / m           # (n_y, 1)
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)                 # (n_h, m), tanh' = 1 - A1^2
    dW1 = dZ1 @ X.T / m                                # (n_h, n_x)
    db1 = dZ1.sum(axis=1, keepdims=True) / m           # (n_h, 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate=1.2):
    """One gradient-descent step on every parameter: p := p - learning_rate * dp.

    parameters: {"W1", "b1", ...}; grads: {"dW1", "db1", ...} with the same
    shapes.  Works for any number of layers.  Returns a new dict; the inputs
    are not modified.
    """
    updated = {}
    for key, p in parameters.items():
        if "d" + key not in grads:
            raise ValueError(f"grads has no 'd{key}' for parameter {key!r}")
        p, dp = as_array(key, p), as_array("d" + key, grads["d" + key])
        check_shape("d" + key, dp, p.shape)
        updated[key] = p - learning_rate * dp
    return updated


def nn_model(X, Y, n_h, num_iterations=10000, learning_rate=1.2, seed=3, record_every=1000, callback=None):
    """Train the two-layer network by batch gradient descent.

    X: (n_x, m), Y: (1, m).  Parameters start from
    ``initialize_parameters(n_x, n_h, n_y, seed)``; the cost is recorded
    before the update of every ``record_every``-th iteration and passed to
    ``callback(i, cost)`` when given.  Returns (parameters, costs).
    """
    n_x, n_h, n_y = layer_sizes(X, Y, n_h)
    parameters = initialize_parameters(n_x, n_h, n_y, seed)
    costs = []
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        if i % record_every == 0:
            costs.append(compute_cost(A2, Y))
            if callback is not None:
                callback(i, costs[-1])
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def predict(parameters, X):
    """Label 1 where the network's output A2 > 0.5, else 0.  X: (n_x, m); returns (n_y, m)."""
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(A2.dtype)
