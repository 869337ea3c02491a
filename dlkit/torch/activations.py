"""Chapter 3 in PyTorch: twins of :mod:`dlkit.numpy.activations`.

The forward functions are torch operations; every derivative and backward
here is computed by autograd through its forward twin (:func:`_vjp`), so the
parity tests compare the NumPy formulas with autograd directly.  The one
exception is :func:`softmax_backward`, which is given softmax's output
rather than its input and so applies the formula.  Same kink convention as
autograd's: the left-hand derivative at z = 0.
"""

import torch

from dlkit._shapes import check_shape, format_shape
from dlkit.torch._tensors import as_tensor


def _vjp(forward, inputs, grad_output):
    """Gradients of sum(forward(*inputs) * grad_output) with respect to each input, by autograd."""
    inputs = [x.detach().requires_grad_(True) for x in inputs]
    with torch.enable_grad():
        out = forward(*inputs)
        return torch.autograd.grad(out, inputs, grad_output)


def _derivative(forward, z):
    """g'(z) element-wise, as the vector-Jacobian product of g with a tensor of ones."""
    z = as_tensor("z", z)
    return _vjp(forward, [z], torch.ones_like(z))[0]


def tanh(z):
    """tanh(z), element-wise."""
    return torch.tanh(as_tensor("z", z))


def tanh_derivative(z):
    """1 - tanh(z)^2, by autograd."""
    return _derivative(tanh, z)


def relu(z):
    """max(0, z), element-wise."""
    return torch.relu(as_tensor("z", z))


def relu_derivative(z):
    """1 where z > 0, else 0 (autograd's ReLU'(0) = 0)."""
    return _derivative(relu, z)


def leaky_relu(z, alpha=0.01):
    """z where z > 0, else alpha z."""
    return torch.nn.functional.leaky_relu(as_tensor("z", z), alpha)


def leaky_relu_derivative(z, alpha=0.01):
    """1 where z > 0, else alpha, by autograd."""
    return _derivative(lambda z: leaky_relu(z, alpha), z)


def _check_slope(z, a):
    a = as_tensor("a", a, like=z)
    try:
        shape = torch.broadcast_shapes(a.shape, z.shape)
    except RuntimeError:
        shape = None
    if shape != z.shape:
        raise ValueError(f"a has shape {format_shape(a.shape)}, expected a shape that broadcasts to "
                         f"z's {format_shape(z.shape)}, e.g. (n, 1): one slope per unit")
    return a


def prelu(z, a):
    """z where z > 0, else a z, with a learned slope a: (n, 1) per unit or any shape broadcasting to z."""
    z = as_tensor("z", z)
    a = _check_slope(z, a)
    return torch.where(z > 0, z, a * z)


def prelu_backward(dA, z, a):
    """(dz, da) of PReLU, by autograd; da has a's shape."""
    z = as_tensor("z", z)
    a, dA = _check_slope(z, a), as_tensor("dA", dA, like=z)
    check_shape("dA", dA, tuple(z.shape))
    return _vjp(prelu, [z, a], dA)


def elu(z, alpha=1.0):
    """z where z > 0, else alpha (e^z - 1)."""
    return torch.nn.functional.elu(as_tensor("z", z), alpha)


def elu_derivative(z, alpha=1.0):
    """1 where z > 0, else alpha e^z, by autograd."""
    return _derivative(lambda z: elu(z, alpha), z)


def maxout_forward(A_prev, W, b):
    """A = max_j (W_j A_prev + b_j).  A_prev: (n_prev, m), W: (k, n, n_prev), b: (k, n, 1).

    Returns (A, cache) with A: (n, m) and cache = (A_prev, W, b, Z), Z: (k, n, m) the pieces.
    """
    A_prev = as_tensor("A_prev", A_prev)
    W, b = as_tensor("W", W, like=A_prev), as_tensor("b", b, like=A_prev)
    dims = check_shape("A_prev", A_prev, ("n_prev", "m"))
    check_shape("W", W, ("k", "n", "n_prev"), dims)
    check_shape("b", b, ("k", "n", 1), dims)
    Z = W @ A_prev + b                                       # (k, n, m)
    return torch.max(Z, dim=0).values, (A_prev, W, b, Z)


def _maxout(A_prev, W, b):
    return torch.max(W @ A_prev + b, dim=0).values           # (n, m)


def maxout_backward(dA, cache):
    """(dA_prev, dW, db) of the maxout layer, by autograd through :func:`maxout_forward`.

    Autograd's max sends the gradient to one of tied pieces (which one is
    not specified); ties have probability zero with real-valued inputs.
    """
    A_prev, W, b, _ = cache
    dA = as_tensor("dA", dA, like=A_prev)
    check_shape("dA", dA, (W.shape[1], A_prev.shape[1]))
    return _vjp(_maxout, [A_prev, W, b], dA)


def softmax_backward(dS, S, axis=-1):
    """dz = S * (dS - sum(dS * S)) along ``axis``: the vector-Jacobian product of softmax."""
    S = as_tensor("S", S)
    dS = as_tensor("dS", dS, like=S)
    check_shape("dS", dS, tuple(S.shape))
    return S * (dS - torch.sum(dS * S, dim=axis, keepdim=True))
