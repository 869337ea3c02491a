"""Chapter 12, face recognition: the triplet loss on the notes' numbers and against torch, decisions, mining, encoder.

The triplet loss is checked on the notes' example (d(A, P) = 0.5, alpha =
0.2: the negative must be at least 0.7 away), against nn.TripletMarginLoss
(which uses unsquared distances and the mean: the mapping is spelled out in
the test) and nn.TripletMarginWithDistanceLoss, and its torch gradient
against finite differences.  verify, who_is_it and their errors, batch-hard
mining against a brute-force loop, img_to_encoding, and a few training steps
of FaceEncoder.
"""

import numpy as np
import pytest

from dlkit.numpy import face_recognition as fr
from dlkit.testing import rel_error

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from dlkit.torch import face_recognition as tfr  # noqa: E402
from dlkit.torch.models import FaceEncoder  # noqa: E402


def _triplet(d_ap, d_an, angle):
    """A, P, N in the plane, A at the origin, with squared distances ||A - P||^2 = d_ap and ||A - N||^2 = d_an."""
    u = np.array([np.cos(angle), np.sin(angle)])
    v = np.array([-np.sin(angle), np.cos(angle)])
    return np.zeros(2), np.sqrt(d_ap) * u, np.sqrt(d_an) * v


def test_triplet_loss_on_the_notes_example():
    """The notes' d is the squared distance: d(A, P) = 0.5 and alpha = 0.2 need d(A, N) >= 0.7."""
    triplets = [_triplet(0.5, d_an, angle) for d_an, angle in ((0.6, 0.3), (0.7, 1.1), (0.8, 2.0), (0.5, 2.9))]
    A, P, N = (np.stack(t) for t in zip(*triplets))           # each (4, 2)
    assert fr.triplet_loss(A[:1], P[:1], N[:1], alpha=0.2) == pytest.approx(0.1, abs=1e-12)   # 0.5 - 0.6 + 0.2
    assert fr.triplet_loss(A[1:2], P[1:2], N[1:2], alpha=0.2) == pytest.approx(0.0, abs=1e-12)  # on the margin
    assert fr.triplet_loss(A[2:3], P[2:3], N[2:3], alpha=0.2) == 0.0                             # beyond it
    assert fr.triplet_loss(A[3], P[3], N[3], alpha=0.2) == pytest.approx(0.2, abs=1e-12)        # d(A, N) = d(A, P)
    # J sums over the triplets (not a mean): 0.1 + 0 + 0 + 0.2
    assert fr.triplet_loss(A, P, N, alpha=0.2) == pytest.approx(0.3, abs=1e-12)


def test_triplet_loss_is_zero_when_every_margin_is_met(rng):
    A = rng.standard_normal((10, 8))
    P = A + 0.01 * rng.standard_normal((10, 8))
    N = A + 5.0                                               # ||A - N||^2 = 200
    assert fr.triplet_loss(A, P, N, alpha=0.2) == 0.0
    assert fr.triplet_loss(A, P, N, alpha=150.0) == 0.0
    assert fr.triplet_loss(A, P, N, alpha=250.0) > 0.0


