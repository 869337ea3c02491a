"""Chapter 3: the activation zoo against torch.nn.functional, and the conventions at the kinks."""

import numpy as np
import pytest

from dlkit.numpy import activations as act
from dlkit.numpy.basics import sigmoid, softmax

torch = pytest.importorskip("torch", reason="the torch extra is not installed")
F = torch.nn.functional


def _t(x):
    return torch.from_numpy(np.asarray(x, dtype=np.float64))


@pytest.mark.parametrize("name, ours, theirs", [
    ("sigmoid", sigmoid, torch.sigmoid),
    ("tanh", act.tanh, torch.tanh),
    ("relu", act.relu, F.relu),
    ("leaky_relu", lambda z: act.leaky_relu(z, 0.2), lambda z: F.leaky_relu(z, 0.2)),
    ("elu", lambda z: act.elu(z, 1.7), lambda z: F.elu(z, 1.7)),
    ("softmax", lambda z: softmax(z, axis=0), lambda z: torch.softmax(z, dim=0)),
])
def test_activation_matches_torch_functional(name, ours, theirs, rng):
    z = 4 * rng.standard_normal((5, 7))
    z[0, :3] = 0.0
    np.testing.assert_allclose(ours(z), theirs(_t(z)).numpy(), rtol=1e-12, atol=1e-15, err_msg=name)


@pytest.mark.parametrize("name, derivative, forward", [
    ("tanh", act.tanh_derivative, torch.tanh),
    ("relu", act.relu_derivative, F.relu),
    ("leaky_relu", lambda z: act.leaky_relu_derivative(z, 0.2), lambda z: F.leaky_relu(z, 0.2)),
    ("elu", lambda z: act.elu_derivative(z, 1.7), lambda z: F.elu(z, 1.7)),
])
def test_derivative_matches_torch_autograd_including_the_kink(name, derivative, forward, rng):
    z = rng.standard_normal((4, 6))
    z[0] = 0.0  # the kink: both sides must use the same convention
    zt = _t(z).requires_grad_(True)
    forward(zt).sum().backward()
    np.testing.assert_allclose(derivative(z), zt.grad.numpy(), rtol=1e-12, err_msg=name)


def test_conventions_at_zero():
    """ReLU'(0) = 0 (the notes say 1), LeakyReLU'(0) = alpha, ELU'(0) = alpha: the left-hand derivatives."""
    assert act.relu_derivative(0.0) == 0.0
    assert act.leaky_relu_derivative(0.0, alpha=0.05) == 0.05
    assert act.elu_derivative(0.0, alpha=2.0) == 2.0
    z, a = np.zeros((2, 1)), np.full((2, 1), 0.3)
    dz, da = act.prelu_backward(np.ones((2, 1)), z, a)
    assert (dz == 0.3).all() and (da == 0.0).all()


def test_prelu_and_its_weight_gradient_match_torch(rng):
    z, a = rng.standard_normal((4, 9)), rng.random((4, 1))
    dA = rng.standard_normal(z.shape)
    # torch's PReLU puts the channel (unit) axis at 1: transpose the notes' (n, m) to (m, n)
    zt, at = _t(z.T).requires_grad_(True), _t(a.ravel()).requires_grad_(True)
    out = F.prelu(zt, at)
    (out * _t(dA.T)).sum().backward()
    np.testing.assert_allclose(act.prelu(z, a), out.detach().numpy().T, rtol=1e-12)
    dz, da = act.prelu_backward(dA, z, a)
    np.testing.assert_allclose(dz, zt.grad.numpy().T, rtol=1e-12)
    np.testing.assert_allclose(da.ravel(), at.grad.numpy(), rtol=1e-12)


def test_prelu_with_one_shared_slope(rng):
    z, dA = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    dz, da = act.prelu_backward(dA, z, 0.25)
    assert np.shape(da) == () and da == pytest.approx(np.sum(dA * np.where(z > 0, 0, z)))
    np.testing.assert_allclose(act.prelu(z, 0.0), act.relu(z))
    np.testing.assert_allclose(act.prelu(z, 0.01), act.leaky_relu(z))


def test_maxout_can_be_relu_and_abs():
    x = np.linspace(-2, 2, 9)[None, :]                       # one input, 9 examples
    relu_pieces = np.array([[[1.0]], [[0.0]]]), np.zeros((2, 1, 1))   # max(x, 0)
    abs_pieces = np.array([[[1.0]], [[-1.0]]]), np.zeros((2, 1, 1))   # max(x, -x)
    np.testing.assert_allclose(act.maxout_forward(x, *relu_pieces)[0], act.relu(x))
    np.testing.assert_allclose(act.maxout_forward(x, *abs_pieces)[0], np.abs(x))


def test_softmax_backward_with_cross_entropy_is_S_minus_Y(rng):
    z = rng.standard_normal((4, 6))
    Y = np.eye(4)[:, rng.integers(4, size=6)]
    S = softmax(z, axis=0)
    # L = -sum Y log S, so dL/dS = -Y / S
    np.testing.assert_allclose(act.softmax_backward(-Y / S, S, axis=0), S - Y, rtol=1e-10, atol=1e-14)


def test_bad_inputs_name_the_shapes():
    with pytest.raises(ValueError, match=r"a has shape \(3, 1\), expected a shape that broadcasts to z's \(4, 5\)"):
        act.prelu(np.zeros((4, 5)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"W has shape \(2, 4, 5\), expected \(k, n, n_prev\) = \(k, n, 3\)"):
        act.maxout_forward(np.zeros((3, 6)), np.zeros((2, 4, 5)), np.zeros((2, 4, 1)))
    with pytest.raises(ValueError, match=r"dS has shape \(3,\), expected \(4,\)"):
        act.softmax_backward(np.zeros(3), np.full(4, 0.25))
