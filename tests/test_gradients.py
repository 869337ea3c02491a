"""Every hand-written NumPy gradient passes a two-sided finite-difference check (float64, < 1e-7)."""

import numpy as np
import pytest

from dlkit.numpy import activations as act
from dlkit.numpy import batch_norm as bn
from dlkit.numpy import convolution as cv
from dlkit.numpy import deep_network as dn
from dlkit.numpy import glove
from dlkit.numpy import linear_classifier as lc
from dlkit.numpy import regularization as reg
from dlkit.numpy import rnn
from dlkit.numpy import sentiment as snt
from dlkit.numpy import shallow_network as sn
from dlkit.numpy import softmax_regression as smr
from dlkit.numpy.basics import sigmoid, sigmoid_derivative, softmax
from dlkit.numpy.computation_graph import computation_graph_backward, computation_graph_forward
from dlkit.numpy.logistic_regression import propagate
from dlkit.testing import gradient_check
from helpers import hand_written_gradients, rnn_parameters
from test_word2vec import GRADIENT_CHECKS as WORD2VEC_CHECKS

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


def _away_from_kinks(rng, shape=(3, 4)):
    """Random z with no entry within 0.01 of 0, where finite differences would straddle a kink."""
    z = rng.standard_normal(shape)
    return np.where(np.abs(z) < 0.01, 0.5, z)


def _check_elementwise(forward, derivative):
    def check(rng):
        z = _away_from_kinks(rng)
        gradient_check(lambda z: float(np.sum(forward(z))), z, derivative(z), tol=TOL, name="dz")
    return check


def _check_vjp(forward, inputs, grads, dout, names):
    """grads[i] is the gradient of sum(forward(*inputs) * dout) with respect to inputs[i]."""
    for i, (name, g) in enumerate(zip(names, grads)):
        def loss(x, i=i):
            args = list(inputs)
            args[i] = x
            return float(np.sum(forward(*args) * dout))
        gradient_check(loss, inputs[i].copy(), g, tol=TOL, name=name)


def check_prelu_backward(rng):
    z, a = _away_from_kinks(rng), rng.random((3, 1))
    dA = rng.standard_normal(z.shape)
    _check_vjp(act.prelu, [z, a], act.prelu_backward(dA, z, a), dA, ["dz", "da"])


def check_maxout_backward(rng):
    inputs = [rng.standard_normal((3, 5)), rng.standard_normal((3, 4, 3)), rng.standard_normal((3, 4, 1))]
    A, cache = act.maxout_forward(*inputs)
    dA = rng.standard_normal(A.shape)
    _check_vjp(lambda *x: act.maxout_forward(*x)[0], inputs, act.maxout_backward(dA, cache), dA,
               ["dA_prev", "dW", "db"])


def check_softmax_backward(rng):
    z, dS = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    _check_vjp(lambda z: softmax(z, axis=0), [z], [act.softmax_backward(dS, softmax(z, axis=0), axis=0)], dS, ["dz"])


def check_linear_backward(rng):
    inputs = [rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))]
    Z, cache = dn.linear_forward(*inputs)
    dZ = rng.standard_normal(Z.shape)
    dA_prev, dW, db = dn.linear_backward(dZ, cache)
    m = inputs[0].shape[1]
    # the notes' convention: dW and db carry the 1/m of the cost, dA_prev does not
    _check_vjp(lambda *x: dn.linear_forward(*x)[0], inputs, [dA_prev, m * dW, m * db], dZ, ["dA_prev", "dW", "db"])


def check_linear_activation_backward(rng):
    for activation in ("relu", "sigmoid", "tanh"):
        inputs = [rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))]
        A, cache = dn.linear_activation_forward(*inputs, activation)
        dA = rng.standard_normal(A.shape)
        dA_prev, dW, db = dn.linear_activation_backward(dA, cache, activation)
        m = inputs[0].shape[1]
        _check_vjp(lambda *x: dn.linear_activation_forward(*x, activation)[0], inputs, [dA_prev, m * dW, m * db],
                   dA, [f"dA_prev ({activation})", f"dW ({activation})", f"db ({activation})"])