def test_triplet_loss_against_torch_triplet_margin_losses(rng):
    """nn.TripletMarginLoss: max(||a - p|| - ||a - n|| + margin, 0), unsquared, mean over triplets.

    Ours: max(||a - p||^2 - ||a - n||^2 + alpha, 0), summed.  Since
    dp^2 - dn^2 = (dp - dn)(dp + dn), the terms agree when dp + dn = 1: the
    triplets below are built that way, so each of our terms equals torch's
    term with margin = alpha (reduction='none', eps=0), and our J is m times
    torch's mean.  On general inputs, nn.TripletMarginWithDistanceLoss with
    the squared distance and reduction='sum' is our loss exactly.
    """
    m, d, alpha = 12, 5, 0.2
    A = rng.standard_normal((m, d))
    dp = rng.uniform(0.05, 0.95, size=m)
    dn = 1 - dp                                               # dp + dn = 1 for every triplet
    unit = lambda X: X / np.linalg.norm(X, axis=1, keepdims=True)  # noqa: E731
    P = A + dp[:, None] * unit(rng.standard_normal((m, d)))
    N = A + dn[:, None] * unit(rng.standard_normal((m, d)))
    ours = np.array([fr.triplet_loss(A[i:i + 1], P[i:i + 1], N[i:i + 1], alpha=alpha) for i in range(m)])
    assert (ours > 0).any() and (ours == 0).any()            # both sides of the hinge are exercised
    At, Pt, Nt = (torch.tensor(X) for X in (A, P, N))
    terms = torch.nn.TripletMarginLoss(margin=alpha, eps=0.0, reduction="none")(At, Pt, Nt)
    assert rel_error(ours, terms.numpy()) < 1e-10
    mean = torch.nn.TripletMarginLoss(margin=alpha, eps=0.0)(At, Pt, Nt).item()
    assert fr.triplet_loss(A, P, N, alpha=alpha) == pytest.approx(m * mean, rel=1e-10)

    A, P, N = (rng.standard_normal((m, d)) for _ in range(3))
    squared = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: ((x - y) ** 2).sum(dim=1), margin=1.5, reduction="sum")
    expected = squared(*(torch.tensor(X) for X in (A, P, N))).item()
    assert fr.triplet_loss(A, P, N, alpha=1.5) == pytest.approx(expected, rel=1e-12)


def test_torch_triplet_loss_equals_numpy_and_keeps_dtype(rng):
    A, P, N = (rng.standard_normal((7, 3)) for _ in range(3))
    got = tfr.triplet_loss(*(torch.tensor(X) for X in (A, P, N)), alpha=0.5)
    assert got.shape == () and got.dtype == torch.float64
    assert rel_error(fr.triplet_loss(A, P, N, alpha=0.5), got.item()) < 1e-12
    assert tfr.triplet_loss(*(torch.tensor(X, dtype=torch.float32) for X in (A, P, N))).dtype == torch.float32


def test_torch_triplet_loss_gradient_against_finite_differences(rng):
    A, P, N = (rng.standard_normal((6, 4)) for _ in range(3))
    terms = np.sum((A - P) ** 2, axis=1) - np.sum((A - N) ** 2, axis=1) + 0.5
    assert np.min(np.abs(terms)) > 0.05 and (terms > 0).any() and (terms < 0).any()   # away from the hinge
    inputs = tuple(torch.tensor(X, requires_grad=True) for X in (A, P, N))
    assert torch.autograd.gradcheck(lambda a, p, n: tfr.triplet_loss(a, p, n, alpha=0.5), inputs, eps=1e-6, atol=1e-8)


def test_triplet_loss_rejects_shapes_that_differ_and_a_negative_margin():
    with pytest.raises(ValueError, match=r"A has shape \(3, 4\), P \(3, 4\) and N \(2, 4\), expected the same"):
        fr.triplet_loss(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"A has shape \(2, 3, 4\), expected \(m, d\) or \(d,\)"):
        tfr.triplet_loss(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="alpha is -0.1"):
        fr.triplet_loss(np.zeros(2), np.zeros(2), np.zeros(2), alpha=-0.1)


def test_distance_row_by_row_and_broadcast_against_numpy_norm(rng):
    X, Y, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    for got, expected in ((fr.distance(X, Y), np.linalg.norm(X - Y, axis=1)),
                          (fr.distance(X, y), np.linalg.norm(X - y, axis=1)),
                          (fr.distance(y, X), np.linalg.norm(X - y, axis=1))):
        assert got.shape == (5,) and rel_error(got, expected) < 1e-12
    one = fr.distance(np.array([1.0, 2.0, 2.0]), np.zeros(3))
    assert isinstance(one, float) and one == 3.0
    assert tfr.distance(torch.tensor([1.0, 2.0, 2.0]), torch.zeros(3)).item() == 3.0
    with pytest.raises(ValueError, match=r"enc1 has shape \(5, 3\) and enc2 \(4, 3\)"):
        fr.distance(X, Y[:4])
    with pytest.raises(ValueError, match=r"enc1 has shape \(5, 3\) and enc2 \(2,\)"):
        tfr.distance(X, y[:2])


DATABASE = {"ann": np.array([0.0, 0.0]), "bob": np.array([1.0, 0.0]), "cy": np.array([0.0, 1.0])}


