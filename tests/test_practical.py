"""Chapter 5: initializers, regularization, dropout, label smoothing, input normalization, gradient
checking and early stopping, against torch where it has the same thing, and with planted bugs."""

import numpy as np
import pytest

from dlkit.numpy import deep_network as dn
from dlkit.numpy import gradient_checking as gc
from dlkit.numpy import initialization as init
from dlkit.numpy import input_normalization as norm
from dlkit.numpy import regularization as reg
from dlkit.numpy.activations import relu_derivative
from dlkit.numpy.basics import sigmoid_derivative
from dlkit.training import EarlyStopping

torch = pytest.importorskip("torch", reason="the torch extra is not installed")


@pytest.mark.parametrize("name, ours, theirs", [
    ("LeCun", lambda d: init.initialize_parameters_lecun(d, seed=0),
     lambda W: torch.nn.init.kaiming_normal_(W, mode="fan_in", nonlinearity="linear")),
    ("Xavier normal", lambda d: init.initialize_parameters_xavier(d, seed=0),
     lambda W: torch.nn.init.xavier_normal_(W)),
    ("Xavier uniform", lambda d: init.initialize_parameters_xavier(d, uniform=True, seed=0),
     lambda W: torch.nn.init.xavier_uniform_(W)),
    ("He", lambda d: init.initialize_parameters_he(d, seed=0),
     lambda W: torch.nn.init.kaiming_normal_(W, mode="fan_in", nonlinearity="relu")),
])
def test_initializer_variance_matches_torch_nn_init(name, ours, theirs):
    """torch's weight is (out, in) like the notes' W[l]: fan_in = n[l-1], fan_out = n[l]."""
    W = ours([600, 400])["W1"]
    torch.manual_seed(0)
    Wt = theirs(torch.empty(400, 600, dtype=torch.float64)).numpy()
    assert W.std() == pytest.approx(Wt.std(), rel=0.01), name
    assert abs(W.mean()) < 0.01 * W.std() * 5
    if name == "Xavier uniform":
        assert W.max() <= np.sqrt(6 / 1000) and Wt.max() <= np.sqrt(6 / 1000)
        assert W.max() > 0.99 * np.sqrt(6 / 1000)


def test_zeros_and_random_initializers():
    p = init.initialize_parameters_zeros([3, 2, 1])
    assert not any(v.any() for v in p.values()) and p["W2"].shape == (1, 2)
    assert init.initialize_parameters_random([500, 400], scale=10.0, seed=1)["W1"].std() == pytest.approx(10, rel=0.01)
    with pytest.raises(ValueError, match="expected a positive number"):
        init.initialize_parameters_random([3, 2], scale=0.0)


def test_label_smoothing_matches_torch_after_mapping_epsilon(rng):
    """The notes put eps/(K-1) off target; torch puts eps_t/K: the same targets when eps_t = eps K/(K-1)."""
    K, m, eps = 5, 8, 0.1
    Z, labels = rng.standard_normal((K, m)), rng.integers(K, size=m)
    cost, dZ = reg.cross_entropy_with_label_smoothing(Z, np.eye(K)[:, labels], eps)
    Zt = torch.from_numpy(Z.T).requires_grad_(True)
    expected = torch.nn.functional.cross_entropy(Zt, torch.from_numpy(labels), label_smoothing=eps * K / (K - 1))
    expected.backward()
    assert cost == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(dZ, Zt.grad.numpy().T, rtol=1e-10)
    T = reg.smooth_labels(np.eye(K)[:, labels], eps)
    np.testing.assert_allclose(T.sum(axis=0), 1.0)
    assert T.max() == pytest.approx(1 - eps) and T.min() == pytest.approx(eps / (K - 1))


