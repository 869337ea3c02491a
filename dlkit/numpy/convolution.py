"""Chapter 9, convolutions and pooling, in the notes' NHWC layout.

Activations are (m, n_H, n_W, n_C): m images of height n_H, width n_W and
n_C channels; a layer's filters are W: (f, f, n_C_prev, n_C) and its biases
b: (1, 1, 1, n_C).  A "convolution" here is, as in every deep learning
library, a cross-correlation (no kernel flip; scipy.signal.correlate2d, not
scipy.signal.convolve2d, which flips the kernel first):

    Z[i, h, w, c] = sum_{a, d, k} A_pad[i, s h + a, s w + d, k] W[a, d, k, c] + b[c]

where A_pad is A_prev with p zeros added around each image.  With input size
n, filter f, padding p and stride s, the output size is

    n_out = floor((n + 2p - f) / s) + 1

When (n + 2p - f) is not a multiple of s, the last window stops short of the
padded input's end and the rows (columns) after it are not read: they get a
zero gradient, as in PyTorch (see :func:`conv_output_size`).

im2col turns the convolution into one matrix product: each output position
(i, h, w) gets one row holding its window of A_pad, flattened in the order
(a, d, k) of W's first three axes, so that

    im2col(A_prev): (m n_H n_W, f f n_C_prev)  @  W.reshape(f f n_C_prev, n_C)  =  Z.reshape(m n_H n_W, n_C).

The backward pass is two more products: dW = im2col(A_prev)^T dZ, and
dA_prev = col2im(dZ W^T), where col2im (the adjoint of im2col) adds each
row's window back where it came from.  :func:`conv_forward` and
:func:`conv_backward` build im2col a few images at a time so that the
buffer stays in the processor's cache, and compute dA_prev as one small
product per kernel offset (a, d), each added as one block to the slice of
dA_prev that the offset reads.  Pooling takes the max or the mean over the
same windows, channel by channel.

The transposed convolution (:func:`conv_transpose_forward`) is the map whose
matrix is the transpose of a convolution's: it sends each input position's
vector through every kernel offset to a window of a larger output.
"""

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array

POOL_MODES = ("max", "average")
CHUNK_BYTES = 1 << 20   # im2col is built for as many images at a time as fit in this many bytes


def _count(name, value, least):
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} is {value!r}, expected an int >= {least}") from None
    if value < least:
        raise ValueError(f"{name} is {value}, expected an int >= {least}")
    return value


def _output_size(n, f, pad, stride, name="n"):
    n, f = _count(name, n, 1), _count("f", f, 1)
    pad, stride = _count("pad", pad, 0), _count("stride", stride, 1)
    span = n + 2 * pad - f
    if span < 0:
        raise ValueError(f"the filter does not fit: f = {f} > {name} + 2 pad = {n} + 2*{pad} = {n + 2 * pad}")
    return span // stride + 1


def conv_output_size(n, f, pad, stride):
    """Output size of a convolution or pooling: floor((n + 2 pad - f) / stride) + 1.

    ``ValueError`` (naming the sizes) when a size, the stride or the padding
    is not an int, stride < 1, pad < 0, or the filter is larger than the
    padded input (f > n + 2 pad).  When (n + 2 pad - f) is not a multiple of
    stride, the floor drops the input's last rows or columns that no whole
    window reaches (PyTorch does the same).

    >>> conv_output_size(28, 5, 2, 3), conv_output_size(31, 5, 2, 3)   # the notes' example
    (10, 11)
    >>> conv_output_size(32, 3, 1, 2)                                    # (32 + 2 - 3) / 2 = 15.5: 15 + 1
    16
    """
    return _output_size(n, f, pad, stride)


def _hyperparameters(hparameters, keys):
    if not isinstance(hparameters, dict) or set(hparameters) != set(keys):
        got = sorted(hparameters) if isinstance(hparameters, dict) else hparameters
        raise ValueError(f"hparameters is {got!r}, expected a dict with exactly the keys {list(keys)}")
    return tuple(hparameters[k] for k in keys)