@pytest.mark.parametrize("backend", [fr, tfr])
def test_verify_accepts_up_to_and_including_the_threshold(backend):
    encoding = np.array([0.0, 0.5])                           # 0.5 from ann, exactly
    dist, same = backend.verify(encoding, "ann", DATABASE, threshold=0.5)
    assert float(dist) == 0.5 and same is True                # d <= tau: the same person
    assert backend.verify(encoding, "ann", DATABASE, threshold=0.4999)[1] is False
    dist, same = backend.verify(encoding, "cy", DATABASE)     # 0.5 from cy too; default threshold 0.7
    assert float(dist) == 0.5 and same is True
    assert backend.verify(encoding, "bob", DATABASE)[1] is False   # sqrt(1.25) > 0.7


@pytest.mark.parametrize("backend", [fr, tfr])
def test_verify_errors_name_the_identity_and_the_shapes(backend):
    with pytest.raises(KeyError, match=r"'dan' is not in the database; known names: 'ann', 'bob', 'cy'"):
        backend.verify(np.zeros(2), "dan", DATABASE)
    crowd = {f"p{k}": np.zeros(2) for k in range(8)}
    with pytest.raises(KeyError, match=r"known names: 'p0', 'p1', 'p2', 'p3', 'p4', \.\.\. \(8 in all\)"):
        backend.verify(np.zeros(2), "dan", crowd)
    with pytest.raises(ValueError, match=r"database\['bob'\] has shape \(2,\) and encoding \(3,\), expected the same"):
        backend.verify(np.zeros(3), "bob", DATABASE)
    with pytest.raises(ValueError, match=r"encoding has shape \(1, 2\), expected \(d,\)"):
        backend.verify(np.zeros((1, 2)), "bob", DATABASE)


@pytest.mark.parametrize("backend", [fr, tfr])
def test_who_is_it_nearest_none_above_threshold_and_empty_database(backend):
    dist, name = backend.who_is_it(np.array([0.9, 0.1]), DATABASE)
    assert name == "bob" and float(dist) == pytest.approx(np.sqrt(0.02), rel=1e-12)
    dist, name = backend.who_is_it(np.array([3.0, 4.0]), DATABASE)
    assert name is None and float(dist) == pytest.approx(np.sqrt(18.0), rel=1e-12)   # nearest: cy, but too far
    dist, name = backend.who_is_it(np.array([1.0, 1.0]), DATABASE, threshold=1.0)
    assert name == "bob" and float(dist) == 1.0               # bob and cy tie at 1: the first in the dict
    dist, name = backend.who_is_it(np.array([0.5, 0.5]), {})
    assert name is None and float(dist) == np.inf
    with pytest.raises(ValueError, match=r"database\['ann'\] has shape \(2,\) and encoding \(3,\)"):
        backend.who_is_it(np.zeros(3), DATABASE)


def _brute_force_hardest(encodings, labels):
    """The mining rule written as loops: farthest positive, closest negative, ties to the lowest index."""
    m = len(labels)
    D = [[float(np.sum((encodings[i] - encodings[j]) ** 2)) for j in range(m)] for i in range(m)]
    found = []
    for i in range(m):
        positives = [j for j in range(m) if labels[j] == labels[i] and j != i]
        negatives = [k for k in range(m) if labels[k] != labels[i]]
        if positives and negatives:
            p = max(positives, key=lambda j: (D[i][j], -j))
            n = min(negatives, key=lambda k: (D[i][k], k))
            found.append((i, p, n))
    return tuple(np.array(column, dtype=np.int64) for column in zip(*found))


def test_hardest_triplets_against_a_brute_force_loop(rng):
    # labels with a singleton identity (4: no positive), and repeated points, so that distances tie
    labels = np.array([0, 1, 0, 2, 1, 0, 4, 2, 1, 0, 2, 1])
    encodings = rng.integers(0, 3, size=(12, 2)).astype(np.float64)
    expected = _brute_force_hardest(encodings, labels)
    assert 6 not in expected[0] and len(expected[0]) == 11
    for backend in (fr, tfr):
        got = backend.hardest_triplets(encodings, labels)
        for e, g in zip(expected, got):
            g = g.numpy() if isinstance(g, torch.Tensor) else g
            assert g.dtype == np.int64
            np.testing.assert_array_equal(g, e)
    encodings = rng.standard_normal((30, 4))
    labels = rng.integers(5, size=30)
    for e, g in zip(_brute_force_hardest(encodings, labels), fr.hardest_triplets(encodings, labels[None, :])):
        np.testing.assert_array_equal(g, e)