def _small_network(rng, layer_dims=(5, 4, 3, 1), m=7):
    """X, Y and parameters with O(1) pre-activations (a saturated sigmoid leaves only roundoff to check)."""
    X, Y = rng.standard_normal((layer_dims[0], m)), (rng.random((1, m)) < 0.5).astype(float)
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) / np.sqrt(layer_dims[l - 1])
        params[f"b{l}"] = 0.5 * rng.standard_normal((layer_dims[l], 1))
    return X, Y, params


def check_L_model_backward(rng):
    X, Y, params = _small_network(rng, (5, 4, 4, 3, 1))
    m = X.shape[1]
    AL, caches = dn.L_model_forward(X, params)
    grads = dn.L_model_backward(AL, Y, caches)

    def cost(**changed):
        return dn.compute_cost(dn.L_model_forward(changed.pop("X", X), {**params, **changed})[0], Y)

    for key, p in params.items():
        gradient_check(lambda p, key=key: cost(**{key: p}), p.copy(), grads["d" + key], tol=TOL, name="d" + key)
    gradient_check(lambda x: m * cost(X=x), X.copy(), grads["dA0"], tol=TOL, name="dA0 (m dJ/dX)")


def check_backward_propagation(rng):
    X, Y = rng.standard_normal((3, 8)), (rng.random((1, 8)) < 0.5).astype(float)
    params = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal((4, 1)),
              "W2": rng.standard_normal((1, 4)), "b2": rng.standard_normal((1, 1))}
    _, cache = sn.forward_propagation(X, params)
    grads = sn.backward_propagation(params, cache, X, Y)
    for key, p in params.items():
        gradient_check(lambda p, key=key: sn.compute_cost(sn.forward_propagation(X, {**params, key: p})[0], Y),
                       p.copy(), grads["d" + key], tol=TOL, name="d" + key)


def check_backward_propagation_with_regularization(rng):
    X, Y, params = _small_network(rng)
    for norm in ("l2", "l1"):
        AL, caches = dn.L_model_forward(X, params)
        grads = reg.backward_propagation_with_regularization(AL, Y, caches, 0.8, norm)
        for key, p in params.items():
            def cost(p, key=key):
                changed = {**params, key: p}
                return reg.compute_cost_with_regularization(dn.L_model_forward(X, changed)[0], Y, changed, 0.8, norm)
            gradient_check(cost, p.copy(), grads["d" + key], tol=TOL, name=f"d{key} ({norm})")


def check_dropout_backward(rng):
    A = rng.standard_normal((4, 6))
    _, cache = reg.dropout_forward(A, 0.6, seed=3)
    dA = rng.standard_normal(A.shape)
    # with the mask fixed (the same seed), dropout is linear in A
    _check_vjp(lambda A: reg.dropout_forward(A, 0.6, seed=3)[0], [A], [reg.dropout_backward(dA, cache)], dA, ["dA"])


def check_backward_propagation_with_dropout(rng):
    X, Y, params = _small_network(rng)
    AL, caches = reg.forward_propagation_with_dropout(X, params, keep_prob=0.7, seed=4)
    grads = reg.backward_propagation_with_dropout(AL, Y, caches, keep_prob=0.7)
    for key, p in params.items():  # the same seed draws the same masks: a fixed thinned network
        gradient_check(lambda p, key=key: dn.compute_cost(
            reg.forward_propagation_with_dropout(X, {**params, key: p}, 0.7, 4)[0], Y), p.copy(), grads["d" + key],
            tol=TOL, name="d" + key)


def check_cross_entropy_with_label_smoothing(rng):
    Z, Y = rng.standard_normal((4, 6)), np.eye(4)[:, rng.integers(4, size=6)]
    _, dZ = reg.cross_entropy_with_label_smoothing(Z, Y, 0.2)
    gradient_check(lambda Z: reg.cross_entropy_with_label_smoothing(Z, Y, 0.2)[0], Z.copy(), dZ, tol=TOL, name="dZ")


def check_softmax_cross_entropy(rng):
    Z, Y = rng.standard_normal((5, 6)), np.eye(5)[:, rng.integers(5, size=6)]  # no tiny probabilities
    gradient_check(lambda Z: smr.softmax_cross_entropy(Z, Y)[0], Z.copy(), smr.softmax_cross_entropy(Z, Y)[1],
                   tol=TOL, name="dZ")


