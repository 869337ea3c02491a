"""Chapter 12 in PyTorch: twins of :mod:`dlkit.numpy.face_recognition`, and encodings from a model.

The losses and distances are tensors on the inputs' device and dtype, so
autograd trains an encoder through :func:`triplet_loss`; the decisions of
:func:`verify` and :func:`who_is_it` are Python values (a bool, a name).
:func:`img_to_encoding` runs a model, such as
:class:`dlkit.torch.models.FaceEncoder`, on NHWC NumPy images.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy.face_recognition import _check_entry, _lookup
from dlkit.torch._tensors import as_tensor
from dlkit.torch.knn import _as_labels


def _check_encodings(name, x, like=None):
    """x as a tensor of one encoding (d,) or a batch of rows (m, d)."""
    x = as_tensor(name, x, like=like)
    if x.ndim not in (1, 2):
        raise ValueError(f"{name} has shape {format_shape(x.shape)}, expected (m, d) or (d,)")
    return x


def triplet_loss(A, P, N, alpha=0.2):
    """J = sum_i max(||A_i - P_i||^2 - ||A_i - N_i||^2 + alpha, 0) for A, P, N: (m, d).  Returns a 0-d tensor.

    Squared distances and a sum, as in NumPy; nn.TripletMarginLoss uses the
    unsquared distance and the mean.
    """
    A = _check_encodings("A", A)
    P, N = _check_encodings("P", P, like=A), _check_encodings("N", N, like=A)
    if not A.shape == P.shape == N.shape:
        raise ValueError(f"A has shape {format_shape(A.shape)}, P {format_shape(P.shape)} and N "
                         f"{format_shape(N.shape)}, expected the same shape (m, d) for all three")
    if alpha < 0:
        raise ValueError(f"alpha is {alpha!r}, expected a margin >= 0")
    pos = torch.sum((A - P) ** 2, dim=-1)                     # (m,) squared distances anchor-positive
    neg = torch.sum((A - N) ** 2, dim=-1)                     # (m,) anchor-negative
    return torch.sum(torch.clamp(pos - neg + alpha, min=0.0))


def distance(enc1, enc2):
    """||enc1 - enc2||_2 row by row: (m, d), (m, d) or (d,) -> (m,); (d,), (d,) -> a 0-d tensor."""
    enc1 = _check_encodings("enc1", enc1)
    enc2 = _check_encodings("enc2", enc2, like=enc1)
    same_m = enc1.ndim == 1 or enc2.ndim == 1 or enc1.shape[0] == enc2.shape[0]
    if not (enc1.shape[-1] == enc2.shape[-1] and same_m):
        raise ValueError(f"enc1 has shape {format_shape(enc1.shape)} and enc2 {format_shape(enc2.shape)}, "
                         "expected (m, d) and (m, d), or one of them (d,), with the same d")
    diff = enc1 - enc2                                        # (m, d) or (d,)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))


def _entry(name, entry, encoding):
    """A database entry as a (d,) tensor like encoding: (d,)."""
    entry = as_tensor(name, entry, like=encoding)
    _check_entry(name, entry, encoding)
    return entry.to(encoding.device)


def verify(encoding, identity, database, threshold=0.7):
    """Face verification: (dist 0-d tensor, is_same bool), is_same = dist <= threshold; KeyError for unknown names."""
    encoding = as_tensor("encoding", encoding)
    check_shape("encoding", encoding, ("d",))
    entry = _entry(f"database[{identity!r}]", _lookup(identity, database), encoding)
    dist = distance(encoding, entry)
    return dist, bool(dist <= threshold)


def who_is_it(encoding, database, threshold=0.7):
    """Face recognition: (min_dist 0-d tensor, nearest name or None when min_dist > threshold); empty -> (inf, None)."""
    encoding = as_tensor("encoding", encoding)
    check_shape("encoding", encoding, ("d",))
    if not database:
        return torch.tensor(float("inf"), dtype=encoding.dtype, device=encoding.device), None
    names = list(database)
    entries = torch.stack([_entry(f"database[{name!r}]", database[name], encoding) for name in names])   # (K, d)
    dists = distance(entries, encoding)                       # (K,)
    k = int(torch.argmin(dists))                              # the first of equal minima
    return dists[k], (names[k] if bool(dists[k] <= threshold) else None)


def hardest_triplets(encodings, labels):
    """Batch-hard mining as in NumPy: (anchor_idx, positive_idx, negative_idx) int64 tensors on encodings' device.

    Runs without gradients: it only chooses indices.  Train on
    ``triplet_loss(enc[a], enc[p], enc[n])`` with the returned a, p, n.
    """
    encodings = as_tensor("encodings", encodings)
    m = check_shape("encodings", encodings, ("m", "d"))["m"]
    labels = _as_labels("labels", labels, m, device=encodings.device)
    with torch.no_grad():
        diff = encodings[:, None, :] - encodings[None, :, :]  # (m, m, d)
        D = torch.sum(diff * diff, dim=2)                     # (m, m) squared distances
    same = labels[:, None] == labels[None, :]                 # (m, m)
    positive = same & ~torch.eye(m, dtype=torch.bool, device=encodings.device)
    negative = ~same
    anchors = torch.nonzero(positive.any(dim=1) & negative.any(dim=1)).reshape(-1)
    far = torch.where(positive, D, -torch.inf)[anchors]       # (n, m): only positives compete
    near = torch.where(negative, D, torch.inf)[anchors]       # (n, m): only negatives compete
    return anchors, torch.argmax(far, dim=1), torch.argmin(near, dim=1)


def all_triplets(labels):
    """Batch-all as in NumPy: every valid (anchor_idx, positive_idx, negative_idx), int64 tensors on labels' device."""
    labels = as_tensor("labels", labels)
    labels = _as_labels("labels", labels, labels.shape[-1] if labels.ndim else 0, device=labels.device)
    same = labels[:, None] == labels[None, :]                 # (m, m)
    positive = same & ~torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    valid = positive[:, :, None] & ~same[:, None, :]          # (m, m, m): [a, p, n]
    return tuple(torch.nonzero(valid).unbind(dim=1))


def img_to_encoding(images, model, batch_size=256):
    """Encodings of NHWC NumPy images: (m, n_H, n_W, n_C) -> (m, d) float64 NumPy; one (n_H, n_W, n_C) -> (d,).

    The images go to the model in NCHW batches of ``batch_size``, on the
    device and in the dtype of its parameters, in eval mode (restored after)
    and without gradients; the encodings are the model's output rows.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or images.dtype.kind not in "biuf":
        raise ValueError(f"images has shape {format_shape(images.shape)} and dtype {images.dtype}, "
                         "expected real NHWC images (m, n_H, n_W, n_C) or one image (n_H, n_W, n_C)")
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size is {batch_size!r}, expected a positive int")
    single = images.ndim == 3
    batch = images[None] if single else images                # (m, n_H, n_W, n_C)
    if len(batch) == 0:
        raise ValueError(f"images has shape {format_shape(images.shape)}, expected at least one image")
    first = next(model.parameters())
    was_training = model.training
    out = []
    try:
        model.eval()
        with torch.no_grad():
            for start in range(0, len(batch), batch_size):
                x = torch.as_tensor(batch[start:start + batch_size], dtype=first.dtype, device=first.device)
                out.append(model(x.permute(0, 3, 1, 2)).to("cpu", torch.float64).numpy())   # NHWC -> NCHW
    finally:
        model.train(was_training)
    enc = np.concatenate(out)                                 # (m, d)
    return enc[0] if single else enc
