"""Chapter 5, gradient checking: compare backpropagation with two-sided differences on all parameters.

Flatten the parameters into one vector theta, nudge each entry by +-epsilon,
and compare

    dtheta_approx[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)

with the backpropagated gradient through

    difference = ||grad - grad_approx||_2 / (||grad||_2 + ||grad_approx||_2).

With eps = 1e-7 in float64, a difference below about 1e-7 means the
gradient is right, above 1e-3 that it is wrong.  Practical rules: check at a
few points only (it costs two forward passes per parameter), turn dropout
off, and include the regularization term in J if it is in the gradient.
"""

import numpy as np

from dlkit.numpy._arrays import as_array
from dlkit.numpy.deep_network import L_model_forward, compute_cost


def dictionary_to_vector(parameters):
    """Stack every parameter, in the dict's order and each in C order, into one column.

    Returns (theta, shapes): theta (N, 1) and shapes {key: shape} to undo it
    with :func:`vector_to_dictionary`.

    >>> theta, shapes = dictionary_to_vector({"W1": np.array([[1.0, 2.0]]), "b1": np.array([[3.0]])})
    >>> theta.ravel().tolist(), shapes
    ([1.0, 2.0, 3.0], {'W1': (1, 2), 'b1': (1, 1)})
    """
    arrays = {k: as_array(k, v) for k, v in parameters.items()}
    if not arrays:
        raise ValueError("parameters is empty")
    theta = np.concatenate([a.reshape(-1) for a in arrays.values()]).reshape(-1, 1)
    return theta, {k: a.shape for k, a in arrays.items()}


def vector_to_dictionary(theta, shapes):
    """The inverse of :func:`dictionary_to_vector`: split theta (N, 1) into arrays of ``shapes``."""
    theta = as_array("theta", theta)
    sizes = [int(np.prod(s)) for s in shapes.values()]
    if theta.shape != (sum(sizes), 1):
        raise ValueError(f"theta has shape {theta.shape}, expected ({sum(sizes)}, 1) for the shapes {shapes}")
    parts = np.split(theta.reshape(-1), np.cumsum(sizes)[:-1])
    return {k: p.reshape(s) for (k, s), p in zip(shapes.items(), parts)}


def gradients_to_vector(gradients, shapes):
    """Stack gradients["d" + key] for every key of ``shapes``, in that order, into one (N, 1) column."""
    missing = [f"d{k}" for k in shapes if f"d{k}" not in gradients]
    if missing:
        raise ValueError(f"gradients has no {missing}")
    for k, s in shapes.items():
        if np.shape(gradients[f"d{k}"]) != tuple(s):
            raise ValueError(f"d{k} has shape {np.shape(gradients[f'd{k}'])}, expected {tuple(s)}")
    return dictionary_to_vector({k: gradients[f"d{k}"] for k in shapes})[0]


def _cross_entropy(parameters, X, Y):
    return compute_cost(L_model_forward(X, parameters)[0], Y)


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, cost_function=None):
    """The relative difference between backprop's ``gradients`` and two-sided differences of the cost.

    parameters: {"W1", "b1", ...}; gradients: {"dW1", "db1", ...} (extra keys
    such as "dA0" are ignored).  cost_function(parameters, X, Y) -> float is
    the cost that ``gradients`` differentiate; by default the cross-entropy
    of :func:`dlkit.numpy.deep_network.L_model_forward`.  Returns a float.
    """
    cost_function = cost_function or _cross_entropy
    theta, shapes = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients, shapes)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        approx[i] = (cost_function(vector_to_dictionary(plus, shapes), X, Y)
                     - cost_function(vector_to_dictionary(minus, shapes), X, Y)) / (2 * epsilon)
    denominator = np.linalg.norm(grad) + np.linalg.norm(approx)
    return float(np.linalg.norm(grad - approx) / denominator) if denominator > 0 else 0.0
