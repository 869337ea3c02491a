"""Chapter 8, single-number evaluation metrics (backend-neutral: labels in, numbers out).

For a binary task with positive class 1, counting true/false positives and negatives:

    accuracy  = (TP + TN) / (TP + TN + FP + FN)
    precision = TP / (TP + FP)      of the examples called positive, the fraction that are
    recall    = TP / (TP + FN)      of the positive examples, the fraction found
    F1        = 2 P R / (P + R)     the harmonic mean: low when either is low

For K classes, "macro" averages the per-class scores (every class counts the
same), "micro" pools the counts of all classes first (every example counts the
same; for single-label data micro precision = micro recall = accuracy).  A
ratio with an empty denominator is 0, as scikit-learn's zero_division=0.
"""

import numpy as np

AVERAGES = ("binary", "macro", "micro")


def _labels(name, y):
    y = np.asarray(y.detach().cpu() if hasattr(y, "detach") else y).reshape(-1)
    if y.size and not np.all(y == np.round(y)):
        raise ValueError(f"{name} holds non-integer values, expected class labels 0..K-1")
    return y.astype(int)


def confusion_matrix(y_true, y_pred, K=None):
    """C[i, j] = the number of examples of class i predicted as class j: (K, K), rows = truth.

    y_true, y_pred: labels 0..K-1 of the same length (any shape: (m,), (1, m)).
    K defaults to the largest label + 1.

    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred has {y_pred.size} labels, expected one per example of y_true ({y_true.size})")
    K = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)) + 1) if K is None else K
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= K):
        raise ValueError(f"labels must lie in 0..{K - 1}")
    C = np.zeros((K, K), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def _ratio(num, den):
    return np.divide(num, den, out=np.zeros(np.shape(num), dtype=float), where=np.asarray(den) > 0)


def _counts(y_true, y_pred, average, positive):
    """(TP, FP, FN) per class (macro), pooled (micro), or of the positive class (binary)."""
    if average not in AVERAGES:
        raise ValueError(f"average is {average!r}, expected one of {AVERAGES}")
    C = confusion_matrix(y_true, y_pred)
    if average == "binary":
        if C.shape[0] > 2:
            raise ValueError(f"average='binary' needs two classes, got {C.shape[0]}: use 'macro' or 'micro'")
        C = np.pad(C, (0, 2 - C.shape[0]))             # a class that never occurs
    tp = np.diag(C)
    fp, fn = C.sum(axis=0) - tp, C.sum(axis=1) - tp
    if average == "binary":
        return tp[positive], fp[positive], fn[positive]
    if average == "micro":
        return tp.sum(), fp.sum(), fn.sum()
    return tp, fp, fn


def accuracy(y_true, y_pred):
    """(TP + TN) / all: the fraction of labels predicted right."""
    C = confusion_matrix(y_true, y_pred)
    return float(np.trace(C) / C.sum()) if C.sum() else 0.0


def precision(y_true, y_pred, average="binary", positive=1):
    """TP / (TP + FP), of the positive class ("binary") or averaged over classes ("macro", "micro")."""
    tp, fp, _ = _counts(y_true, y_pred, average, positive)
    return float(np.mean(_ratio(tp, tp + fp)))


def recall(y_true, y_pred, average="binary", positive=1):
    """TP / (TP + FN), of the positive class ("binary") or averaged over classes ("macro", "micro")."""
    tp, _, fn = _counts(y_true, y_pred, average, positive)
    return float(np.mean(_ratio(tp, tp + fn)))


def f1(y_true, y_pred, average="binary", positive=1):
    """2 P R / (P + R) = 2 TP / (2 TP + FP + FN), per class then averaged for "macro"."""
    tp, fp, fn = _counts(y_true, y_pred, average, positive)
    return float(np.mean(_ratio(2 * tp, 2 * tp + fp + fn)))


def train_dev_split(m, train_dev_size, seed=0):
    """Indices (train, train_dev) of m training examples: a random train-dev set of train_dev_size
    held out from the *training distribution*, next to the dev/test sets of the target distribution.

    Error on train-dev minus error on train measures variance; error on dev
    minus error on train-dev measures data mismatch.
    """
    if not 0 < train_dev_size < m:
        raise ValueError(f"train_dev_size is {train_dev_size!r}, expected between 0 and m = {m}")
    order = np.random.default_rng(seed).permutation(m)
    return np.sort(order[train_dev_size:]), np.sort(order[:train_dev_size])