def test_hardest_triplets_with_one_identity_finds_no_triplet_and_checks_labels():
    a, p, n = fr.hardest_triplets(np.eye(3), np.zeros(3, dtype=int))
    assert a.shape == p.shape == n.shape == (0,)
    with pytest.raises(ValueError, match=r"labels has shape \(4,\), expected \(m,\) or \(1, m\) with m = 3"):
        fr.hardest_triplets(np.eye(3), np.zeros(4, dtype=int))


def test_all_triplets_lists_every_valid_triplet_once():
    labels = np.array([0, 1, 0, 2, 1, 0, 4, 2, 1, 0, 2, 1])
    expected = [(a, p, n) for a in range(12) for p in range(12) for n in range(12)
                if a != p and labels[a] == labels[p] != labels[n]]          # already in lexicographic order
    for backend in (fr, tfr):
        got = [g.numpy() if isinstance(g, torch.Tensor) else g for g in backend.all_triplets(labels)]
        assert all(g.dtype == np.int64 for g in got)
        assert list(zip(*(g.tolist() for g in got))) == expected
    a, p, n = fr.all_triplets(np.zeros((1, 4), dtype=int))                # one identity: no negative
    assert a.shape == p.shape == n.shape == (0,)
    with pytest.raises(ValueError, match="non-integer values"):
        fr.all_triplets(np.array([0.5, 1.0]))


def test_img_to_encoding_shapes_unit_norms_and_batches():
    torch.manual_seed(0)
    model = FaceEncoder(d=8, channels=(4, 8))
    images = np.random.default_rng(0).random((10, 28, 28, 1))   # NHWC
    enc = tfr.img_to_encoding(images, model, batch_size=4)       # batches of 4, 4, 2
    assert enc.shape == (10, 8) and enc.dtype == np.float64
    assert np.allclose(np.linalg.norm(enc, axis=1), 1.0, atol=1e-6)
    assert model.training                                        # eval mode only while encoding
    assert rel_error(tfr.img_to_encoding(images, model), enc) < 1e-5
    one = tfr.img_to_encoding(images[3], model)
    assert one.shape == (8,) and rel_error(one, enc[3]) < 1e-5
    with pytest.raises(ValueError, match=r"images has shape \(28, 28\)"):
        tfr.img_to_encoding(images[0, :, :, 0], model)
    with pytest.raises(ValueError, match=r"x has shape \(10, 3, 28, 28\)"):
        tfr.img_to_encoding(np.repeat(images, 3, axis=3), model)


def test_face_encoder_rows_are_unit_vectors_and_bad_channels_are_rejected():
    enc = FaceEncoder(d=16)(torch.rand(6, 1, 28, 28))
    assert enc.shape == (6, 16)
    assert torch.allclose(enc.norm(dim=1), torch.ones(6), atol=1e-6)
    with pytest.raises(ValueError, match="expected one to four numbers of filters"):
        FaceEncoder(channels=(4, 4, 4, 4, 4))


def test_a_few_steps_of_face_encoder_training_lower_the_triplet_loss():
    from dlkit.data import load_fashion_mnist

    data = load_fashion_mnist(classes=range(4), seed=0)
    x = torch.as_tensor(data.as_cnn(data.X_train[:, :32]), dtype=torch.float32).permute(0, 3, 1, 2)  # NHWC -> NCHW
    labels = torch.as_tensor(data.Y_train[0, :32])
    torch.manual_seed(0)
    model = FaceEncoder(d=8, channels=(4, 8))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(10):
        enc = model(x)
        a, p, n = tfr.hardest_triplets(enc, labels)
        loss = tfr.triplet_loss(enc[a], enc[p], enc[n], alpha=0.2) / len(a)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
