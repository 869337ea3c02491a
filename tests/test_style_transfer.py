"""Chapter 12: the costs of neural style transfer, StyleFeatures and style_transfer.

Worked numbers by hand; the Gram matrix's algebra; the costs' gradients
from torch autograd against their closed forms and torch.autograd.gradcheck;
what a style statistic ignores (where things are) and a content cost does
not; bad input in both backends.  (tests/test_parity.py compares every
NumPy function with its torch twin on random inputs.)
"""

import numpy as np
import pytest

from dlkit.numpy import style_transfer as nst

# One image, n_H = 1, n_W = 2, n_C = 2: position (0, 0) holds channels (1, 2), position (0, 1) holds (3, 4).
A_C = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])      # (1, 1, 2, 2)
A_G = np.array([[[[0.0, 2.0], [1.0, 1.0]]]])
# J_content: differences 1, 0, 2, 3 -> squares 1 + 0 + 4 + 9 = 14, over 4 n_H n_W n_C = 4 * 1 * 2 * 2 = 16.
CONTENT_COST = 14 / 16
# Unrolled with channels as rows: A_C = [[1, 3], [2, 4]], so G_C = [[1 + 9, 2 + 12], [2 + 12, 4 + 16]];
# A_G = [[0, 1], [2, 1]], so G_G = [[0 + 1, 0 + 1], [0 + 1, 4 + 1]].
GRAM_C = np.array([[10.0, 14.0], [14.0, 20.0]])
GRAM_G = np.array([[1.0, 1.0], [1.0, 5.0]])
# J_style^[l]: G_C - G_G = [[9, 13], [13, 15]] -> 81 + 169 + 169 + 225 = 644, over 4 n_C^2 (n_H n_W)^2 = 4 * 4 * 4 = 64.
STYLE_COST = 644 / 64


@pytest.fixture
def torch():
    return pytest.importorskip("torch", reason="the torch extra is not installed")


@pytest.fixture
def tst(torch):
    from dlkit.torch import style_transfer
    return style_transfer


def _unroll(a):
    return a.reshape(-1, a.shape[-1]).T                # (1, n_H, n_W, n_C) -> (n_C, n_H n_W)


def test_worked_numbers():
    assert nst.compute_content_cost(A_C, A_G) == pytest.approx(CONTENT_COST, rel=1e-15)
    np.testing.assert_array_equal(nst.gram_matrix(_unroll(A_C)), GRAM_C)
    np.testing.assert_array_equal(nst.gram_matrix(_unroll(A_G)), GRAM_G)
    assert nst.compute_layer_style_cost(A_C, A_G) == pytest.approx(STYLE_COST, rel=1e-15)
    assert nst.total_cost(CONTENT_COST, STYLE_COST) == pytest.approx(10 * 0.875 + 40 * 10.0625, rel=1e-15)


def test_worked_numbers_in_torch(torch, tst):
    a_C, a_G = torch.tensor(A_C), torch.tensor(A_G)
    assert tst.compute_content_cost(a_C, a_G).item() == pytest.approx(CONTENT_COST, rel=1e-15)
    assert tst.compute_layer_style_cost(a_C, a_G).item() == pytest.approx(STYLE_COST, rel=1e-15)
    J = tst.total_cost(tst.compute_content_cost(a_C, a_G), tst.compute_layer_style_cost(a_C, a_G), alpha=2, beta=3)
    assert J.dim() == 0 and J.item() == pytest.approx(2 * 0.875 + 3 * 10.0625, rel=1e-15)


def test_gram_matrix_is_symmetric_psd_and_a_sum_of_outer_products(rng):
    A = rng.standard_normal((4, 9))                    # n_C = 4 channels, n_H n_W = 9 positions
    G = nst.gram_matrix(A)
    assert G.shape == (4, 4)
    np.testing.assert_allclose(G, G.T, rtol=0, atol=1e-12)
    assert np.linalg.eigvalsh(G).min() > -1e-10
    np.testing.assert_allclose(G, sum(np.outer(A[:, j], A[:, j]) for j in range(9)), rtol=1e-12)
    assert np.linalg.eigvalsh(nst.gram_matrix(A[:, :2])).min() > -1e-10   # rank 2 < n_C: singular, still PSD


