"""Chapter 9: convolution, pooling, im2col and transposed convolution.

The notes' worked numbers; torch's F.conv2d, F.max_pool2d / F.avg_pool2d,
F.unfold / F.fold and F.conv_transpose2d (with their autograd) as oracles
over a grid of sizes, strides and paddings, mapping NHWC to NCHW and the
filters (f, f, c_a, c_b) to torch's (c_b, c_a, f, f); and bad input.
"""

import numpy as np
import pytest

from dlkit.numpy import convolution as conv

# the notes' 6x6 vertical-edge example (000, "Edge Detection"): the text gives the first window
# (3, 1, 2 / 0, 5, 7 / 1, 8, 2 by columns), the figure the whole image
EDGE_IMAGE = np.array([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3],
                       [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]], dtype=float)
VERTICAL_EDGE = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float)
# the single-channel example of 003 (卷积运算) and its filter
BOOTCAMP_INPUT = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], dtype=float)
BOOTCAMP_STRIDE_INPUT = np.array([[1, 2, 3, 0, 1], [0, 1, 2, 3, 0], [3, 0, 1, 2, 3], [2, 3, 0, 1, 2],
                                  [1, 2, 3, 0, 1]], dtype=float)
BOOTCAMP_FILTER = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], dtype=float)
# max pooling, f = 2, stride 2 (000, "Pooling Layers"): the text gives the maxima 9, 2, 6, 3, the figure this input
POOL_INPUT = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)


def _image(x):
    return x[None, :, :, None]                                 # (n_H, n_W) -> (1, n_H, n_W, 1)


def _single_filter(w):
    return w[:, :, None, None]                                 # (f, f) -> (f, f, 1, 1)


def _conv2d(x, w, pad=0, stride=1, bias=0.0):
    Z, _ = conv.conv_forward(_image(x), _single_filter(w), np.full((1, 1, 1, 1), bias), {"stride": stride, "pad": pad})
    return Z[0, :, :, 0]


def test_vertical_edge_example():
    np.testing.assert_array_equal(_conv2d(EDGE_IMAGE, VERTICAL_EDGE),
                                  [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])
    # the notes' sum for the first value: 3x1 + 1x1 + 2x1 + 0x0 + 5x0 + 7x0 + 1x-1 + 8x-1 + 2x-1 = -5
    window = EDGE_IMAGE[:3, :3, None]
    assert conv.conv_single_step(window, VERTICAL_EDGE[:, :, None], np.zeros((1, 1, 1))) == -5.0


def test_it_is_scipys_correlate2d_not_convolve2d():
    """The notes' pitfall: convolve2d flips the kernel first; flipped, the vertical-edge filter is its negative."""
    from scipy import signal
    ours = _conv2d(EDGE_IMAGE, VERTICAL_EDGE)
    np.testing.assert_array_equal(ours, signal.correlate2d(EDGE_IMAGE, VERTICAL_EDGE, mode="valid"))
    np.testing.assert_array_equal(ours, -signal.convolve2d(EDGE_IMAGE, VERTICAL_EDGE, mode="valid"))


def test_bootcamp_examples_with_padding_and_stride():
    np.testing.assert_array_equal(_conv2d(BOOTCAMP_INPUT, BOOTCAMP_FILTER), [[15, 16], [6, 15]])
    np.testing.assert_array_equal(_conv2d(BOOTCAMP_INPUT, BOOTCAMP_FILTER, pad=1),
                                  [[7, 12, 10, 2], [4, 15, 16, 10], [10, 6, 15, 6], [8, 10, 4, 3]])
    # stride 2 on the 5x5 input: the notes show the first row, 15 then 17
    np.testing.assert_array_equal(_conv2d(BOOTCAMP_STRIDE_INPUT, BOOTCAMP_FILTER, stride=2)[0], [15, 17])
    np.testing.assert_array_equal(_conv2d(BOOTCAMP_INPUT, BOOTCAMP_FILTER, bias=3.0), [[18, 19], [9, 18]])


def test_output_size_formula_and_the_notes_example():
    assert (conv.conv_output_size(28, 5, 2, 3), conv.conv_output_size(31, 5, 2, 3)) == (10, 11)
    Z, _ = conv.conv_forward(np.zeros((1, 28, 31, 1)), np.zeros((5, 5, 1, 2)), np.zeros((1, 1, 1, 2)),
                             {"stride": 3, "pad": 2})
    assert Z.shape == (1, 10, 11, 2)
    assert conv.conv_output_size(6, 3, 1, 1) == 6                # "same" padding p = (f - 1) / 2
    assert conv.conv_output_size(6, 3, 0, 1) == 4                # "valid": n - f + 1


