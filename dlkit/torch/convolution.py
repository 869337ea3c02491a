"""Chapter 9 in PyTorch: twins of :mod:`dlkit.numpy.convolution`, NHWC like the notes; the backward passes are autograd.

torch's convolution functions work in NCHW with weights (n_C_out, n_C_in,
f, f); each twin permutes its inputs to that layout, calls F.conv2d,
F.max_pool2d / F.avg_pool2d, F.unfold / F.fold or F.conv_transpose2d, and
permutes the result back.  A filter bank W: (f, f, c_a, c_b) becomes
``W.permute(3, 2, 0, 1)``: (c_b, c_a, f, f), which is F.conv2d's weight for
a convolution from c_a to c_b channels and F.conv_transpose2d's for a
transposed convolution from c_b to c_a channels.  Caches hold what the
NumPy caches hold; the backward functions run the forward twin again under
autograd (:func:`dlkit.torch.activations._vjp`).  Sizes are checked as in
NumPy (:func:`dlkit.numpy.convolution.conv_output_size` computes sizes for
both backends).
"""

import torch
import torch.nn.functional as F

from dlkit._shapes import check_shape
from dlkit.numpy.convolution import _check_conv, _check_pool, _check_transpose, _count, _output_size
from dlkit.torch._tensors import as_tensor
from dlkit.torch.activations import _vjp


def _nchw(X):
    return X.permute(0, 3, 1, 2)                               # (m, n_H, n_W, n_C) -> (m, n_C, n_H, n_W)


def _nhwc(X):
    return X.permute(0, 2, 3, 1)                               # (m, n_C, n_H, n_W) -> (m, n_H, n_W, n_C)


def _weight(W):
    return W.permute(3, 2, 0, 1)                               # (f, f, c_a, c_b) -> (c_b, c_a, f, f)


def zero_pad(X, pad):
    """X: (m, n_H, n_W, n_C) with ``pad`` zeros around each image's height and width."""
    X = as_tensor("X", X)
    check_shape("X", X, ("m", "n_H", "n_W", "n_C"))
    pad = _count("pad", pad, 0)
    return F.pad(X, (0, 0, pad, pad, pad, pad))                # (last axis first): n_C, n_W, n_H


def conv_single_step(a_slice_prev, W, b):
    """sum(a_slice_prev * W) + b, a 0-d tensor.  a_slice_prev, W: (f, f, n_C_prev); b: (1, 1, 1)."""
    a_slice_prev = as_tensor("a_slice_prev", a_slice_prev)
    W, b = as_tensor("W", W, like=a_slice_prev), as_tensor("b", b, like=a_slice_prev)
    check_shape("a_slice_prev", a_slice_prev, ("f", "f", "n_C_prev"))
    check_shape("W", W, tuple(a_slice_prev.shape))
    check_shape("b", b, (1, 1, 1))
    return torch.sum(a_slice_prev * W) + b[0, 0, 0]


def _conv_inputs(A_prev, W, b):
    A_prev = as_tensor("A_prev", A_prev)
    return A_prev, as_tensor("W", W, like=A_prev), as_tensor("b", b, like=A_prev)


def _conv(A_prev, W, b, stride, pad):
    return _nhwc(F.conv2d(_nchw(A_prev), _weight(W), b.reshape(-1), stride=stride, padding=pad))


def conv_forward(A_prev, W, b, hparameters):
    """Z: (m, n_H, n_W, n_C) by F.conv2d.  A_prev: (m, n_H_prev, n_W_prev, n_C_prev), W: (f, f, n_C_prev, n_C).

    Returns (Z, cache) with cache = (A_prev, W, b, hparameters), as in NumPy.
    """
    A_prev, W, b = _conv_inputs(A_prev, W, b)
    stride, pad, _, _ = _check_conv(A_prev, W, b, hparameters)
    return _conv(A_prev, W, b, stride, pad), (A_prev, W, b, hparameters)


def conv_backward(dZ, cache):
    """(dA_prev, dW, db) by autograd through :func:`conv_forward`."""
    A_prev, W, b, hparameters = cache
    stride, pad, n_H, n_W = _check_conv(A_prev, W, b, hparameters)
    dZ = as_tensor("dZ", dZ, like=A_prev)
    check_shape("dZ", dZ, (A_prev.shape[0], n_H, n_W, W.shape[3]))
    return _vjp(lambda A, W, b: _conv(A, W, b, stride, pad), [A_prev, W, b], dZ)


def _pool(A_prev, f, stride, mode):
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return _nhwc(pool(_nchw(A_prev), f, stride))


