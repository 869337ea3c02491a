"""Chapter 9: a convolution layer's forward and backward, dlkit.numpy (im2col + GEMM) against F.conv2d on the CPU.

Each workload is a layer (batch m, input n_H x n_W x n_C_prev, n_C filters
f x f, padding p, stride s) in float32 or float64, timed for forward plus
backward (Z, dA_prev, dW, db from a fixed dZ):

- ``F.conv2d`` and autograd on CPU tensors in NCHW (**reference**);
- ``dlkit.numpy`` ``conv_forward`` + ``conv_backward`` (NHWC, im2col a few
  images at a time, one GEMM for Z and one for dW per chunk, one small GEMM
  per kernel offset for dA_prev);
- its matrix products alone: the same GEMMs on the same shapes, from an
  im2col built beforehand, so the ratio of the two rows above says what
  im2col, col2im's sums and the bias cost on top of the products;
- ``dlkit.torch`` ``conv_forward`` + ``conv_backward`` (permutes, F.conv2d,
  and autograd through the forward again);
- for the first layer in float64 only, the loops students write first: four
  nested loops over examples, rows, columns and filters calling a
  student's ``conv_single_step`` (np.sum(a_slice * W) + b, without dlkit's
  input checks), and the same loops for the backward pass, run on
  ``loop_batch`` images and their time scaled by m / loop_batch (the loops'
  time is linear in m).

torch runs with as many threads as numpy's BLAS (read with threadpoolctl;
OpenBLAS uses every CPU unless OPENBLAS_NUM_THREADS says otherwise), set
with torch.set_num_threads for this benchmark and restored after it.  Every
variant's results must equal the reference's (float64 to 1e-9, float32 to
1e-3 relative to the largest entry) before it is timed.
"""

import numpy as np

from _timing import time_workload
from dlkit.numpy import convolution as np_conv

try:
    import torch
    from threadpoolctl import threadpool_info            # the test extra

    from dlkit.torch import convolution as torch_conv
except ImportError:                                      # the torch and test extras of dlkit
    torch = None

# layers: (m, n_H_prev, n_W_prev, n_C_prev, n_C, f, pad, stride)
FULL = {"layers": [(64, 32, 32, 16, 32, 3, 1, 1), (64, 16, 16, 64, 64, 3, 1, 1), (64, 32, 32, 32, 64, 4, 1, 2)],
        "dtypes": ["float32", "float64"], "loop_batch": 1, "repeat": 5, "min_time": 0.05}   # 40-90 s on 2 cores
QUICK = {"layers": [(4, 6, 6, 2, 3, 3, 1, 1)], "dtypes": ["float32", "float64"], "loop_batch": 1, "repeat": 1,
         "min_time": 0.0}
TOLERANCE = {"float32": 1e-3, "float64": 1e-9}


# --- the loops, as a student first writes them ------------------------------

def _conv_single_step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + b.item()


def conv_forward_loops(A_prev, W, b, stride, pad):
    """Z[i, h, w, c] = conv_single_step(window at (h, w) of image i, filter c, b[c]), one value per call."""
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    n_H, n_W = (n_H_prev + 2 * pad - f) // stride + 1, (n_W_prev + 2 * pad - f) // stride + 1
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    Z = np.zeros((m, n_H, n_W, n_C), A_prev.dtype)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                a_slice = A_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
                for c in range(n_C):
                    Z[i, h, w, c] = _conv_single_step(a_slice, W[:, :, :, c], b[:, :, :, c])
    return Z


