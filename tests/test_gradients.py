"""Every hand-written NumPy gradient passes a two-sided finite-difference check (float64, < 1e-7)."""

import numpy as np
import pytest

from dlkit.numpy.basics import sigmoid, sigmoid_derivative
from dlkit.numpy.computation_graph import computation_graph_backward, computation_graph_forward
from dlkit.numpy.logistic_regression import propagate
from dlkit.testing import gradient_check
from helpers import hand_written_gradients

TOL = 1e-7


def check_sigmoid_derivative(rng):
    # |z| of a few units: where s'(z) is tiny, the roundoff of the summed f dominates its relative error
    z = 2 * rng.standard_normal((3, 4))
    gradient_check(lambda z: float(np.sum(sigmoid(z))), z, sigmoid_derivative(z), tol=TOL, name="ds")


def check_computation_graph_backward(rng):
    a, b, c = (rng.standard_normal((2, 3)) for _ in range(3))
    J, cache = computation_graph_forward(a, b, c)
    dJ = rng.standard_normal(J.shape)
    grads = computation_graph_backward(dJ, cache)
    inputs = [a, b, c]
    for i, (name, g) in enumerate(zip("abc", grads)):
        def loss(x, i=i):
            args = list(inputs)
            args[i] = x
            return float(np.sum(computation_graph_forward(*args)[0] * dJ))
        gradient_check(loss, inputs[i].copy(), g, tol=TOL, name="d" + name)


def check_propagate(rng):
    w, X = rng.standard_normal((4, 1)), rng.standard_normal((4, 9))
    b, Y = 0.7, (rng.random((1, 9)) < 0.5).astype(float)
    grads, _ = propagate(w, b, X, Y)
    gradient_check(lambda w: propagate(w, b, X, Y)[1], w, grads["dw"], tol=TOL, name="dw")
    gradient_check(lambda b: propagate(w, float(b[0]), X, Y)[1], np.array([b]), np.array([grads["db"]]), tol=TOL, name="db")


CHECKS = {
    "basics.sigmoid_derivative": check_sigmoid_derivative,
    "computation_graph.computation_graph_backward": check_computation_graph_backward,
    "logistic_regression.propagate": check_propagate,
}


def test_every_hand_written_gradient_has_a_check():
    missing = set(hand_written_gradients()) - set(CHECKS)
    assert not missing, f"add gradient checks for {sorted(missing)}"


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_gradient(key, rng):
    CHECKS[key](rng)


def test_the_check_catches_a_wrong_gradient(rng):
    z = rng.standard_normal(5)
    with pytest.raises(AssertionError, match="fails the gradient check"):
        gradient_check(lambda z: float(np.sum(sigmoid(z))), z, sigmoid(z), name="ds")