def test_l2_regularization_is_weight_decay_in_torch_sgd(rng):
    """One step of gradient descent on the L2-regularized cost = torch SGD with weight_decay = lambda / m."""
    X, Y = rng.standard_normal((4, 10)), (rng.random((1, 10)) < 0.5) * 1.0
    params = init.initialize_parameters_he([4, 3, 1], seed=1)
    lambd, lr, m = 0.7, 0.1, 10
    AL, caches = dn.L_model_forward(X, params)
    ours = dn.update_parameters(params, reg.backward_propagation_with_regularization(AL, Y, caches, lambd), lr)
    tp = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in params.items()}
    optimizer = torch.optim.SGD([tp["W1"], tp["W2"]], lr=lr, weight_decay=lambd / m)
    other = torch.optim.SGD([tp["b1"], tp["b2"]], lr=lr)  # biases are not decayed
    A = torch.sigmoid(tp["W2"] @ torch.relu(tp["W1"] @ torch.from_numpy(X) + tp["b1"]) + tp["b2"])
    torch.nn.functional.binary_cross_entropy(A, torch.from_numpy(Y)).backward()
    optimizer.step()
    other.step()
    for k in params:
        np.testing.assert_allclose(ours[k], tp[k].detach().numpy(), rtol=1e-12, err_msg=k)


def test_dropout_matches_torch_in_expectation():
    """keep_prob here is 1 - p in torch: the same survivors' scale 1/keep_prob, the same drop rate."""
    keep, A = 0.8, np.ones((400, 500))
    ours, (D, _) = reg.dropout_forward(A, keep, seed=0)
    torch.manual_seed(0)
    theirs = torch.nn.functional.dropout(torch.ones(400, 500, dtype=torch.float64), p=1 - keep).numpy()
    assert set(np.unique(ours)) == set(np.unique(theirs)) == {0.0, 1 / keep}
    assert ours.mean() == pytest.approx(1.0, abs=0.01) and theirs.mean() == pytest.approx(1.0, abs=0.01)
    assert (ours == 0).mean() == pytest.approx(1 - keep, abs=0.005)
    assert reg.dropout_forward(A, 1.0)[0] is not A and (reg.dropout_forward(A, 1.0)[0] == A).all()


def test_dropout_network_drops_only_hidden_layers_and_is_seeded(rng):
    X, params = rng.standard_normal((5, 30)), init.initialize_parameters_he([5, 8, 6, 1], seed=0)
    AL1, caches = reg.forward_propagation_with_dropout(X, params, keep_prob=0.5, seed=7)
    AL2, _ = reg.forward_propagation_with_dropout(X, params, keep_prob=0.5, seed=7)
    np.testing.assert_array_equal(AL1, AL2)
    assert caches[-1][1] is None and all(c[1][0].shape == (n, 30) for c, n in zip(caches[:2], (8, 6)))
    np.testing.assert_allclose(reg.forward_propagation_with_dropout(X, params, keep_prob=1.0)[0],
                               dn.L_model_forward(X, params)[0])


def _network(rng):
    """A tiny network whose layer 2 is square, so that a transposed W2 still has the right shape."""
    X, Y = rng.standard_normal((4, 6)), (rng.random((1, 6)) < 0.5) * 1.0
    return X, Y, init.initialize_parameters_xavier([4, 5, 5, 1], seed=2)


def test_gradient_check_n_passes_a_correct_backward(rng):
    X, Y, params = _network(rng)
    AL, caches = dn.L_model_forward(X, params)
    assert gc.gradient_check_n(params, dn.L_model_backward(AL, Y, caches), X, Y) < 1e-7


