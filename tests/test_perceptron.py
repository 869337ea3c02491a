"""Chapter 3: the perceptron learns AND, OR and NAND, never XOR, and two layers of them compute XOR."""

import numpy as np
import pytest

from dlkit.numpy.perceptron import perceptron_predict, perceptron_train

X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0]}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_the_rule_learns_each_linearly_separable_gate(gate):
    Y = np.array([GATES[gate]], dtype=float)
    w, b, errors = perceptron_train(X, Y)
    assert errors[-1] == 0 and len(errors) < 100
    np.testing.assert_array_equal(perceptron_predict(w, b, X), Y)


def test_xor_is_never_learned():
    w, b, errors = perceptron_train(X, np.array([[0, 1, 1, 0]], dtype=float), max_epochs=200)
    assert len(errors) == 200 and min(errors) > 0


def test_two_layers_of_perceptrons_compute_xor():
    """XOR(x1, x2) = AND(OR(x1, x2), NAND(x1, x2)), with weights learned by the rule."""
    layer = {g: perceptron_train(X, np.array([GATES[g]], dtype=float))[:2] for g in GATES}
    hidden = np.vstack([perceptron_predict(*layer["OR"], X), perceptron_predict(*layer["NAND"], X)])
    np.testing.assert_array_equal(perceptron_predict(*layer["AND"], hidden), [[0, 1, 1, 0]])


def test_hand_set_weights_and_the_strict_threshold():
    assert perceptron_predict(np.array([[1.0], [1.0]]), -1.0, np.array([[1.0], [0.0]]))[0, 0] == 0  # z = 0: not > 0


def test_learning_rate_and_mistake_counts():
    Y = np.array([GATES["AND"]], dtype=float)
    w, b, errors = perceptron_train(X, Y, learning_rate=0.5)
    assert sum(errors) > 0 and errors[-1] == 0
    # every update moves w by alpha times an input (entries 0 or 1): w stays on the 0.5 grid
    np.testing.assert_array_equal(w * 2, np.round(w * 2))


def test_bad_labels_shape():
    with pytest.raises(ValueError, match=r"Y has shape \(4,\), expected \(1, m\) = \(1, 4\)"):
        perceptron_train(X, np.zeros(4))
