"""Chapter 7, softmax regression: multiclass output with the cross-entropy loss.

Z: (K, m) logits, one column per example; Y: (K, m) targets, one-hot (or any
distribution over the K classes, e.g. smoothed labels).  With S = softmax(Z)
along the classes,

    J = -(1/m) sum_i sum_k Y_ki log S_ki,        dZ = (S - Y) / m

(the softmax's Jacobian S_k (delta_kj - S_j) times the loss's -Y_k / S_k sums
to S_j - Y_j, because each column of Y sums to 1).
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.basics import softmax


def one_hot(labels, K):
    """Labels (m,) or (1, m) of ints in 0..K-1 as a one-hot (K, m) matrix.

    >>> one_hot([2, 0], 3)
    array([[0., 1.],
           [0., 0.],
           [1., 0.]])
    """
    labels = np.asarray(labels).reshape(-1)
    if labels.size and (labels.min() < 0 or labels.max() >= K or not np.all(labels == np.round(labels))):
        raise ValueError(f"labels hold {sorted(set(labels.tolist()))[:5]}..., expected integers in 0..{K - 1}")
    return np.eye(K)[:, labels.astype(int)]


def softmax_cross_entropy(Z, Y):
    """The cost and its gradient: (J, dZ) with dZ = (softmax(Z) - Y) / m, Z and Y: (K, m).

    log S is computed as Z - logsumexp(Z), so the cost stays finite for large logits.
    """
    Z, Y = as_array("Z", Z), as_array("Y", Y)
    dims = check_shape("Z", Z, ("K", "m"))
    check_shape("Y", Y, ("K", "m"), dims)
    shifted = Z - Z.max(axis=0, keepdims=True)
    log_S = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    m = Z.shape[1]
    return float(-np.sum(Y * log_S) / m), (softmax(Z, axis=0) - Y) / m