def _check_conv(A_prev, W, b, hparameters):
    """Shapes of a convolution's inputs: (stride, pad, n_H, n_W).  Works on arrays and tensors."""
    stride, pad = _hyperparameters(hparameters, ("stride", "pad"))
    dims = check_shape("A_prev", A_prev, ("m", "n_H_prev", "n_W_prev", "n_C_prev"))
    if W.ndim == 4:
        dims["f"] = W.shape[0]                                 # so that the message gives f's size too
    check_shape("W", W, ("f", "f", "n_C_prev", "n_C"), dims)
    check_shape("b", b, (1, 1, 1, "n_C"), dims)
    n_H = _output_size(dims["n_H_prev"], dims["f"], pad, stride, "n_H_prev")
    n_W = _output_size(dims["n_W_prev"], dims["f"], pad, stride, "n_W_prev")
    return stride, pad, n_H, n_W


def _check_transpose(A_prev, W, b, hparameters):
    """Shapes of a transposed convolution's inputs: (stride, pad, n_H, n_W) with n = (n_prev - 1) s - 2p + f."""
    stride, pad = _hyperparameters(hparameters, ("stride", "pad"))
    stride, pad = _count("stride", stride, 1), _count("pad", pad, 0)
    dims = check_shape("A_prev", A_prev, ("m", "n_H_prev", "n_W_prev", "n_C_prev"))
    if W.ndim == 4:
        dims["f"] = W.shape[0]
    check_shape("W", W, ("f", "f", "n_C", "n_C_prev"), dims)
    check_shape("b", b, (1, 1, 1, "n_C"), dims)
    sizes = [(n - 1) * stride - 2 * pad + dims["f"] for n in (dims["n_H_prev"], dims["n_W_prev"])]
    if min(sizes) < 1:
        raise ValueError(f"the output size (n_prev - 1) stride - 2 pad + f is {tuple(sizes)} for n_prev = "
                         f"{(dims['n_H_prev'], dims['n_W_prev'])}, stride = {stride}, pad = {pad}, f = {dims['f']}: "
                         "expected >= 1; use less padding")
    return stride, pad, *sizes


def _check_pool(A_prev, hparameters, mode):
    """Shapes of a pooling layer's input: (f, stride, n_H, n_W)."""
    if mode not in POOL_MODES:
        raise ValueError(f"mode is {mode!r}, expected one of {list(POOL_MODES)}")
    f, stride = _hyperparameters(hparameters, ("f", "stride"))
    check_shape("A_prev", A_prev, ("m", "n_H_prev", "n_W_prev", "n_C"))
    n_H = _output_size(A_prev.shape[1], f, 0, stride, "n_H_prev")
    n_W = _output_size(A_prev.shape[2], f, 0, stride, "n_W_prev")
    return f, stride, n_H, n_W


def zero_pad(X, pad):
    """X with ``pad`` zeros added on each side of every image's height and width.

    X: (m, n_H, n_W, n_C).  Returns (m, n_H + 2 pad, n_W + 2 pad, n_C).

    >>> zero_pad(np.ones((1, 2, 2, 1)), 1)[0, :, :, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]])
    """
    X = as_array("X", X)
    check_shape("X", X, ("m", "n_H", "n_W", "n_C"))
    pad = _count("pad", pad, 0)
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_single_step(a_slice_prev, W, b):
    """One output value of a convolution: sum(a_slice_prev * W) + b, a Python float.

    a_slice_prev, W: (f, f, n_C_prev), one window of the input and one filter; b: (1, 1, 1).
    """
    a_slice_prev, W, b = as_array("a_slice_prev", a_slice_prev), as_array("W", W), as_array("b", b)
    check_shape("a_slice_prev", a_slice_prev, ("f", "f", "n_C_prev"))
    check_shape("W", W, a_slice_prev.shape)
    check_shape("b", b, (1, 1, 1))
    return float(np.sum(a_slice_prev * W) + b[0, 0, 0])


def _windows(A_pad, f, stride):
    """Read-only view (m, n_H, n_W, f, f, n_C): [i, h, w] is the window at output position (h, w) of image i."""
    view = sliding_window_view(A_pad, (f, f), axis=(1, 2))     # (m, n_H_pad - f + 1, n_W_pad - f + 1, n_C, f, f)
    return view[:, ::stride, ::stride].transpose(0, 1, 2, 4, 5, 3)