def test_max_and_average_pooling_example_per_channel():
    A_prev = np.stack([POOL_INPUT, 10 * POOL_INPUT], axis=-1)[None]      # two channels, pooled separately
    hp = {"f": 2, "stride": 2}
    A, cache = conv.pool_forward(A_prev, hp, mode="max")
    np.testing.assert_array_equal(A[0, :, :, 0], [[9, 2], [6, 3]])
    np.testing.assert_array_equal(A[0, :, :, 1], [[90, 20], [60, 30]])
    A_avg, _ = conv.pool_forward(A_prev, hp, mode="average")
    np.testing.assert_array_equal(A_avg[0, :, :, 0], [[3.75, 1.25], [3.75, 2]])
    # backward: each window's gradient lands on its maximum; average spreads it as dA / 4
    dA = np.arange(1.0, 9.0).reshape(1, 2, 2, 2)
    dA_prev = conv.pool_backward(dA, cache, mode="max")
    expected = np.zeros((4, 4))
    expected[1, 1], expected[0, 2], expected[3, 1], expected[2, 3] = dA[0, :, :, 0].ravel()
    np.testing.assert_array_equal(dA_prev[0, :, :, 0], expected)
    dA_avg = conv.pool_backward(dA, conv.pool_forward(A_prev, hp, mode="average")[1], mode="average")
    np.testing.assert_array_equal(dA_avg[0, :, :, 1], np.kron(dA[0, :, :, 1], np.ones((2, 2))) / 4)


def test_max_pool_ties_go_to_the_first_maximum():
    """The documented tie rule: the first tied maximum in row-major order gets all of the gradient."""
    A_prev = np.array([[5, 5, 1, 7], [5, 0, 7, 7]], dtype=float)[None, :, :, None]
    A, cache = conv.pool_forward(A_prev, {"f": 2, "stride": 2})
    dA_prev = conv.pool_backward(np.array([[[[2.0], [3.0]]]]), cache)
    np.testing.assert_array_equal(dA_prev[0, :, :, 0], [[2, 0, 0, 3], [0, 0, 0, 0]])


def test_max_pool_ties_agree_with_torch_on_the_cpu():
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    A_prev = np.random.default_rng(0).integers(0, 3, (2, 6, 6, 3)).astype(float)   # many ties
    A, cache = conv.pool_forward(A_prev, {"f": 3, "stride": 1})
    dA = np.random.default_rng(1).standard_normal(A.shape)
    x = torch.tensor(_nchw(A_prev), requires_grad=True)
    torch.nn.functional.max_pool2d(x, 3, 1).backward(torch.tensor(_nchw(dA)))
    np.testing.assert_allclose(conv.pool_backward(dA, cache), _nhwc(x.grad.numpy()), rtol=1e-12, atol=1e-12)


def test_zero_pad():
    X = np.random.default_rng(0).standard_normal((2, 3, 4, 2))
    X_pad = conv.zero_pad(X, 2)
    assert X_pad.shape == (2, 7, 8, 2)
    np.testing.assert_array_equal(X_pad[:, 2:-2, 2:-2], X)
    assert np.count_nonzero(X_pad) == X.size


# --- torch as the oracle ------------------------------------------------------------------------

@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="the torch extra is not installed")


def _nchw(X):
    return np.ascontiguousarray(X.transpose(0, 3, 1, 2))


def _nhwc(X):
    return X.transpose(0, 2, 3, 1)


def _torch_weight(W):
    return np.ascontiguousarray(W.transpose(3, 2, 0, 1))       # (f, f, c_a, c_b) -> (c_b, c_a, f, f)


def _close(ours, theirs, rtol=1e-10):
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * max(1.0, float(np.abs(theirs).max())))