def pool_forward(A_prev, hparameters, mode="max"):
    """Max or average pooling over f x f windows (F.max_pool2d / F.avg_pool2d).  Returns (A, (A_prev, hparameters))."""
    A_prev = as_tensor("A_prev", A_prev)
    f, stride, _, _ = _check_pool(A_prev, hparameters, mode)
    return _pool(A_prev, f, stride, mode), (A_prev, hparameters)


def pool_backward(dA, cache, mode="max"):
    """dA_prev by autograd through :func:`pool_forward`.

    For max pooling, autograd sends each window's gradient to one of its
    maxima; on the CPU, the first in row-major order (as dlkit.numpy does).
    """
    A_prev, hparameters = cache
    f, stride, n_H, n_W = _check_pool(A_prev, hparameters, mode)
    dA = as_tensor("dA", dA, like=A_prev)
    check_shape("dA", dA, (A_prev.shape[0], n_H, n_W, A_prev.shape[3]))
    return _vjp(lambda A: _pool(A, f, stride, mode), [A_prev], dA)[0]


def im2col(A_prev, f, stride, pad):
    """NumPy's im2col layout from F.unfold: (m n_H n_W, f f n_C_prev), rows (i, h, w), columns (a, d, k)."""
    A_prev = as_tensor("A_prev", A_prev)
    check_shape("A_prev", A_prev, ("m", "n_H_prev", "n_W_prev", "n_C_prev"))
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    _output_size(n_H_prev, f, pad, stride, "n_H_prev")
    _output_size(n_W_prev, f, pad, stride, "n_W_prev")
    cols = F.unfold(_nchw(A_prev), f, padding=pad, stride=stride)           # (m, n_C_prev f f, n_H n_W), rows (k, a, d)
    cols = cols.reshape(m, n_C_prev, f * f, -1).permute(0, 3, 2, 1)         # (m, n_H n_W, f f, n_C_prev)
    return cols.reshape(-1, f * f * n_C_prev)


def col2im(cols, A_shape, f, stride, pad):
    """The adjoint of :func:`im2col` by F.fold: overlapping windows summed, padding dropped.  Returns A_shape."""
    cols = as_tensor("cols", cols)
    if len(A_shape) != 4:
        raise ValueError(f"A_shape is {A_shape!r}, expected (m, n_H_prev, n_W_prev, n_C_prev)")
    m, n_H_prev, n_W_prev, n_C_prev = (_count("A_shape", n, 1) for n in A_shape)
    n_H = _output_size(n_H_prev, f, pad, stride, "n_H_prev")
    n_W = _output_size(n_W_prev, f, pad, stride, "n_W_prev")
    check_shape("cols", cols, (m * n_H * n_W, f * f * n_C_prev))
    cols = cols.reshape(m, n_H * n_W, f * f, n_C_prev).permute(0, 3, 2, 1)   # (m, n_C_prev, f f, n_H n_W)
    out = F.fold(cols.reshape(m, n_C_prev * f * f, n_H * n_W), (n_H_prev, n_W_prev), f, padding=pad, stride=stride)
    return _nhwc(out)


def _conv_transpose(A_prev, W, b, stride, pad):
    return _nhwc(F.conv_transpose2d(_nchw(A_prev), _weight(W), b.reshape(-1), stride=stride, padding=pad))


def conv_transpose_forward(A_prev, W, b, hparameters):
    """Transposed convolution by F.conv_transpose2d.  W: (f, f, n_C, n_C_prev), NumPy's layout.

    Returns (Out, cache): Out (m, (n_H_prev - 1) s - 2p + f, ..., n_C), cache = (A_prev, W, b, hparameters).
    """
    A_prev, W, b = _conv_inputs(A_prev, W, b)
    stride, pad, _, _ = _check_transpose(A_prev, W, b, hparameters)
    return _conv_transpose(A_prev, W, b, stride, pad), (A_prev, W, b, hparameters)


def conv_transpose_backward(dOut, cache):
    """(dA_prev, dW, db) by autograd through :func:`conv_transpose_forward`."""
    A_prev, W, b, hparameters = cache
    stride, pad, n_H, n_W = _check_transpose(A_prev, W, b, hparameters)
    dOut = as_tensor("dOut", dOut, like=A_prev)
    check_shape("dOut", dOut, (A_prev.shape[0], n_H, n_W, W.shape[2]))
    return _vjp(lambda A, W, b: _conv_transpose(A, W, b, stride, pad), [A_prev, W, b], dOut)