def _check_norm_backward(forward, backward):
    def check(rng):
        Z = rng.standard_normal((4, 6)) * np.array([[1.0], [3.0], [0.2], [5.0]]) + 1.0
        gamma, beta = 1 + 0.5 * rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
        out, cache = forward(Z, gamma, beta)[:2]
        d = rng.standard_normal(out.shape)
        _check_vjp(lambda *x: forward(*x)[0], [Z, gamma, beta], backward(d, cache), d, ["dZ", "dgamma", "dbeta"])
    return check


def _check_conv_like(forward, backward, W_shape):
    """A 3x3 filter bank, stride 2 (overlapping windows), pad 1, on A_prev (2, 5, 5, 2)."""
    def check(rng):
        hp = {"stride": 2, "pad": 1}
        inputs = [rng.standard_normal((2, 5, 5, 2)), rng.standard_normal(W_shape), rng.standard_normal((1, 1, 1, 3))]
        out, cache = forward(*inputs, hp)
        d = rng.standard_normal(out.shape)
        _check_vjp(lambda *x: forward(*x, hp)[0], inputs, backward(d, cache), d, ["dA_prev", "dW", "db"])
    return check


def check_pool_backward(rng):
    """Overlapping 3x3 windows, stride 2; max pooling away from ties: distinct values 0.1 apart, far more than h."""
    A_prev = 0.1 * rng.permutation(2 * 7 * 5 * 2).reshape(2, 7, 5, 2).astype(float)
    hp = {"f": 3, "stride": 2}
    for mode in ("max", "average"):
        A, cache = cv.pool_forward(A_prev, hp, mode)
        dA = rng.standard_normal(A.shape)
        _check_vjp(lambda A, mode=mode: cv.pool_forward(A, hp, mode)[0], [A_prev], [cv.pool_backward(dA, cache, mode)],
                   dA, [f"dA_prev ({mode})"])


def _linear_problem_off_the_hinge(rng, K=4, n_x=5, m=9, delta=1.0):
    """W, X, y whose SVM margins s_j - s_{y_i} + delta are all at least 1e-3 from the hinge's kink at 0."""
    while True:
        W, X, y = rng.standard_normal((K, n_x)), rng.standard_normal((n_x, m)), rng.integers(K, size=m)
        S = W @ X
        if np.all(np.abs(S - S[y, np.arange(m)] + delta)[np.arange(K)[:, None] != y] > 1e-3):
            return W, X, y


def _check_linear_loss(loss_fn):
    def check(rng):
        W, X, y = _linear_problem_off_the_hinge(rng)
        gradient_check(lambda W: loss_fn(W, X, y, 0.3)[0], W.copy(), loss_fn(W, X, y, 0.3)[1], tol=TOL, name="dW")
    return check


def _check_recurrent(kind, cell):
    """A whole sequence (T_x = 5) or one cell, x: (3, 2, 5), a0 / c0: (4, 2); every input and weight checked.

    The GRU's check runs the full and the simplified GRU (no Wr, br).  Weights of scale 0.5 keep the gates
    away from saturation, where tiny gradient entries would have relative errors dominated by the finite
    difference's own error.
    """
    forward = getattr(rnn, f"{kind}_{'cell_' if cell else ''}forward")
    backward = getattr(rnn, f"{kind}_{'cell_' if cell else ''}backward")
    states = 2 if kind == "lstm" and cell else 1                    # an LSTM cell takes and returns a and c

    def check_one(rng, params):
        weights = [k for k in params if k not in ("Wy", "Wya", "by")]
        inputs = [rng.standard_normal((3, 2) if cell else (3, 2, 5))]
        inputs += [rng.standard_normal((4, 2)) for _ in range(states)]

        def out(*args):                                             # the hidden states (and cells) as one array
            result = forward(*args[:1 + states], {**params, **dict(zip(weights, args[1 + states:]))})
            return np.concatenate(result[:states]) if states == 2 else result[0]
        values = [*inputs, *(params[k] for k in weights)]
        d = rng.standard_normal(out(*values).shape)
        grads = backward(*np.split(d, states), forward(*inputs, params)[-1])
        names = list(grads)[:1 + states] + ["d" + k for k in weights]
        _check_vjp(out, values, [grads[k] for k in names], d, names)

    def check(rng):
        for variant in (kind, "gru_simplified") if kind == "gru" else (kind,):
            check_one(rng, {k: 0.5 * v for k, v in rnn_parameters(rng, variant).items()})
    return check