def test_gradients_match_their_closed_forms(torch, tst, rng):
    n_H, n_W, n_C = 3, 4, 5
    a_C, a_S = rng.standard_normal((1, n_H, n_W, n_C)), rng.standard_normal((1, n_H, n_W, n_C))
    a_G = torch.tensor(rng.standard_normal((1, n_H, n_W, n_C)), requires_grad=True)
    tst.compute_content_cost(a_C, a_G).backward()
    g = a_G.detach().numpy()
    np.testing.assert_allclose(a_G.grad.numpy(), -(a_C - g) / (2 * n_H * n_W * n_C), rtol=1e-12)
    a_G.grad = None
    tst.compute_layer_style_cost(a_S, a_G).backward()
    A_S, A_G = _unroll(a_S), _unroll(g)                # (n_C, n_H n_W)
    dA_G = -(A_S @ A_S.T - A_G @ A_G.T) @ A_G / (n_C ** 2 * (n_H * n_W) ** 2)
    np.testing.assert_allclose(_unroll(a_G.grad.numpy()), dA_G, rtol=1e-12)


def test_gradcheck(torch, tst, rng):
    a = torch.tensor(rng.standard_normal((1, 2, 3, 4)))
    b = torch.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda g: tst.compute_content_cost(a, g), (b,), eps=1e-6, atol=1e-8)
    assert torch.autograd.gradcheck(lambda g: tst.compute_layer_style_cost(a, g), (b,), eps=1e-6, atol=1e-8)
    A = torch.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    assert torch.autograd.gradcheck(tst.gram_matrix, (A,), eps=1e-6, atol=1e-8)


def test_style_cost_is_the_weighted_sum_of_the_layer_costs(rng):
    shapes = [(1, 4, 4, 3), (1, 2, 2, 6)]
    S = [rng.standard_normal(s) for s in shapes]
    G = [rng.standard_normal(s) for s in shapes]
    weights = [0.5, 3.0]                               # they need not sum to 1
    expected = sum(w * nst.compute_layer_style_cost(s, g) for w, s, g in zip(weights, S, G))
    assert nst.compute_style_cost(S, G, weights) == pytest.approx(expected, rel=1e-14)
    assert nst.compute_style_cost(S, G, [0.0, 1.0]) == pytest.approx(nst.compute_layer_style_cost(S[1], G[1]), rel=1e-14)
    assert nst.total_cost(2.0, 0.5, alpha=1, beta=4) == 4.0


def test_style_ignores_the_layout_and_content_does_not(rng):
    a = rng.standard_normal((1, 4, 5, 3))
    order = rng.permutation(20)
    shuffled = a.reshape(20, 3)[order].reshape(1, 4, 5, 3)   # the same pixels (all channels together), moved
    assert nst.compute_layer_style_cost(a, shuffled) < 1e-14
    assert nst.compute_content_cost(a, shuffled) > 0.1


@pytest.fixture(params=["numpy", "torch"])
def backend(request):
    if request.param == "numpy":
        return nst
    pytest.importorskip("torch", reason="the torch extra is not installed")
    from dlkit.torch import style_transfer
    return style_transfer


def test_bad_input(backend):
    a, b = np.zeros((1, 2, 2, 3)), np.zeros((1, 2, 3, 3))
    with pytest.raises(ValueError, match=r"a_G has shape \(1, 2, 3, 3\), expected a_C's shape \(1, 2, 2, 3\)"):
        backend.compute_content_cost(a, b)
    with pytest.raises(ValueError, match=r"a_G has shape \(1, 2, 3, 3\), expected a_S's shape \(1, 2, 2, 3\)"):
        backend.compute_layer_style_cost(a, b)
    with pytest.raises(ValueError, match=r"a_C has shape \(2, 2, 3\), expected \(1, n_H, n_W, n_C\)"):
        backend.compute_content_cost(a[0], a[0])
    with pytest.raises(ValueError, match=r"A has shape \(1, 2, 2, 3\), expected \(n_C, n_H\*n_W\)"):
        backend.gram_matrix(a)
    with pytest.raises(ValueError, match=r"have lengths \(2, 1, 2\), expected one equal number of layers"):
        backend.compute_style_cost([a, a], [a], [1, 1])
    with pytest.raises(ValueError, match=r"have lengths \(0, 0, 0\)"):
        backend.compute_style_cost([], [], [])
    with pytest.raises(ValueError, match=r"generated_activations\[1\] has shape \(1, 2, 3, 3\), "
                                         r"expected style_activations\[1\]'s shape \(1, 2, 2, 3\)"):
        backend.compute_style_cost([a, a], [a, b], [1, 1])
    with pytest.raises(ValueError, match=r"J_style has shape \(2,\), expected \(\)"):
        backend.total_cost(1.0, np.ones(2))


