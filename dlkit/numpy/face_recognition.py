"""Chapter 12, face verification and recognition with encodings and the triplet loss.

A network (a Siamese network: the same weights for every image) maps an image
x to an encoding f(x), a row of d numbers.  Encodings are rows: a batch is
(m, d), one example per row (the CNN batch layout), and one encoding may be
(d,).  Two images show the same person when their encodings are close:

    d(x1, x2) = ||f(x1) - f(x2)||_2            (unsquared; verify and who_is_it compare it with a threshold tau)
    verification (1:1):  same person  <=>  d(x, x_identity) <= tau
    recognition (1:K):   the nearest of the K database entries, or nobody when even that one is farther than tau

The triplet loss trains f: an anchor A should be closer to a positive P (the
same person) than to a negative N (someone else) by a margin alpha,

    L(A, P, N) = max(||f(A) - f(P)||^2 - ||f(A) - f(N)||^2 + alpha, 0),    J = sum_i L(A(i), P(i), N(i))

with squared distances and a sum over the m triplets, as in the notes.  The
notes' example is in squared distances: for ||f(A) - f(P)||^2 = 0.5 and
alpha = 0.2, the loss is zero once ||f(A) - f(N)||^2 >= 0.7.  (The notes
write d(x1, x2) for the squared norm; the decisions here threshold the
unsquared one, which for unit-length encodings lies in [0, 2].)

Random triplets are mostly too easy (zero loss, no gradient):
:func:`hardest_triplets` picks, for each anchor of a batch, its farthest
positive and closest negative ("batch-hard" mining).
"""

import numpy as np

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.knn import _as_labels

# how many known names a KeyError lists
_SHOWN_NAMES = 5


def _check_encodings(name, x):
    """x as an array of one encoding (d,) or a batch of rows (m, d)."""
    x = as_array(name, x)
    if x.ndim not in (1, 2):
        raise ValueError(f"{name} has shape {format_shape(x.shape)}, expected (m, d) or (d,)")
    return x


def triplet_loss(A, P, N, alpha=0.2):
    """J = sum_i max(||A_i - P_i||^2 - ||A_i - N_i||^2 + alpha, 0) over the m triplets.  Returns a float.

    A, P, N: encodings of the anchors, positives and negatives, all (m, d) (or
    all (d,), one triplet); alpha >= 0, the margin.  torch's
    nn.TripletMarginLoss differs twice: it uses the unsquared distance
    ||A_i - P_i + eps||_2 (eps = 1e-6 by default) and takes the mean over
    the triplets.

    >>> A = np.zeros((1, 2)); P = np.array([[0.0, np.sqrt(0.5)]]); N = np.array([[np.sqrt(0.6), 0.0]])
    >>> round(triplet_loss(A, P, N, alpha=0.2), 12)       # 0.5 - 0.6 + 0.2
    0.1
    """
    A, P, N = _check_encodings("A", A), _check_encodings("P", P), _check_encodings("N", N)
    if not A.shape == P.shape == N.shape:
        raise ValueError(f"A has shape {format_shape(A.shape)}, P {format_shape(P.shape)} and N "
                         f"{format_shape(N.shape)}, expected the same shape (m, d) for all three")
    if alpha < 0:
        raise ValueError(f"alpha is {alpha!r}, expected a margin >= 0")
    pos = np.sum((A - P) ** 2, axis=-1)                       # (m,) squared distances anchor-positive
    neg = np.sum((A - N) ** 2, axis=-1)                       # (m,) anchor-negative
    return float(np.sum(np.maximum(pos - neg + alpha, 0.0)))


def _check_pair(enc1, enc2):
    """Two encodings or batches whose rows can be compared: the same d, and the same m when both are batches."""
    enc1, enc2 = _check_encodings("enc1", enc1), _check_encodings("enc2", enc2)
    same_d = enc1.shape[-1] == enc2.shape[-1]
    same_m = enc1.ndim == 1 or enc2.ndim == 1 or enc1.shape[0] == enc2.shape[0]
    if not (same_d and same_m):
        raise ValueError(f"enc1 has shape {format_shape(enc1.shape)} and enc2 {format_shape(enc2.shape)}, "
                         "expected (m, d) and (m, d), or one of them (d,), with the same d")
    return enc1, enc2


def distance(enc1, enc2):
    """||enc1 - enc2||_2 row by row: the decision quantity d(img1, img2).

    enc1, enc2: (m, d) and (m, d) -> (m,); (m, d) and (d,) (either order)
    -> (m,), each row against the one encoding; (d,) and (d,) -> a float.

    >>> distance(np.array([0.0, 3.0]), np.array([4.0, 0.0]))
    5.0
    """
    enc1, enc2 = _check_pair(enc1, enc2)
    diff = enc1 - enc2                                        # (m, d) or (d,)
    dist = np.sqrt(np.sum(diff * diff, axis=-1))
    return float(dist) if dist.ndim == 0 else dist


def _lookup(identity, database):
    if identity not in database:
        names = ", ".join(repr(k) for k in list(database)[:_SHOWN_NAMES])
        more = f", ... ({len(database)} in all)" if len(database) > _SHOWN_NAMES else ""
        raise KeyError(f"{identity!r} is not in the database; known names: {names or 'none'}{more}")
    return database[identity]


