"""Parity: every public function of dlkit.numpy has a dlkit.torch twin that agrees with it.

On random float64 inputs the forward results agree to 1e-10 relative, on
every device; every hand-written NumPy gradient agrees with torch autograd
through the twin.  A new NumPy function fails here until it has a twin and a
case in CASES (or a reasoned entry in BACKEND_NEUTRAL).
"""

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.testing import rel_error  # noqa: E402
from helpers import hand_written_gradients, public_functions  # noqa: E402

NUMPY, TORCH = public_functions("numpy"), public_functions("torch")

# NumPy functions with no tensor computation to port, and why.
BACKEND_NEUTRAL = {
    "basics.broadcast_shape": "computes a shape from shape tuples; no arrays involved",
}
# Hand-written backward passes: checked against autograd through the forward twin instead.
BACKWARD_OF = {"computation_graph.computation_graph_backward": "computation_graph.computation_graph_forward"}


def _labels(rng, shape):
    return (rng.random(shape) < 0.5).astype(np.float64)


# "topic.name": rng -> (args, kwargs); kwargs may hold "torch_only" options for the twin.
CASES = {
    "basics.sigmoid": lambda rng: ((8 * rng.standard_normal((4, 5)),), {}),
    "basics.sigmoid_derivative": lambda rng: ((8 * rng.standard_normal((4, 5)),), {}),
    "basics.image2vector": lambda rng: ((rng.random((3, 4, 2)),), {}),
    "basics.normalize_rows": lambda rng: ((rng.standard_normal((3, 4)),), {}),
    "basics.softmax": lambda rng: ((30 * rng.standard_normal((3, 4)),), {"axis": 0}),
    "basics.L1": lambda rng: ((rng.random((1, 6)), _labels(rng, (1, 6))), {}),
    "basics.L2": lambda rng: ((rng.random((1, 6)), _labels(rng, (1, 6))), {}),
    "computation_graph.computation_graph_forward": lambda rng: (tuple(rng.standard_normal((3, 2)) for _ in range(3)), {}),
    "logistic_regression.initialize_with_zeros": lambda rng: ((4,), {"torch_only": {"device": None}}),
    "logistic_regression.propagate": lambda rng: (
        (rng.standard_normal((5, 1)), 0.3, rng.standard_normal((5, 7)), _labels(rng, (1, 7))), {}),
    "logistic_regression.optimize": lambda rng: (
        (rng.standard_normal((5, 1)), 0.3, rng.standard_normal((5, 7)), _labels(rng, (1, 7))),
        {"num_iterations": 30, "learning_rate": 0.1, "record_every": 7}),
    "logistic_regression.predict": lambda rng: ((rng.standard_normal((5, 1)), 0.3, rng.standard_normal((5, 9))), {}),
    "logistic_regression.model": lambda rng: (
        (rng.standard_normal((5, 12)), _labels(rng, (1, 12)), rng.standard_normal((5, 6)), _labels(rng, (1, 6))),
        {"num_iterations": 40, "learning_rate": 0.2, "record_every": 10}),
}


def _to_torch(x, device):
    return torch.as_tensor(x, device=device) if isinstance(x, np.ndarray) else x


def assert_agree(expected, got, device, where="output"):
    """NumPy result vs torch result, recursively; tensors must sit on ``device``."""
    if isinstance(expected, dict):
        assert set(got) == set(expected), f"{where}: keys {sorted(got)} != {sorted(expected)}"
        for k in expected:
            assert_agree(expected[k], got[k], device, f"{where}[{k!r}]")
    elif isinstance(expected, (tuple, list)):
        assert len(got) == len(expected), f"{where}: length {len(got)} != {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            assert_agree(e, g, device, f"{where}[{i}]")
    elif isinstance(expected, (np.ndarray, float)):
        if isinstance(got, torch.Tensor):
            assert got.device.type == device, f"{where} is on {got.device}, expected {device}"
            assert got.dtype == torch.float64, f"{where} has dtype {got.dtype}, expected float64"
        assert np.shape(expected) == tuple(np.shape(got.cpu() if isinstance(got, torch.Tensor) else got)), where
        assert rel_error(expected, got) < 1e-10, f"{where}: relative error {rel_error(expected, got):.2e}"
    else:
        assert got == expected, f"{where}: {got!r} != {expected!r}"