def conv_backward_loops(dZ, A_prev, W, stride, pad):
    """The same four loops: dZ[i, h, w, c] adds W[..., c] dZ to its window of dA_prev, and window dZ to dW[..., c]."""
    f = W.shape[0]
    A_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dA_pad, dW, db = np.zeros_like(A_pad), np.zeros_like(W), np.zeros((1, 1, 1, W.shape[3]), A_prev.dtype)
    m, n_H, n_W, n_C = dZ.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
                for c in range(n_C):
                    dA_pad[i, rows, cols, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += A_pad[i, rows, cols, :] * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
    return dA_pad[:, pad:pad + A_prev.shape[1], pad:pad + A_prev.shape[2]], dW, db


# --- the variants ---------------------------------------------------------------

def _torch_conv(A_prev, W, b, dZ, stride, pad):
    """Returns a function that runs F.conv2d forward and backward, results in NHWC as NumPy arrays."""
    x = torch.from_numpy(np.ascontiguousarray(A_prev.transpose(0, 3, 1, 2)))
    w = torch.from_numpy(np.ascontiguousarray(W.transpose(3, 2, 0, 1)))
    bias, d = torch.from_numpy(b.ravel().copy()), torch.from_numpy(np.ascontiguousarray(dZ.transpose(0, 3, 1, 2)))

    def run():
        inputs = [t.detach().requires_grad_(True) for t in (x, w, bias)]
        Z = torch.nn.functional.conv2d(*inputs, stride=stride, padding=pad)
        Z.backward(d)
        dx, dw, db = (t.grad.numpy() for t in inputs)
        return (Z.detach().numpy().transpose(0, 2, 3, 1), dx.transpose(0, 2, 3, 1), dw.transpose(2, 3, 1, 0),
                db.reshape(1, 1, 1, -1))
    return run


def _gemms_alone(A_prev, W, dZ, stride, pad):
    """The matrix products of conv_forward + conv_backward, chunk by chunk, on an im2col built beforehand.

    Returns a function giving (Z without the bias, dW), which the check compares with the reference.
    """
    f, _, n_C_prev, n_C = W.shape
    chunks = [(images, cols.copy()) for images, cols in np_conv._im2col_chunks(A_prev, f, stride, pad, A_prev.dtype)]
    W_col = W.reshape(-1, n_C)
    W_offsets = np.ascontiguousarray(W.reshape(f * f, n_C_prev, n_C).transpose(0, 2, 1))
    dZ_rows = [dZ[images].reshape(-1, n_C) for images, _ in chunks]
    Z = np.empty(dZ.shape, dZ.dtype)

    def run():
        dW = np.zeros(W_col.shape, W.dtype)
        for (images, cols), d in zip(chunks, dZ_rows):
            np.matmul(cols, W_col, out=Z[images].reshape(-1, n_C))
            dW += cols.T @ d
            d @ W_offsets                                 # dA_prev's products, one per kernel offset
        return Z, dW.reshape(W.shape)
    return run


def _close(got, expected, tol):
    return all(g.shape == e.shape and np.allclose(g, e, rtol=tol, atol=tol * np.abs(e).max())
               for g, e in zip(got, expected))


def _variants(layer, dtype, sizes, rng):
    m, n_H, n_W, n_C_prev, n_C, f, pad, stride = layer
    A_prev = rng.standard_normal((m, n_H, n_W, n_C_prev)).astype(dtype)
    W = (rng.standard_normal((f, f, n_C_prev, n_C)) / np.sqrt(f * f * n_C_prev)).astype(dtype)
    b = rng.standard_normal((1, 1, 1, n_C)).astype(dtype)
    hp = {"stride": stride, "pad": pad}
    n_H_out, n_W_out = (np_conv.conv_output_size(n, f, pad, stride) for n in (n_H, n_W))
    dZ = rng.standard_normal((m, n_H_out, n_W_out, n_C)).astype(dtype)
    reference = _torch_conv(A_prev, W, b, dZ, stride, pad)
    expected, tol = reference(), TOLERANCE[dtype]

    def dlkit_numpy():
        Z, cache = np_conv.conv_forward(A_prev, W, b, hp)
        return (Z, *np_conv.conv_backward(dZ, cache))

    tensors = [torch.from_numpy(x) for x in (A_prev, W, b, dZ)]

    def dlkit_torch():
        Z, cache = torch_conv.conv_forward(*tensors[:3], hp)
        return tuple(t.numpy() for t in (Z, *torch_conv.conv_backward(tensors[3], cache)))

    variants = {
        "torch F.conv2d + autograd (reference)": (reference, None),
        "dlkit.numpy conv_forward + conv_backward": (dlkit_numpy, lambda r: _close(r, expected, tol)),
        "dlkit.numpy's matrix products alone": (_gemms_alone(A_prev, W, dZ, stride, pad),
                                                lambda r: _close(r, (expected[0] - b, expected[2]), tol)),
        "dlkit.torch twin (autograd)": (dlkit_torch, lambda r: _close(r, expected, tol)),
    }
    if dtype == "float64" and layer == sizes["layers"][0]:
        k = sizes["loop_batch"]
        expected_k = _torch_conv(A_prev[:k], W, b, dZ[:k], stride, pad)()

        def loops():
            return (conv_forward_loops(A_prev[:k], W, b, stride, pad),
                    *conv_backward_loops(dZ[:k], A_prev[:k], W, stride, pad))
        variants[f"naive loops, {k} image(s), time x {m // k}"] = (loops, lambda r: _close(r, expected_k, tol))
    return variants


def _blas_threads():
    """numpy's BLAS threads (threadpoolctl looks inside the loaded OpenBLAS)."""
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


def run(quick=False, seed=0):
    """Check, then time each variant.  Returns (sizes, rows); empty rows without torch (nothing to compare with)."""
    sizes = dict(QUICK if quick else FULL)
    if torch is None:
        return sizes, []
    threads, torch_threads = _blas_threads(), torch.get_num_threads()
    sizes["threads"] = threads
    rng = np.random.default_rng(seed)
    rows = []
    torch.set_num_threads(threads)
    try:
        for layer in sizes["layers"]:
            m, n_H, n_W, n_C_prev, n_C, f, pad, stride = layer
            for dtype in sizes["dtypes"]:
                workload = (f"{m} x {n_H}x{n_W}x{n_C_prev} -> {n_C} filters {f}x{f}, pad {pad}, stride {stride}, "
                            f"{dtype}, {threads} thread{'s' if threads > 1 else ''}")
                layer_rows = time_workload(workload, _variants(layer, dtype, sizes, rng), sizes["repeat"],
                                           sizes["min_time"])
                for row in layer_rows:                    # the loops ran on loop_batch images: scale to m
                    if row["variant"].startswith("naive loops"):
                        row["best_s"] *= m // sizes["loop_batch"]
                        row["ratio"] *= m // sizes["loop_batch"]
                rows += layer_rows
    finally:
        torch.set_num_threads(torch_threads)
    return sizes, rows