# (m, n_H_prev, n_W_prev, n_C_prev, n_C, f, pad, stride)
CONV_GRID = [
    (2, 5, 5, 3, 4, 3, 1, 1),      # "same" convolution
    (3, 7, 9, 2, 3, 3, 1, 2),      # non-square images, stride 2
    (5, 6, 4, 3, 2, 2, 0, 2),      # 2x2 filters tiling the image
    (2, 8, 6, 1, 2, 1, 0, 1),      # 1x1 convolution
    (2, 7, 7, 2, 3, 5, 2, 1),      # 5x5 filters
    (2, 9, 6, 2, 2, 3, 0, 3),      # stride 3
    (1, 4, 4, 2, 3, 4, 0, 1),      # the filter covers the whole image: 1x1 output
    (4, 6, 6, 3, 2, 4, 1, 2),      # 4x4, stride 2, pad 1
    (2, 8, 7, 2, 3, 3, 1, 2),      # (8 + 2 - 3) / 2 is not an integer: the floor, as in ResNet's stride-2 layers
]


def _conv_inputs(rng, m, n_H, n_W, n_C_prev, n_C, f):
    return (rng.standard_normal((m, n_H, n_W, n_C_prev)), rng.standard_normal((f, f, n_C_prev, n_C)),
            rng.standard_normal((1, 1, 1, n_C)))


@pytest.mark.parametrize("m, n_H, n_W, n_C_prev, n_C, f, pad, stride", CONV_GRID)
def test_conv_forward_and_backward_match_conv2d_and_its_autograd(torch, rng, m, n_H, n_W, n_C_prev, n_C, f, pad,
                                                                 stride):
    A_prev, W, b = _conv_inputs(rng, m, n_H, n_W, n_C_prev, n_C, f)
    Z, cache = conv.conv_forward(A_prev, W, b, {"stride": stride, "pad": pad})
    x, w = torch.tensor(_nchw(A_prev), requires_grad=True), torch.tensor(_torch_weight(W), requires_grad=True)
    bias = torch.tensor(b.ravel(), requires_grad=True)
    Z_t = torch.nn.functional.conv2d(x, w, bias, stride=stride, padding=pad)
    _close(Z, _nhwc(Z_t.detach().numpy()))
    dZ = rng.standard_normal(Z.shape)
    Z_t.backward(torch.tensor(_nchw(dZ)))
    dA_prev, dW, db = conv.conv_backward(dZ, cache)
    _close(dA_prev, _nhwc(x.grad.numpy()))
    _close(dW, w.grad.numpy().transpose(2, 3, 1, 0))
    _close(db, bias.grad.numpy().reshape(1, 1, 1, -1))


def test_chunks_of_images_give_the_same_result(rng, monkeypatch):
    """conv_forward / conv_backward build im2col a few images at a time: 5 images in chunks of 2, 2, 1."""
    A_prev, W, b = _conv_inputs(rng, 5, 6, 6, 3, 4, 3)
    hp = {"stride": 1, "pad": 1}
    Z, cache = conv.conv_forward(A_prev, W, b, hp)             # one chunk at these sizes
    dZ = rng.standard_normal(Z.shape)
    grads = conv.conv_backward(dZ, cache)
    monkeypatch.setattr(conv, "CHUNK_BYTES", 2 * 6 * 6 * 3 * 3 * 3 * 8)   # two images' rows of im2col, float64
    Z2, cache2 = conv.conv_forward(A_prev, W, b, hp)
    _close(Z2, Z, rtol=1e-13)
    for got, expected in zip(conv.conv_backward(dZ, cache2), grads):
        _close(got, expected, rtol=1e-13)


def test_float32_stays_float32_and_matches_torch(torch, rng):
    A_prev, W, b = (x.astype(np.float32) for x in _conv_inputs(rng, 3, 8, 8, 4, 5, 3))
    Z, cache = conv.conv_forward(A_prev, W, b, {"stride": 1, "pad": 1})
    dZ = rng.standard_normal(Z.shape).astype(np.float32)
    grads = conv.conv_backward(dZ, cache)
    assert Z.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    Z_t = torch.nn.functional.conv2d(torch.tensor(_nchw(A_prev)), torch.tensor(_torch_weight(W)),
                                     torch.tensor(b.ravel()), padding=1)
    _close(Z, _nhwc(Z_t.numpy()), rtol=1e-5)