def test_every_numpy_function_has_a_torch_twin_with_the_same_signature():
    for key, fn in NUMPY.items():
        if key in BACKEND_NEUTRAL or key in BACKWARD_OF:
            continue
        assert key in TORCH, f"dlkit.numpy.{key} has no twin in dlkit.torch"
        np_params = list(inspect.signature(fn).parameters)
        torch_params = list(inspect.signature(TORCH[key]).parameters)
        assert torch_params[: len(np_params)] == np_params, f"{key}: {torch_params} does not start with {np_params}"


def test_every_twin_has_a_parity_case():
    missing = set(NUMPY) - set(CASES) - set(BACKEND_NEUTRAL) - set(BACKWARD_OF)
    assert not missing, f"add parity cases for {sorted(missing)}"


# Hand-written gradients and the test below that compares each with autograd.
AUTOGRAD_CHECKED = set(BACKWARD_OF) | {
    "basics.sigmoid_derivative",  # test_sigmoid_derivative_agrees_with_autograd
    "logistic_regression.propagate",  # test_propagate_gradients_are_autograds
}


def test_every_hand_written_gradient_is_checked_against_autograd():
    missing = set(hand_written_gradients()) - AUTOGRAD_CHECKED
    assert not missing, f"compare {sorted(missing)} with torch autograd"


@pytest.mark.parametrize("key", sorted(CASES))
def test_forward_agrees(key, device, rng):
    args, kwargs = CASES[key](rng)
    kwargs = dict(kwargs)
    torch_only = kwargs.pop("torch_only", {})
    if "device" in torch_only:
        torch_only["device"] = device
    expected = NUMPY[key](*args, **kwargs)
    got = TORCH[key](*(_to_torch(a, device) for a in args), **kwargs, **torch_only)
    assert_agree(expected, got, device)


@pytest.mark.parametrize("key", sorted(BACKWARD_OF))
def test_backward_agrees_with_autograd(key, device, rng):
    forward = BACKWARD_OF[key]
    args, kwargs = CASES[forward](rng)
    out, cache = NUMPY[forward](*args, **kwargs)
    dout = rng.standard_normal(np.shape(out))
    expected = NUMPY[key](dout, cache)
    inputs = [torch.tensor(a, device=device, requires_grad=True) for a in args]
    out_t, _ = TORCH[forward](*inputs, **kwargs)
    (out_t * torch.as_tensor(dout, device=device)).sum().backward()
    assert_agree(tuple(expected), tuple(x.grad for x in inputs), device)


def test_sigmoid_derivative_agrees_with_autograd(device, rng):
    z = torch.tensor(8 * rng.standard_normal((4, 5)), device=device, requires_grad=True)
    TORCH["basics.sigmoid"](z).sum().backward()
    assert_agree(NUMPY["basics.sigmoid_derivative"](z.detach().cpu().numpy()), z.grad, device)


def test_propagate_gradients_are_autograds(device, rng):
    """The torch twin's dw, db come from autograd; the NumPy ones are derived by hand."""
    args, _ = CASES["logistic_regression.propagate"](rng)
    grads, _ = NUMPY["logistic_regression.propagate"](*args)
    w, b, X, Y = (torch.tensor(a, dtype=torch.float64, device=device) for a in args)
    w.requires_grad_(True)
    b.requires_grad_(True)
    Z = w.T @ X + b
    logsig = torch.nn.functional.logsigmoid  # log a = logsig(z), log(1 - a) = logsig(-z)
    cost = -(Y * logsig(Z) + (1 - Y) * logsig(-Z)).mean()
    cost.backward()
    assert_agree((grads["dw"], grads["db"]), (w.grad, b.grad), device)


def test_twins_keep_the_input_dtype(device):
    z = torch.linspace(-3, 3, 7, dtype=torch.float32, device=device)
    assert TORCH["basics.sigmoid"](z).dtype == torch.float32
    assert TORCH["basics.softmax"](z).device.type == device