def _im2col_chunks(A_prev, f, stride, pad, dtype):
    """Yield (images, cols): for a few images at a time, their rows of im2col, (len(images) n_H n_W, f f n_C_prev).

    ``cols`` is one buffer, refilled at each step: use it before asking for
    the next.  The chunk holds as many images as fit in CHUNK_BYTES.
    """
    windows = _windows(zero_pad(A_prev, pad), f, stride)
    m, n_H, n_W = windows.shape[:3]
    row = f * f * A_prev.shape[3]
    chunk = max(1, min(m, CHUNK_BYTES // (n_H * n_W * row * np.dtype(dtype).itemsize)))
    buffer = np.empty((chunk,) + windows.shape[1:], dtype)
    for start in range(0, m, chunk):
        part = windows[start:start + chunk]
        np.copyto(buffer[:len(part)], part)
        yield slice(start, start + len(part)), buffer[:len(part)].reshape(-1, row)


def _add_windows(out_pad, parts, stride):
    """col2im's sum: out_pad[i, s h + a, s w + d] += parts[a, d, i, h, w] for every kernel offset (a, d).

    out_pad: (m, n_H_pad, n_W_pad, n_C), modified in place; parts: (f, f, m, n_H, n_W, n_C).
    """
    f, _, _, n_H, n_W, _ = parts.shape
    for a in range(f):
        for d in range(f):
            out_pad[:, a:a + stride * (n_H - 1) + 1:stride, d:d + stride * (n_W - 1) + 1:stride] += parts[a, d]


def _crop(X_pad, pad):
    n_H, n_W = X_pad.shape[1] - 2 * pad, X_pad.shape[2] - 2 * pad
    return X_pad[:, pad:pad + n_H, pad:pad + n_W]


def im2col(A_prev, f, stride, pad):
    """The windows of the zero-padded A_prev as rows of a matrix.

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev).  Returns (m n_H n_W, f f n_C_prev):
    row (i n_H + h) n_W + w holds the f x f x n_C_prev window under output
    position (h, w) of image i, flattened in the order (a, d, k) of a filter
    W[a, d, k, :]; so ``im2col(A_prev, f, s, p) @ W.reshape(-1, n_C)`` is Z
    reshaped to (m n_H n_W, n_C).
    """
    A_prev = as_array("A_prev", A_prev)
    check_shape("A_prev", A_prev, ("m", "n_H_prev", "n_W_prev", "n_C_prev"))
    _output_size(A_prev.shape[1], f, pad, stride, "n_H_prev")
    _output_size(A_prev.shape[2], f, pad, stride, "n_W_prev")
    windows = _windows(zero_pad(A_prev, pad), f, stride)       # (m, n_H, n_W, f, f, n_C_prev)
    return windows.reshape(-1, f * f * A_prev.shape[3])        # a copy: the windows overlap


def col2im(cols, A_shape, f, stride, pad):
    """The adjoint of :func:`im2col`: each row's window added back where it was read, padding dropped.

    cols: (m n_H n_W, f f n_C_prev) in im2col's layout; A_shape = (m,
    n_H_prev, n_W_prev, n_C_prev).  Returns an array of shape A_shape in
    which every input position holds the sum of the entries of cols that
    im2col copied from it, so that <im2col(X), C> = <X, col2im(C)>.
    """
    cols = as_array("cols", cols)
    if len(A_shape) != 4:
        raise ValueError(f"A_shape is {A_shape!r}, expected (m, n_H_prev, n_W_prev, n_C_prev)")
    m, n_H_prev, n_W_prev, n_C_prev = (_count("A_shape", n, 1) for n in A_shape)
    n_H = _output_size(n_H_prev, f, pad, stride, "n_H_prev")
    n_W = _output_size(n_W_prev, f, pad, stride, "n_W_prev")
    check_shape("cols", cols, (m * n_H * n_W, f * f * n_C_prev))
    out_pad = np.zeros((m, n_H_prev + 2 * pad, n_W_prev + 2 * pad, n_C_prev), cols.dtype)
    parts = cols.reshape(m, n_H, n_W, f, f, n_C_prev).transpose(3, 4, 0, 1, 2, 5)   # (f, f, m, n_H, n_W, n_C_prev)
    _add_windows(out_pad, parts, stride)
    return _crop(out_pad, pad)


def conv_forward(A_prev, W, b, hparameters):
    """Z = A_prev * W + b, the convolution (cross-correlation) of a layer, by im2col and one product per chunk.

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), W: (f, f, n_C_prev, n_C),
    b: (1, 1, 1, n_C), hparameters: {"stride": s, "pad": p}.  Returns (Z,
    cache) with Z: (m, n_H, n_W, n_C), n_H = floor((n_H_prev + 2p - f) / s) + 1
    (likewise n_W), and cache = (A_prev, W, b, hparameters).
    """
    A_prev, W, b = as_array("A_prev", A_prev), as_array("W", W), as_array("b", b)
    stride, pad, n_H, n_W = _check_conv(A_prev, W, b, hparameters)
    dtype = np.result_type(A_prev, W, b)
    f, n_C = W.shape[0], W.shape[3]
    W_col = W.astype(dtype, copy=False).reshape(-1, n_C)      # (f f n_C_prev, n_C): rows in im2col's column order
    Z = np.empty((A_prev.shape[0], n_H, n_W, n_C), dtype)
    for images, cols in _im2col_chunks(A_prev, f, stride, pad, dtype):
        np.matmul(cols, W_col, out=Z[images].reshape(-1, n_C))
    Z += b
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ, cache):
    """Gradients of :func:`conv_forward`: (dA_prev, dW, db).

    dZ: (m, n_H, n_W, n_C).  With cols = im2col(A_prev):

        dW = cols^T dZ,   db = sum over i, h, w of dZ,   dA_prev = col2im(dZ W^T)

    computed a chunk of images at a time; dZ W^T is one (n_C, n_C_prev)
    product per kernel offset (a, d), added to the slice of dA_prev that the
    offset reads.  Returns arrays of the shapes of A_prev, W and b.
    """
    A_prev, W, b, hparameters = cache
    stride, pad, n_H, n_W = _check_conv(A_prev, W, b, hparameters)
    dZ = as_array("dZ", dZ)
    check_shape("dZ", dZ, (A_prev.shape[0], n_H, n_W, W.shape[3]))
    dtype = np.result_type(A_prev, W, b, dZ)
    dZ = np.ascontiguousarray(dZ, dtype)
    f, _, n_C_prev, n_C = W.shape
    W_offsets = np.ascontiguousarray(W.reshape(f * f, n_C_prev, n_C).transpose(0, 2, 1), dtype)  # (f f, n_C, n_C_prev)
    dW = np.zeros((f * f * n_C_prev, n_C), dtype)
    dA_pad = np.zeros((A_prev.shape[0], A_prev.shape[1] + 2 * pad, A_prev.shape[2] + 2 * pad, n_C_prev), dtype)
    for images, cols in _im2col_chunks(A_prev, f, stride, pad, dtype):
        dZ_rows = dZ[images].reshape(-1, n_C)                  # (chunk n_H n_W, n_C)
        dW += cols.T @ dZ_rows
        parts = dZ_rows @ W_offsets                            # (f f, chunk n_H n_W, n_C_prev): one product per offset
        _add_windows(dA_pad[images], parts.reshape(f, f, -1, n_H, n_W, n_C_prev), stride)
    db = dZ.sum(axis=(0, 1, 2)).reshape(b.shape)
    return _crop(dA_pad, pad), dW.reshape(W.shape), db


def pool_forward(A_prev, hparameters, mode="max"):
    """Max or average pooling of each channel over f x f windows, no padding.

    A_prev: (m, n_H_prev, n_W_prev, n_C), hparameters: {"f": f, "stride": s},
    mode "max" or "average".  Returns (A, cache) with A: (m, n_H, n_W, n_C),
    n_H = floor((n_H_prev - f) / s) + 1, and cache = (A_prev, hparameters).
    """
    A_prev = as_array("A_prev", A_prev)
    f, stride, _, _ = _check_pool(A_prev, hparameters, mode)
    windows = _windows(A_prev, f, stride)                      # (m, n_H, n_W, f, f, n_C)
    A = windows.max(axis=(3, 4)) if mode == "max" else windows.mean(axis=(3, 4))
    return A, (A_prev, hparameters)


def pool_backward(dA, cache, mode="max"):
    """dA_prev of :func:`pool_forward`: each window's gradient sent back to the inputs that made its output.

    max: all of dA goes to the position of the window's maximum.  Ties (equal
    maxima in one window) send it to the first of them in row-major order
    (smallest a, then smallest d), as torch's max_pool2d does on the CPU;
    the notes' mask (A_prev == max) would give it to every tied maximum.
    average: every input of the window gets dA / (f f).
    Overlapping windows (stride < f) add their contributions.
    dA: (m, n_H, n_W, n_C).  Returns dA_prev: (m, n_H_prev, n_W_prev, n_C).
    """
    A_prev, hparameters = cache
    f, stride, n_H, n_W = _check_pool(A_prev, hparameters, mode)
    dA = as_array("dA", dA)
    check_shape("dA", dA, (A_prev.shape[0], n_H, n_W, A_prev.shape[3]))
    dtype = np.result_type(A_prev, dA)
    if mode == "max":
        windows = _windows(A_prev, f, stride).transpose(3, 4, 0, 1, 2, 5)             # (f, f, m, n_H, n_W, n_C)
        first_max = windows.reshape(f * f, *dA.shape).argmax(axis=0)                # (m, n_H, n_W, n_C) in [0, f f)
        offsets = np.arange(f * f).reshape(f, f, 1, 1, 1, 1)
        parts = np.where(offsets == first_max, dA, 0).astype(dtype, copy=False)    # (f, f, m, n_H, n_W, n_C)
    else:
        parts = np.broadcast_to(dA.astype(dtype, copy=False) / (f * f), (f, f, *dA.shape))
    dA_prev = np.zeros(A_prev.shape, dtype)
    _add_windows(dA_prev, parts, stride)
    return dA_prev


def conv_transpose_forward(A_prev, W, b, hparameters):
    """Transposed convolution: every input position spreads W^T times its vector over an f x f window.

        Out_pad[i, s h + a, s w + d, c] += sum_k A_prev[i, h, w, k] W[a, d, c, k],   Out = crop(Out_pad, p) + b

    A_prev: (m, n_H_prev, n_W_prev, n_C_prev), W: (f, f, n_C, n_C_prev) (the
    layout of the convolution from n_C to n_C_prev channels whose input
    gradient this is), b: (1, 1, 1, n_C), hparameters {"stride": s, "pad": p}.
    Returns (Out, cache) with Out: (m, n_H, n_W, n_C), n_H = (n_H_prev - 1) s
    - 2p + f (likewise n_W), and cache = (A_prev, W, b, hparameters).  It is
    torch's conv_transpose2d with weight W.transpose(3, 2, 0, 1).
    """
    A_prev, W, b = as_array("A_prev", A_prev), as_array("W", W), as_array("b", b)
    stride, pad, n_H, n_W = _check_transpose(A_prev, W, b, hparameters)
    dtype = np.result_type(A_prev, W, b)
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, n_C = W.shape[0], W.shape[2]
    W_offsets = W.astype(dtype, copy=False).reshape(f * f, n_C, n_C_prev).transpose(0, 2, 1)   # (f f, n_C_prev, n_C)
    parts = A_prev.astype(dtype, copy=False).reshape(-1, n_C_prev) @ W_offsets    # (f f, m n_H_prev n_W_prev, n_C)
    out_pad = np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype)
    _add_windows(out_pad, parts.reshape(f, f, m, n_H_prev, n_W_prev, n_C), stride)
    return _crop(out_pad, pad) + b, (A_prev, W, b, hparameters)


