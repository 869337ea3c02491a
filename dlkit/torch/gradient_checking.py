"""Chapter 5 in PyTorch: twins of :mod:`dlkit.numpy.gradient_checking`.

gradient_check_n compares the given gradients with two-sided differences of
the cost, as in NumPy; in float64 it is the same check.  (In float32 the
differences are useless: epsilon = 1e-7 is below the float32 resolution.)
"""

import torch

from dlkit.torch._tensors import as_tensor
from dlkit.torch.deep_network import L_model_forward, compute_cost


def dictionary_to_vector(parameters):
    """(theta (N, 1), shapes {key: shape}): every parameter flattened in C order, in the dict's order."""
    tensors = {k: as_tensor(k, v) for k, v in parameters.items()}
    if not tensors:
        raise ValueError("parameters is empty")
    theta = torch.cat([t.reshape(-1) for t in tensors.values()]).reshape(-1, 1)
    return theta, {k: tuple(t.shape) for k, t in tensors.items()}


def vector_to_dictionary(theta, shapes):
    """Split theta (N, 1) back into tensors of ``shapes``."""
    theta = as_tensor("theta", theta)
    sizes = [int(torch.Size(s).numel()) for s in shapes.values()]
    if tuple(theta.shape) != (sum(sizes), 1):
        raise ValueError(f"theta has shape {tuple(theta.shape)}, expected ({sum(sizes)}, 1) for the shapes {shapes}")
    parts = torch.split(theta.reshape(-1), sizes)
    return {k: p.reshape(s) for (k, s), p in zip(shapes.items(), parts)}


def gradients_to_vector(gradients, shapes):
    """gradients["d" + key] for every key of ``shapes``, stacked into one (N, 1) column."""
    missing = [f"d{k}" for k in shapes if f"d{k}" not in gradients]
    if missing:
        raise ValueError(f"gradients has no {missing}")
    for k, s in shapes.items():
        if tuple(gradients[f"d{k}"].shape) != tuple(s):
            raise ValueError(f"d{k} has shape {tuple(gradients[f'd{k}'].shape)}, expected {tuple(s)}")
    return dictionary_to_vector({k: gradients[f"d{k}"] for k in shapes})[0]


def _cross_entropy(parameters, X, Y):
    return compute_cost(L_model_forward(X, parameters)[0], Y)


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, cost_function=None):
    """||grad - grad_approx|| / (||grad|| + ||grad_approx||) with two-sided differences.  A float."""
    cost_function = cost_function or _cross_entropy
    theta, shapes = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients, shapes)
    approx = torch.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.clone(), theta.clone()
        plus[i] += epsilon
        minus[i] -= epsilon
        approx[i] = (cost_function(vector_to_dictionary(plus, shapes), X, Y)
                     - cost_function(vector_to_dictionary(minus, shapes), X, Y)) / (2 * epsilon)
    denominator = torch.linalg.vector_norm(grad) + torch.linalg.vector_norm(approx)
    return float(torch.linalg.vector_norm(grad - approx) / denominator) if denominator > 0 else 0.0
