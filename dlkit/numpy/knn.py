"""Appendix A, the k-nearest-neighbour classifier, its distances and cross-validation.

Examples are columns: X_test: (n_x, m_test), X_train: (n_x, m_train), labels
y_train: (m_train,) ints in 0..K-1 ((1, m_train) is accepted too).  The
distance matrix D: (m_test, m_train) holds, for test example i and training
example j,

    L2:  D[i, j] = sqrt(sum_p (x_test_i[p] - x_train_j[p])^2)   (Euclidean; unchanged by rotating the axes)
    L1:  D[i, j] = sum_p |x_test_i[p] - x_train_j[p]|            (Manhattan; depends on the choice of axes)

The L2 matrix is computed three ways, with two loops, one loop, and none:
||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b turns the whole matrix into one
matrix product.  A test example gets the majority label of its k nearest
training examples; k is chosen by cross-validation on the training set.
"""

import numpy as np

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy._arrays import as_array

DISTANCES = ("l1", "l2")
# broadcasting in l1_distances builds (rows, m_train, n_x) blocks of at most this many entries
_CHUNK_ENTRIES = 2 ** 22


def _as_labels(name, y, m, K=None):
    """Labels (m,) or (1, m) of integers in 0..K-1 (any K >= 0 when K is None) as an int64 (m,) array."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == 1:
        y = y.reshape(-1)                                     # (1, m) -> (m,)
    if tuple(y.shape) != (m,):
        raise ValueError(f"{name} has shape {format_shape(y.shape)}, expected (m,) or (1, m) with m = {m}")
    if y.dtype.kind not in "biuf" or (y.dtype.kind == "f" and not np.all(y == np.round(y))):
        raise ValueError(f"{name} has dtype {y.dtype} with non-integer values, expected integer class labels")
    top = "K - 1" if K is None else K - 1
    if y.size and (y.min() < 0 or (K is not None and y.max() >= K)):
        raise ValueError(f"{name} holds labels from {int(y.min())} to {int(y.max())}, expected integers in 0..{top}")
    return y.astype(np.int64)


def _check_pair(X_test, X_train):
    X_test, X_train = as_array("X_test", X_test), as_array("X_train", X_train)
    _check_features(X_test, X_train)
    return X_test, X_train


def _check_features(X_test, X_train):
    """Both (n_x, m) with the same n_x; arrays or tensors."""
    check_shape("X_test", X_test, ("n_x", "m_test"))
    check_shape("X_train", X_train, ("n_x", "m_train"))
    if X_test.shape[0] != X_train.shape[0]:
        raise ValueError(f"X_test has shape {format_shape(X_test.shape)} and X_train {format_shape(X_train.shape)}, "
                         f"expected the same number of features n_x (rows) in both")


def compute_distances_two_loops(X_test, X_train):
    """L2 distances with a loop over test examples and one over training examples.  Returns D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    D = np.zeros((X_test.shape[1], X_train.shape[1]), dtype=np.result_type(X_test, X_train))
    for i in range(X_test.shape[1]):
        for j in range(X_train.shape[1]):
            diff = X_test[:, i] - X_train[:, j]                    # (n_x,)
            D[i, j] = np.sqrt(np.sum(diff * diff))
    return D