def check_glove_loss_and_grads(rng):
    params = [rng.standard_normal((6, 3)), rng.standard_normal((6, 3)), rng.standard_normal(6), rng.standard_normal(6)]
    rows, cols, x = rng.integers(0, 6, size=20), rng.integers(0, 6, size=20), np.exp(rng.uniform(-1, 6, size=20))
    _, *grads = glove.glove_loss_and_grads(*params, rows, cols, x)
    for k, (name, g) in enumerate(zip(("dW", "dW_tilde", "db", "db_tilde"), grads)):
        def J(p, k=k):
            args = list(params)
            args[k] = p
            return glove.glove_loss_and_grads(*args, rows, cols, x)[0]
        gradient_check(J, params[k].copy(), g, tol=TOL, name=name)


def check_avg_classifier_backward(rng):
    X, W, b = rng.standard_normal((5, 7)), rng.standard_normal((3, 5)), rng.standard_normal((3, 1))
    dZ = rng.standard_normal((3, 7))
    grads = snt.avg_classifier_backward(dZ, snt.avg_classifier_forward(X, W, b)[1])
    _check_vjp(lambda *args: snt.avg_classifier_forward(*args)[0], [X, W, b], grads, dZ, ["dX_avg", "dW", "db"])


CHECKS = {
    "basics.sigmoid_derivative": check_sigmoid_derivative,
    "computation_graph.computation_graph_backward": check_computation_graph_backward,
    "logistic_regression.propagate": check_propagate,
    "activations.tanh_derivative": _check_elementwise(act.tanh, act.tanh_derivative),
    "activations.relu_derivative": _check_elementwise(act.relu, act.relu_derivative),
    "activations.leaky_relu_derivative": _check_elementwise(lambda z: act.leaky_relu(z, 0.1),
                                                            lambda z: act.leaky_relu_derivative(z, 0.1)),
    "activations.elu_derivative": _check_elementwise(lambda z: act.elu(z, 1.3), lambda z: act.elu_derivative(z, 1.3)),
    "activations.prelu_backward": check_prelu_backward,
    "activations.maxout_backward": check_maxout_backward,
    "activations.softmax_backward": check_softmax_backward,
    "deep_network.linear_backward": check_linear_backward,
    "deep_network.linear_activation_backward": check_linear_activation_backward,
    "deep_network.L_model_backward": check_L_model_backward,
    "shallow_network.backward_propagation": check_backward_propagation,
    "regularization.backward_propagation_with_regularization": check_backward_propagation_with_regularization,
    "regularization.dropout_backward": check_dropout_backward,
    "regularization.backward_propagation_with_dropout": check_backward_propagation_with_dropout,
    "regularization.cross_entropy_with_label_smoothing": check_cross_entropy_with_label_smoothing,
    "softmax_regression.softmax_cross_entropy": check_softmax_cross_entropy,
    "batch_norm.batchnorm_backward": _check_norm_backward(bn.batchnorm_forward, bn.batchnorm_backward),
    "batch_norm.layernorm_backward": _check_norm_backward(bn.layernorm_forward, bn.layernorm_backward),
    "convolution.conv_backward": _check_conv_like(cv.conv_forward, cv.conv_backward, (3, 3, 2, 3)),
    "convolution.pool_backward": check_pool_backward,
    "convolution.conv_transpose_backward": _check_conv_like(cv.conv_transpose_forward, cv.conv_transpose_backward,
                                                            (3, 3, 3, 2)),
    **{f"linear_classifier.{name}": _check_linear_loss(getattr(lc, name)) for name in (
        "svm_loss_loops", "svm_loss_vectorized", "softmax_loss_loops", "softmax_loss_vectorized")},
    **{f"rnn.{kind}_{part}backward": _check_recurrent(kind, part == "cell_")
       for kind in ("rnn", "lstm", "gru") for part in ("cell_", "")},
    **WORD2VEC_CHECKS,
    "glove.glove_loss_and_grads": check_glove_loss_and_grads,
    "sentiment.avg_classifier_backward": check_avg_classifier_backward,
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