# (m, n_H_prev, n_W_prev, n_C, f, stride)
POOL_GRID = [(2, 4, 6, 3, 2, 2), (2, 7, 9, 2, 3, 2), (1, 5, 5, 2, 3, 1), (2, 6, 6, 1, 3, 3), (3, 4, 4, 2, 4, 1),
             (2, 5, 7, 2, 2, 2)]                                  # odd sizes: the last row and column are dropped


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("m, n_H, n_W, n_C, f, stride", POOL_GRID)
def test_pooling_matches_torch_and_its_autograd(torch, rng, m, n_H, n_W, n_C, f, stride, mode):
    A_prev = rng.standard_normal((m, n_H, n_W, n_C))           # continuous values: no ties
    A, cache = conv.pool_forward(A_prev, {"f": f, "stride": stride}, mode=mode)
    pool = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    x = torch.tensor(_nchw(A_prev), requires_grad=True)
    A_t = pool(x, f, stride)
    _close(A, _nhwc(A_t.detach().numpy()))
    dA = rng.standard_normal(A.shape)
    A_t.backward(torch.tensor(_nchw(dA)))
    _close(conv.pool_backward(dA, cache, mode=mode), _nhwc(x.grad.numpy()))


@pytest.mark.parametrize("m, n_H, n_W, n_C_prev, n_C, f, pad, stride", CONV_GRID)
def test_im2col_is_unfold_and_col2im_its_adjoint(torch, rng, m, n_H, n_W, n_C_prev, n_C, f, pad, stride):
    A_prev = rng.standard_normal((m, n_H, n_W, n_C_prev))
    cols = conv.im2col(A_prev, f, stride, pad)
    unfolded = torch.nn.functional.unfold(torch.tensor(_nchw(A_prev)), f, padding=pad, stride=stride).numpy()
    # F.unfold: (m, n_C_prev f f, n_H n_W) with rows (k, a, d); ours: rows (i, h, w), columns (a, d, k)
    expected = unfolded.reshape(m, n_C_prev, f * f, -1).transpose(0, 3, 2, 1).reshape(cols.shape)
    np.testing.assert_array_equal(cols, expected)
    C = rng.standard_normal(cols.shape)
    back = conv.col2im(C, A_prev.shape, f, stride, pad)
    assert back.shape == A_prev.shape
    assert abs(np.sum(cols * C) - np.sum(A_prev * back)) < 1e-10 * np.sum(np.abs(cols * C))
    folded = torch.nn.functional.fold(
        torch.tensor(C.reshape(m, -1, f * f, n_C_prev).transpose(0, 3, 2, 1).reshape(m, n_C_prev * f * f, -1)),
        (n_H, n_W), f, padding=pad, stride=stride)
    _close(back, _nhwc(folded.numpy()))


# (m, n_H_prev, n_W_prev, n_C_prev, n_C, f, pad, stride); output (n_prev - 1) s - 2p + f
TRANSPOSE_GRID = [(2, 3, 4, 3, 2, 3, 1, 2), (2, 4, 4, 2, 3, 4, 1, 2), (1, 5, 3, 2, 2, 3, 0, 1),
                  (2, 2, 2, 3, 1, 2, 0, 2), (2, 3, 3, 2, 2, 5, 2, 3)]


@pytest.mark.parametrize("m, n_H, n_W, n_C_prev, n_C, f, pad, stride", TRANSPOSE_GRID)
def test_conv_transpose_matches_conv_transpose2d_and_its_autograd(torch, rng, m, n_H, n_W, n_C_prev, n_C, f, pad,
                                                                  stride):
    A_prev = rng.standard_normal((m, n_H, n_W, n_C_prev))
    W, b = rng.standard_normal((f, f, n_C, n_C_prev)), rng.standard_normal((1, 1, 1, n_C))
    out, cache = conv.conv_transpose_forward(A_prev, W, b, {"stride": stride, "pad": pad})
    assert out.shape == (m, (n_H - 1) * stride - 2 * pad + f, (n_W - 1) * stride - 2 * pad + f, n_C)
    x, w = torch.tensor(_nchw(A_prev), requires_grad=True), torch.tensor(_torch_weight(W), requires_grad=True)
    bias = torch.tensor(b.ravel(), requires_grad=True)
    out_t = torch.nn.functional.conv_transpose2d(x, w, bias, stride=stride, padding=pad)
    _close(out, _nhwc(out_t.detach().numpy()))
    d = rng.standard_normal(out.shape)
    out_t.backward(torch.tensor(_nchw(d)))
    dA_prev, dW, db = conv.conv_transpose_backward(d, cache)
    _close(dA_prev, _nhwc(x.grad.numpy()))
    _close(dW, w.grad.numpy().transpose(2, 3, 1, 0))
    _close(db, bias.grad.numpy().reshape(1, 1, 1, -1))