# --- torch only: the feature network and the optimisation ---------------------------------------

def test_style_features_are_fixed_seeded_and_nhwc(torch):
    from dlkit.torch.models import StyleFeatures
    f, same, other = StyleFeatures(seed=3), StyleFeatures(seed=3), StyleFeatures(seed=4)
    assert sum(p.numel() for p in f.parameters()) > 0
    assert not any(p.requires_grad for p in f.parameters())
    x = torch.rand(1, 3, 24, 16, generator=torch.Generator().manual_seed(0))
    out, again, different = f(x), same(x), other(x)
    assert [tuple(a.shape) for a in out] == [(1, 24, 16, 32), (1, 12, 8, 64), (1, 6, 4, 128), (1, 3, 2, 256)]
    for a, b, c in zip(out, again, different):
        assert torch.equal(a, b)
        assert not torch.allclose(a, c)
    with pytest.raises(ValueError, match=r"x has shape \(1, 1, 24, 16\), expected \(m, 3, n_H, n_W\)"):
        f(x[:, :1])
    with pytest.raises(ValueError, match=r"expected n_H and n_W >= 8"):
        f(x[:, :, :4])


def test_a_few_steps_lower_the_total_cost(torch, tst):
    from dlkit.data import load_style_images
    from dlkit.torch.models import StyleFeatures
    C, S = load_style_images(styles=("brick",), size=32)
    steps = []
    G, history = tst.style_transfer(C, S[:1], features=StyleFeatures(channels=(8, 16, 32)), content_layer=1,
                                    style_weights=(0.1, 1.0, 1.0), steps=15, lr=0.03,
                                    callback=lambda step, J: steps.append((step, J)))
    assert G.shape == (1, 32, 32, 3) and G.dtype == np.float64
    assert G.min() >= 0 and G.max() <= 1
    assert len(history) == 15 and [s for s, _ in steps] == list(range(15))
    assert [J for _, J in steps] == [h[0] for h in history]
    J0, Jc0, Js0 = history[0]
    assert Jc0 > 0 and J0 == pytest.approx(10 * Jc0 + 40 * Js0, rel=1e-5)
    assert history[-1][0] < 0.5 * J0


def test_style_transfer_bad_input(tst):
    from dlkit.data import load_style_images
    C, S = load_style_images(styles=("brick",), size=32)
    with pytest.raises(ValueError, match=r"style has shape \(2, 32, 32, 3\), expected \(1, n_H, n_W, 3\) = \(1, 32, 32, 3\)"):
        tst.style_transfer(C, np.concatenate([S, S]), steps=1)
    with pytest.raises(ValueError, match=r"init is 'zeros', expected one of"):
        tst.style_transfer(C, S[:1], init="zeros")
    with pytest.raises(ValueError, match=r"style_weights has 2 weights, expected one per layer of features: 4"):
        tst.style_transfer(C, S[:1], style_weights=(1, 1), steps=1)
    with pytest.raises(ValueError, match=r"content_layer is 4, expected an index into the 4 layers of features"):
        tst.style_transfer(C, S[:1], content_layer=4, steps=1)
    with pytest.raises(ValueError, match=r"content holds values in \[.+\], expected pixels in \[0, 1\]"):
        tst.style_transfer(2 * C, S[:1], steps=1)