def _check_entry(name, entry, encoding):
    """A database entry (d,) with encoding's d (encoding: (d,), checked); arrays or tensors."""
    if tuple(entry.shape) != tuple(encoding.shape):
        raise ValueError(f"{name} has shape {format_shape(entry.shape)} and encoding {format_shape(encoding.shape)}, "
                         "expected the same shape (d,) for both")


def verify(encoding, identity, database, threshold=0.7):
    """Face verification: is ``encoding`` the person ``identity``?  Returns (dist, is_same).

    encoding: (d,); database: a dict name -> encoding (d,).  dist =
    ||encoding - database[identity]||_2 (a float), is_same = dist <= threshold
    (a bool; a distance equal to the threshold counts as the same person).
    KeyError when identity is not in the database.

    >>> verify(np.array([0.0, 0.5]), "ann", {"ann": np.zeros(2)})
    (0.5, True)
    """
    encoding = as_array("encoding", encoding)
    check_shape("encoding", encoding, ("d",))
    entry = as_array(f"database[{identity!r}]", _lookup(identity, database))
    _check_entry(f"database[{identity!r}]", entry, encoding)
    dist = distance(encoding, entry)
    return dist, bool(dist <= threshold)


def who_is_it(encoding, database, threshold=0.7):
    """Face recognition: the nearest database entry.  Returns (min_dist, identity), identity None if nobody is near.

    encoding: (d,); database: a dict name -> encoding (d,).  min_dist is the
    smallest ||encoding - database[name]||_2 (a float; ties go to the name
    that comes first in the dict); identity is that name, or None when
    min_dist > threshold (not in the database).  An empty database gives
    (inf, None).

    >>> who_is_it(np.array([1.0, 0.0]), {"ann": np.zeros(2), "bob": np.array([1.0, 0.2])})
    (0.2, 'bob')
    """
    encoding = as_array("encoding", encoding)
    check_shape("encoding", encoding, ("d",))
    if not database:
        return float("inf"), None
    names = list(database)
    entries = [as_array(f"database[{name!r}]", database[name]) for name in names]
    for name, entry in zip(names, entries):
        _check_entry(f"database[{name!r}]", entry, encoding)
    dists = distance(np.stack(entries), encoding)             # (K,): one distance per database entry
    k = int(np.argmin(dists))                                 # the first of equal minima
    min_dist = float(dists[k])
    return min_dist, (names[k] if min_dist <= threshold else None)


def hardest_triplets(encodings, labels):
    """Batch-hard mining: for each usable anchor, its farthest positive and its closest negative.

    encodings: (m, d), one row per image; labels: (m,) (or (1, m)) integer
    identities.  With the squared distances D[i, j] = ||enc_i - enc_j||^2,
    anchor i is used when another image has its label and some image has
    another label; its positive is argmax D[i, j] over the other images j of
    its label, its negative argmin D[i, k] over the images k of other labels
    (ties go to the lowest index).  Returns (anchor_idx, positive_idx,
    negative_idx), three int64 arrays (n,), anchors in increasing order: index
    the batch with them to get the triplet loss's A, P, N.

    >>> hardest_triplets(np.array([[0.0], [1.0], [3.0], [1.5]]), np.array([0, 0, 0, 1]))
    (array([0, 1, 2]), array([2, 2, 0]), array([3, 3, 3]))
    """
    encodings = as_array("encodings", encodings)
    m = check_shape("encodings", encodings, ("m", "d"))["m"]
    labels = _as_labels("labels", labels, m)
    diff = encodings[:, None, :] - encodings[None, :, :]      # (m, m, d)
    D = np.sum(diff * diff, axis=2)                           # (m, m) squared distances
    same = labels[:, None] == labels[None, :]                 # (m, m)
    positive = same & ~np.eye(m, dtype=bool)                  # same label, not the anchor itself
    negative = ~same
    anchors = np.flatnonzero(positive.any(axis=1) & negative.any(axis=1))
    far = np.where(positive, D, -np.inf)[anchors]             # (n, m): only positives compete
    near = np.where(negative, D, np.inf)[anchors]             # (n, m): only negatives compete
    return anchors.astype(np.int64), np.argmax(far, axis=1).astype(np.int64), np.argmin(near, axis=1).astype(np.int64)


def all_triplets(labels):
    """Every valid triplet of a batch (batch-all): all (anchor, positive, negative) with label_a = label_p != label_n.

    labels: (m,) (or (1, m)) integer identities.  The positive is another
    image than the anchor.  Returns (anchor_idx, positive_idx, negative_idx),
    three int64 arrays (n,) in lexicographic order.  Training on the mean of
    all their losses uses the easy triplets too (their loss is 0) and is
    steadier than the batch-hard choice from a fresh network.

    >>> all_triplets(np.array([0, 0, 1]))
    (array([0, 1]), array([1, 0]), array([2, 2]))
    """
    labels = as_array("labels", labels)
    labels = _as_labels("labels", labels, labels.shape[-1] if labels.ndim else 0)
    same = labels[:, None] == labels[None, :]                 # (m, m)
    positive = same & ~np.eye(len(labels), dtype=bool)
    valid = positive[:, :, None] & ~same[:, None, :]          # (m, m, m): [a, p, n]
    return tuple(i.astype(np.int64) for i in np.nonzero(valid))