def test_conv_transpose_is_the_input_gradient_of_the_convolution(rng):
    """conv_transpose_forward(dZ, W) with zero bias is conv_backward's dA_prev for the convolution with W."""
    A_prev, W, b = _conv_inputs(rng, 2, 7, 9, 3, 4, 3)
    hp = {"stride": 2, "pad": 1}
    Z, cache = conv.conv_forward(A_prev, W, b, hp)
    dZ = rng.standard_normal(Z.shape)
    out, _ = conv.conv_transpose_forward(dZ, W, np.zeros((1, 1, 1, 3)), hp)
    _close(out, conv.conv_backward(dZ, cache)[0])


# --- bad input ------------------------------------------------------------------------------------

def _conv_call(A_shape=(2, 6, 6, 4), W_shape=(3, 3, 4, 8), stride=1, pad=0):
    return conv.conv_forward(np.zeros(A_shape), np.zeros(W_shape), np.zeros((1, 1, 1, W_shape[-1])),
                             {"stride": stride, "pad": pad})


def test_filter_deeper_than_the_input():
    with pytest.raises(ValueError, match=r"W has shape \(3, 3, 5, 8\), expected \(f, f, n_C_prev, n_C\) = "
                                         r"\(3, 3, 4, n_C\)"):
        _conv_call(W_shape=(3, 3, 5, 8))


def test_stride_zero_and_negative_padding():
    with pytest.raises(ValueError, match=r"stride is 0, expected an int >= 1"):
        _conv_call(stride=0)
    with pytest.raises(ValueError, match=r"pad is -1, expected an int >= 0"):
        _conv_call(pad=-1)
    with pytest.raises(ValueError, match=r"stride is 1.5, expected an int >= 1"):
        conv.conv_output_size(6, 3, 0, 1.5)


def test_output_size_rounds_down_and_the_rows_no_window_reaches_get_no_gradient():
    assert conv.conv_output_size(32, 3, 1, 2) == 16             # (32 + 2 - 3) / 2 + 1 = 16.5
    assert conv.conv_output_size(5, 2, 0, 2) == 2                # 2x2 pooling of 5 rows drops the fifth
    A_prev = np.random.default_rng(0).standard_normal((1, 5, 5, 1))
    A, cache = conv.pool_forward(A_prev, {"f": 2, "stride": 2})
    assert A.shape == (1, 2, 2, 1)
    dA_prev = conv.pool_backward(np.ones_like(A), cache)
    assert not dA_prev[0, 4].any() and not dA_prev[0, :, 4].any()


def test_filter_larger_than_the_padded_input():
    with pytest.raises(ValueError, match=r"the filter does not fit: f = 5 > n_H_prev \+ 2 pad = 3 \+ 2\*0 = 3"):
        _conv_call(A_shape=(1, 3, 8, 4), W_shape=(5, 5, 4, 2))


def test_bad_shapes_modes_and_hyperparameters():
    with pytest.raises(ValueError, match=r"W has shape \(3, 2, 4, 8\), expected \(f, f, n_C_prev, n_C\)"):
        _conv_call(W_shape=(3, 2, 4, 8))
    with pytest.raises(ValueError, match=r"A_prev has shape \(6, 6, 4\), expected \(m, n_H_prev, n_W_prev, n_C_prev\)"):
        _conv_call(A_shape=(6, 6, 4))
    with pytest.raises(ValueError, match=r"hparameters is \['pad'\], expected a dict with exactly the keys "
                                         r"\['stride', 'pad'\]"):
        conv.conv_forward(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), np.zeros((1, 1, 1, 1)), {"pad": 1})
    with pytest.raises(ValueError, match=r"mode is 'min', expected one of \['max', 'average'\]"):
        conv.pool_forward(np.zeros((1, 4, 4, 1)), {"f": 2, "stride": 2}, mode="min")
    _, cache = _conv_call()
    with pytest.raises(ValueError, match=r"dZ has shape \(2, 4, 4, 7\), expected \(2, 4, 4, 8\)"):
        conv.conv_backward(np.zeros((2, 4, 4, 7)), cache)
    with pytest.raises(ValueError, match=r"output size \(n_prev - 1\) stride - 2 pad \+ f is \(0, 0\)"):
        conv.conv_transpose_forward(np.zeros((1, 2, 2, 1)), np.zeros((1, 1, 1, 1)), np.zeros((1, 1, 1, 1)),
                                    {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match=r"cols has shape \(4, 9\), expected \(18, 9\)"):
        conv.col2im(np.zeros((4, 9)), (2, 3, 3, 1), 3, 1, 1)
