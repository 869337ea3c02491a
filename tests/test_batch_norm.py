"""Chapter 7: batch norm and layer norm against torch.nn.BatchNorm1d and nn.LayerNorm, in train and eval mode."""

import numpy as np
import pytest

from dlkit.numpy import batch_norm as bn

torch = pytest.importorskip("torch", reason="the torch extra is not installed")


def _inputs(rng, n=5, m=8):
    Z = rng.standard_normal((n, m)) * rng.uniform(0.2, 5, (n, 1)) + rng.uniform(-3, 3, (n, 1))
    return Z, 1 + 0.3 * rng.standard_normal((n, 1)), 0.5 * rng.standard_normal((n, 1))


def test_batchnorm_matches_torch_in_training_and_eval_with_running_statistics(rng):
    """torch's momentum 0.1 is our 0.9; both keep the unbiased batch variance in the running estimate."""
    n = 5
    layer = torch.nn.BatchNorm1d(n, eps=1e-5, momentum=0.1, dtype=torch.float64)
    Z0, gamma, beta = _inputs(rng, n)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma[:, 0]))
        layer.bias.copy_(torch.from_numpy(beta[:, 0]))
    running = None
    for step in range(5):  # several training batches, then evaluation
        Z = _inputs(rng, n)[0]
        Zt = torch.from_numpy(Z.T).requires_grad_(True)           # torch: (m, n), examples as rows
        out_t = layer.train()(Zt)
        d = rng.standard_normal(Z.shape)
        (out_t * torch.from_numpy(d.T)).sum().backward()
        out, cache, running = bn.batchnorm_forward(Z, gamma, beta, running, mode="train", momentum=0.9)
        np.testing.assert_allclose(out, out_t.detach().numpy().T, rtol=1e-10, atol=1e-12)
        dZ, dgamma, dbeta = bn.batchnorm_backward(d, cache)
        np.testing.assert_allclose(dZ, Zt.grad.numpy().T, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(dgamma[:, 0], layer.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(dbeta[:, 0], layer.bias.grad.numpy(), rtol=1e-10)
        layer.zero_grad()
        np.testing.assert_allclose(running["mean"][:, 0], layer.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(running["var"][:, 0], layer.running_var.numpy(), rtol=1e-12)
    Z_test = Z0[:, :1]                                            # a single example at test time
    expected = layer.eval()(torch.from_numpy(Z_test.T)).detach().numpy().T
    np.testing.assert_allclose(bn.batchnorm_forward(Z_test, gamma, beta, running, mode="test")[0], expected,
                               rtol=1e-10)


def test_training_output_has_the_learned_mean_and_scale(rng):
    Z, gamma, beta = _inputs(rng, m=50)
    out, _, _ = bn.batchnorm_forward(Z, gamma, beta)
    np.testing.assert_allclose(out.mean(axis=1, keepdims=True), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1, keepdims=True), np.abs(gamma), rtol=1e-3)  # eps: slightly below


def test_layernorm_matches_torch(rng):
    Z, gamma, beta = _inputs(rng, n=6, m=4)
    layer = torch.nn.LayerNorm(6, eps=1e-5, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(gamma[:, 0]))
        layer.bias.copy_(torch.from_numpy(beta[:, 0]))
    Zt = torch.from_numpy(Z.T).requires_grad_(True)
    out_t = layer(Zt)
    d = rng.standard_normal(Z.shape)
    (out_t * torch.from_numpy(d.T)).sum().backward()
    out, cache = bn.layernorm_forward(Z, gamma, beta)
    np.testing.assert_allclose(out, out_t.detach().numpy().T, rtol=1e-10, atol=1e-12)
    dZ, dgamma, dbeta = bn.layernorm_backward(d, cache)
    np.testing.assert_allclose(dZ, Zt.grad.numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dgamma[:, 0], layer.weight.grad.numpy(), rtol=1e-10)
    # one example alone gives the same answer: no dependence on the batch
    np.testing.assert_allclose(bn.layernorm_forward(Z[:, 2:3], gamma, beta)[0], out[:, 2:3], rtol=1e-12)


def test_bad_inputs():
    Z, g, b = np.ones((3, 4)), np.ones((3, 1)), np.zeros((3, 1))
    with pytest.raises(ValueError, match="mode is 'eval'"):
        bn.batchnorm_forward(Z, g, b, mode="eval")
    with pytest.raises(ValueError, match="at least 2 examples"):
        bn.batchnorm_forward(Z[:, :1], g, b)
    with pytest.raises(ValueError, match=r"gamma has shape \(1, 3\), expected \(n, 1\) = \(3, 1\)"):
        bn.batchnorm_forward(Z, g.T, b)
    with pytest.raises(ValueError, match=r"momentum is 1.0"):
        bn.batchnorm_forward(Z, g, b, momentum=1.0)