def _buggy_backward(AL, Y, caches, bug):
    """L_model_backward written out, with one planted bug."""
    L, m, grads = len(caches), AL.shape[1], {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        g_prime = sigmoid_derivative if l == L or (bug == "wrong activation derivative" and l == 1) else relu_derivative
        dZ = dA * g_prime(Z)
        grads[f"dW{l}"] = dZ @ A_prev.T / (1 if bug == "missing 1/m" and l == 2 else m)
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        dA = (W if bug == "transposed term" and l == 2 else W.T) @ dZ
    return grads


@pytest.mark.parametrize("bug", ["missing 1/m", "wrong activation derivative", "transposed term"])
def test_gradient_check_n_finds_each_planted_bug(bug, rng):
    X, Y, params = _network(rng)
    AL, caches = dn.L_model_forward(X, params)
    correct = _buggy_backward(AL, Y, caches, bug=None)
    assert gc.gradient_check_n(params, correct, X, Y) < 1e-7  # the written-out version is right without the bug
    assert gc.gradient_check_n(params, _buggy_backward(AL, Y, caches, bug), X, Y) > 1e-3


def test_vectorization_round_trip_and_errors(rng):
    params = init.initialize_parameters_he([3, 2, 1], seed=0)
    theta, shapes = gc.dictionary_to_vector(params)
    assert theta.shape == (11, 1) and list(shapes) == ["W1", "b1", "W2", "b2"]
    back = gc.vector_to_dictionary(theta, shapes)
    assert all((back[k] == params[k]).all() for k in params)
    with pytest.raises(ValueError, match=r"theta has shape \(10, 1\), expected \(11, 1\)"):
        gc.vector_to_dictionary(theta[:10], shapes)
    with pytest.raises(ValueError, match=r"gradients has no \['db2'\]"):
        gc.gradients_to_vector({"dW1": 0, "db1": 0, "dW2": 0}, shapes)


def test_standardization_is_fitted_on_the_training_set_only(rng):
    X_train = rng.standard_normal((3, 200)) * np.array([[1.0], [10.0], [100.0]]) + 5
    X_test = rng.standard_normal((3, 50)) * np.array([[1.0], [10.0], [100.0]]) + 5
    mu, sigma = norm.fit_standardization(X_train)
    np.testing.assert_allclose(sigma.ravel(), X_train.std(axis=1))  # sigma, not sigma squared
    Z = norm.standardize(X_train, mu, sigma)
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=1), 1)
    np.testing.assert_allclose(norm.standardize(X_test, mu, sigma), (X_test - mu) / sigma)
    with pytest.raises(ValueError, match=r"mu has shape \(2, 1\), expected \(n_x, 1\) = \(3, 1\)"):
        norm.standardize(X_test, mu[:2], sigma)


def test_pca_whitening_decorrelates_the_training_set(rng):
    X = np.array([[2.0, 0.0], [1.5, 0.5]]) @ rng.standard_normal((2, 500))
    mu, U, lam = norm.fit_pca_whitening(X)
    W = norm.pca_whiten(X, mu, U, lam, epsilon=0.0)
    np.testing.assert_allclose(W @ W.T / 500, np.eye(2), atol=1e-10)
    assert lam[0] > lam[1] and np.allclose(U.T @ U, np.eye(2))


def test_early_stopping_restores_the_best_parameters():
    stopper = EarlyStopping(patience=3)
    losses = [1.0, 0.8, 0.7, 0.75, 0.71, 0.9, 0.5]
    stops = [stopper.step(loss, {"W": np.array([i])}) for i, loss in enumerate(losses)]
    assert stops == [False, False, False, False, False, True, True]
    assert stopper.best_step == 2 and stopper.best_loss == 0.7 and stopper.best_parameters["W"][0] == 2
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


@pytest.mark.parametrize("call, message", [
    (lambda: reg.dropout_forward(np.ones(3), 0.0), r"keep_prob is 0.0, expected a probability in \(0, 1\]"),
    (lambda: reg.dropout_forward(np.ones(3), 1.5), r"keep_prob is 1.5"),
    (lambda: reg.compute_cost_with_regularization(np.full((1, 2), 0.5), np.ones((1, 2)),
                                                  {"W1": np.ones((1, 2)), "b1": 0}, -0.1), "lambd is -0.1"),
    (lambda: reg.regularization_cost({"W1": np.ones((1, 2))}, 0.1, 2), "expected W1, b1, ..., WL, bL"),
    (lambda: reg.regularization_cost({"W1": np.ones((1, 2)), "b1": 0}, 0.1, 2, norm="l3"), "norm is 'l3'"),
])
def test_bad_inputs_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