def compute_distances_one_loop(X_test, X_train):
    """L2 distances with one loop over test examples; each row of D at once by broadcasting.  D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    D = np.zeros((X_test.shape[1], X_train.shape[1]), dtype=np.result_type(X_test, X_train))
    for i in range(X_test.shape[1]):
        diff = X_train - X_test[:, i:i + 1]                         # (n_x, m_train) - (n_x, 1)
        D[i] = np.sqrt(np.sum(diff * diff, axis=0))
    return D


def compute_distances_no_loops(X_test, X_train):
    """L2 distances without loops: D^2 = ||x_test||^2 + ||x_train||^2 - 2 X_test^T X_train.

    Roundoff can make the squared distance of (nearly) equal points slightly
    negative; those entries are clipped to 0 before the square root.

    >>> compute_distances_no_loops(np.array([[0.0], [0.0]]), np.array([[3.0, 1.0], [4.0, 0.0]]))
    array([[5., 1.]])
    """
    X_test, X_train = _check_pair(X_test, X_train)
    sq_test = np.sum(X_test * X_test, axis=0)[:, None]          # (m_test, 1)
    sq_train = np.sum(X_train * X_train, axis=0)[None, :]       # (1, m_train)
    D2 = sq_test + sq_train - 2 * (X_test.T @ X_train)          # (m_test, m_train)
    return np.sqrt(np.maximum(D2, 0))


def l1_distances(X_test, X_train):
    """L1 (Manhattan) distances by broadcasting, a block of test examples at a time.  D: (m_test, m_train)."""
    X_test, X_train = _check_pair(X_test, X_train)
    n_x, m_train = X_train.shape
    A, B = X_test.T, X_train.T                                  # (m_test, n_x), (m_train, n_x)
    rows = max(1, _CHUNK_ENTRIES // max(1, m_train * n_x))
    D = np.zeros((A.shape[0], m_train), dtype=np.result_type(X_test, X_train))
    for start in range(0, A.shape[0], rows):
        block = A[start:start + rows, None, :] - B[None, :, :]  # (rows, m_train, n_x)
        D[start:start + rows] = np.abs(block).sum(axis=2)
    return D


def predict_labels(dists, y_train, k=1):
    """Majority label of the k nearest training examples of each test example.

    dists: (m_test, m_train), y_train: (m_train,) or (1, m_train) ints.  The
    neighbours are the k smallest distances of a row, equal distances ordered
    by training index (a stable sort); a tie in the vote goes to the smallest
    label.  Returns (m_test,) int64 labels.

    >>> predict_labels(np.array([[0.5, 0.1, 0.2, 0.9]]), [2, 0, 1, 1], k=3)
    array([0])
    """
    dists = as_array("dists", dists)
    m_train = check_shape("dists", dists, ("m_test", "m_train"))["m_train"]
    y_train = _as_labels("y_train", y_train, m_train)
    _check_k(k, m_train)
    nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]   # (m_test, k) training indices
    return _vote(y_train[nearest], int(y_train.max()) + 1)


def _check_k(k, m_train):
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= m_train:
        raise ValueError(f"k is {k!r}, expected an int from 1 to m_train = {m_train}")


def _vote(labels, K):
    """labels: (m_test, k), the labels of the k nearest -> (m_test,) the most frequent, ties to the smallest."""
    votes = (labels[:, :, None] == np.arange(K)).sum(axis=1)    # (m_test, K)
    return np.argmax(votes, axis=1)                             # the first, i.e. smallest, label of the most votes


def k_fold_split(m, n_folds, seed=0):
    """Indices of n_folds cross-validation splits of m examples.

    A permutation of 0..m-1 from np.random.default_rng(seed) is cut into
    n_folds nearly equal folds (np.array_split); split f validates on fold f
    and trains on the others.  Returns a list of n_folds (train_idx, val_idx)
    pairs of int arrays; each index is in exactly one val_idx.
    """
    if not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m is {m!r}, expected a positive int")
    if not isinstance(n_folds, (int, np.integer)) or not 2 <= n_folds <= m:
        raise ValueError(f"n_folds is {n_folds!r}, expected an int from 2 to m = {m}")
    folds = np.array_split(np.random.default_rng(seed).permutation(m), n_folds)
    return [(np.concatenate(folds[:f] + folds[f + 1:]), folds[f]) for f in range(n_folds)]


def cross_validate_knn(X, y, ks, n_folds=5, seed=0, distance="l2"):
    """Validation accuracy of kNN for each k in ks on each fold of :func:`k_fold_split`.

    X: (n_x, m), y: (m,) or (1, m) ints, distance "l1" or "l2".  The
    distances of a fold are computed and sorted once and shared by all k.  Returns
    accuracies: (len(ks), n_folds), the fraction of the fold's examples
    predicted right.
    """
    X = as_array("X", X)
    m = check_shape("X", X, ("n_x", "m"))["m"]
    y = _as_labels("y", y, m)
    if distance not in DISTANCES:
        raise ValueError(f"distance is {distance!r}, expected one of {DISTANCES}")
    dist_fn = l1_distances if distance == "l1" else compute_distances_no_loops
    accuracies = np.zeros((len(ks), n_folds))
    K = int(y.max()) + 1
    for f, (train_idx, val_idx) in enumerate(k_fold_split(m, n_folds, seed)):
        for k in ks:
            _check_k(k, len(train_idx))
        dists = dist_fn(X[:, val_idx], X[:, train_idx])         # (m_val, m_train)
        nearest = np.argsort(dists, axis=1, kind="stable")[:, :max(ks)]
        for row, k in enumerate(ks):
            accuracies[row, f] = np.mean(_vote(y[train_idx][nearest[:, :k]], K) == y[val_idx])
    return accuracies
