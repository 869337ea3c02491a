"""Chapter 3, the activation zoo: each non-linearity g and its derivative g'.

Element-wise activations take Z of any shape and return g(Z) of that shape;
their ``*_derivative`` gives g'(Z), so a layer's backward pass is
dZ = dA * g'(Z).  The sigmoid is :func:`dlkit.numpy.basics.sigmoid`.

Convention at the kinks (stated and tested): the derivative at z = 0 is the
left-hand one, as torch autograd computes it: ReLU'(0) = 0 (the notes allow
1 or 0; any value in [0, 1] is a valid subgradient, and a single point never
matters in practice),
LeakyReLU'(0) = PReLU'(0) = alpha, ELU'(0) = alpha.  Maxout routes the gradient
to the first of tied pieces.
"""

import numpy as np

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy._arrays import as_array


def tanh(z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z), element-wise, in (-1, 1).

    >>> float(tanh(0.0))
    0.0
    """
    return np.tanh(as_array("z", z))


def tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)^2, element-wise.

    >>> float(tanh_derivative(0.0))
    1.0
    """
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    """ReLU(z) = max(0, z), element-wise.

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    z = as_array("z", z)
    return np.maximum(z, 0.0).astype(z.dtype)


def relu_derivative(z):
    """ReLU'(z) = 1 where z > 0, else 0; ReLU'(0) = 0 by this course's convention.

    >>> relu_derivative(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 1.])
    """
    z = as_array("z", z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    """LeakyReLU(z) = z where z > 0, else alpha z; alpha is a fixed small slope.

    >>> leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
    array([-0.2,  3. ])
    """
    z = as_array("z", z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z, alpha=0.01):
    """LeakyReLU'(z) = 1 where z > 0, else alpha (alpha at z = 0)."""
    z = as_array("z", z)
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def _check_slope(z, a):
    a = as_array("a", a)
    try:
        shape = np.broadcast_shapes(a.shape, z.shape)
    except ValueError:
        shape = None
    if shape != z.shape:
        raise ValueError(f"a has shape {format_shape(a.shape)}, expected a shape that broadcasts to "
                         f"z's {format_shape(z.shape)}, e.g. (n, 1): one slope per unit")
    return a


def prelu(z, a):
    """PReLU(z) = z where z > 0, else a z, with a *learned* slope a.

    z: (n, m); a: (n, 1) for one slope per unit (or any shape that broadcasts
    to z's, e.g. () for one shared slope).  Returns A: (n, m).
    With a = 0 it is ReLU, with a fixed small a it is Leaky ReLU.
    """
    z = as_array("z", z)
    a = _check_slope(z, a)
    return np.where(z > 0, z, a * z)


def _sum_to(x, shape):
    """Sum x over the axes along which an array of ``shape`` was broadcast to x's shape."""
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead))) if lead else x
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True) if axes else x


def prelu_backward(dA, z, a):
    """Gradients of PReLU: dz = dA * (1 if z > 0 else a), da = sum of dA * (0 if z > 0 else z).

    dA, z: (n, m); a: the slope as given to :func:`prelu`.  The sum in da runs
    over every position that shares the slope (the m examples for a (n, 1) a).
    Returns (dz, da) with the shapes of z and a.
    """
    z = as_array("z", z)
    a = _check_slope(z, a)
    dA = as_array("dA", dA)
    check_shape("dA", dA, z.shape)
    dz = dA * np.where(z > 0, 1.0, a)
    da = _sum_to(dA * np.where(z > 0, 0.0, z), a.shape)
    return dz, da.reshape(a.shape)


def elu(z, alpha=1.0):
    """ELU(z) = z where z > 0, else alpha (e^z - 1): smooth, saturating at -alpha.

    >>> float(elu(0.0))
    0.0
    """
    z = as_array("z", z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_derivative(z, alpha=1.0):
    """ELU'(z) = 1 where z > 0, else alpha e^z (alpha at z = 0)."""
    z = as_array("z", z)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype)


def maxout_forward(A_prev, W, b):
    """A maxout layer: the maximum of k linear pieces, A = max_j (W_j A_prev + b_j).

    A_prev: (n_prev, m); W: (k, n, n_prev); b: (k, n, 1).  Returns (A, cache)
    with A: (n, m).  Two pieces with W_2 = 0, b_2 = 0 give ReLU; maxout can
    learn any convex piecewise-linear activation, at k times the parameters.
    """
    A_prev, W, b = as_array("A_prev", A_prev), as_array("W", W), as_array("b", b)
    dims = check_shape("A_prev", A_prev, ("n_prev", "m"))
    check_shape("W", W, ("k", "n", "n_prev"), dims)
    check_shape("b", b, ("k", "n", 1), dims)
    Z = W @ A_prev + b                                       # (k, n, m)
    return Z.max(axis=0), (A_prev, W, b, Z)


def maxout_backward(dA, cache):
    """Backward pass of :func:`maxout_forward`: the gradient flows only through the winning piece.

    dA: (n, m).  Returns (dA_prev, dW, db) with shapes (n_prev, m), (k, n, n_prev), (k, n, 1).
    """
    A_prev, W, b, Z = cache
    dA = as_array("dA", dA)
    check_shape("dA", dA, Z.shape[1:])
    winner = Z.argmax(axis=0)                                # (n, m), the first of ties
    dZ = np.where(np.arange(Z.shape[0])[:, None, None] == winner, dA, 0.0)  # (k, n, m)
    dW = dZ @ A_prev.T                                       # (k, n, n_prev)
    db = dZ.sum(axis=2, keepdims=True)                       # (k, n, 1)
    dA_prev = np.einsum("knp,knm->pm", W, dZ)                # sum_j W_j^T dZ_j
    return dA_prev, dW, db


def softmax_backward(dS, S, axis=-1):
    """Backward pass of softmax, given its output S = softmax(z) along ``axis``.

    The Jacobian is dS_i/dz_j = S_i (delta_ij - S_j), so the vector-Jacobian
    product is dz = S * (dS - sum_j dS_j S_j).  dS, S: one shape.  Returns dz.
    With cross-entropy on top this collapses to dz = S - Y.
    """
    dS, S = as_array("dS", dS), as_array("S", S)
    check_shape("dS", dS, S.shape)
    return S * (dS - np.sum(dS * S, axis=axis, keepdims=True))