def conv_transpose_backward(dOut, cache):
    """Gradients of :func:`conv_transpose_forward`: (dA_prev, dW, db), each a convolution-like product.

    dOut: (m, n_H, n_W, n_C).  With cols = im2col(dOut, f, s, p): (m n_H_prev n_W_prev, f f n_C),

        dA_prev = cols W.reshape(f f n_C, n_C_prev)   (the convolution of dOut with W)
        dW = cols^T A_prev.reshape(-1, n_C_prev),      db = sum over i, h, w of dOut
    """
    A_prev, W, b, hparameters = cache
    stride, pad, n_H, n_W = _check_transpose(A_prev, W, b, hparameters)
    dOut = as_array("dOut", dOut)
    check_shape("dOut", dOut, (A_prev.shape[0], n_H, n_W, W.shape[2]))
    f, n_C_prev = W.shape[0], W.shape[3]
    cols = im2col(dOut, f, stride, pad)                        # (m n_H_prev n_W_prev, f f n_C)
    dA_prev = (cols @ W.reshape(-1, n_C_prev)).reshape(A_prev.shape)
    dW = (cols.T @ A_prev.reshape(-1, n_C_prev)).reshape(W.shape)
    db = dOut.sum(axis=(0, 1, 2)).reshape(b.shape)
    return dA_prev, dW, db
