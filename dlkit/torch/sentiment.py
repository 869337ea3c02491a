"""Chapter 14 in PyTorch: twins of :mod:`dlkit.numpy.sentiment` (formulas there); the backward by autograd.

The PyTorch sentiment models, an LSTM over pretrained embeddings and
fastText's classifier, are :class:`dlkit.torch.models.SentimentLSTM` and
:class:`dlkit.torch.models.FastText`.
"""

import numpy as np
import torch

from dlkit._shapes import check_shape
from dlkit.numpy.sentiment import _known_words
from dlkit.torch._tensors import as_tensor
from dlkit.torch.activations import _vjp
from dlkit.torch.optimization import random_mini_batches
from dlkit.torch.softmax_regression import one_hot, softmax_cross_entropy


def sentence_to_avg(sentence, word_to_vec):
    """The mean (n_e,) of the vectors of the sentence's known words; zeros when it has none.

    word_to_vec: a dict word -> tensor (n_e,) (the result is on their device,
    in their dtype), or a :class:`dlkit.data.WordVectors` (float64 on the CPU).
    """
    words, lookup, first = _known_words(sentence, word_to_vec)
    first = as_tensor("word_to_vec's vectors", first)
    n_e = check_shape("word_to_vec's vectors", first, ("n_e",))["n_e"]
    if not words:
        return torch.zeros(n_e, dtype=first.dtype, device=first.device)
    E = torch.stack([as_tensor(f"word_to_vec[{w!r}]", lookup(w), like=first).to(first.device)
                     for w in words])                                     # (n, n_e), one row per word
    check_shape("word_to_vec's vectors", E, (None, n_e))
    return E.mean(dim=0)


def _check_classifier(X_avg, W, b):
    X_avg = as_tensor("X_avg", X_avg)
    W, b = as_tensor("W", W, like=X_avg), as_tensor("b", b, like=X_avg)
    dims = check_shape("X_avg", X_avg, ("n_e", "m"))
    check_shape("W", W, ("K", "n_e"), dims)
    check_shape("b", b, ("K", 1), dims)
    return X_avg, W, b


def avg_classifier_forward(X_avg, W, b):
    """Z = W X_avg + b: (K, m).  Returns (Z, cache = (X_avg, W, b))."""
    X_avg, W, b = _check_classifier(X_avg, W, b)
    return W @ X_avg + b, (X_avg, W, b)


def avg_classifier_backward(dZ, cache):
    """(dX_avg, dW, db) of Z = W X_avg + b, by autograd through :func:`avg_classifier_forward`."""
    X_avg, W, b = cache
    dZ = as_tensor("dZ", dZ, like=X_avg)
    check_shape("dZ", dZ, (W.shape[0], X_avg.shape[1]))
    return _vjp(lambda X_avg, W, b: W @ X_avg + b, [X_avg, W, b], dZ)


def _check_labels(Y, m, K=None, like=None):
    """Y: (1, m) integer class labels -> (1, m) tensor in like's dtype and on its device."""
    Y = as_tensor("Y", Y, like=like).to(like.device)
    check_shape("Y", Y, (1, m))
    if m and (Y.min() < 0 or not torch.all(Y == Y.round()) or (K is not None and Y.max() >= K)):
        raise ValueError(f"Y holds {sorted(set(Y.ravel().tolist()))[:5]}..., expected integer labels in "
                         f"0..{'K - 1' if K is None else K - 1}")
    return Y


def train_avg_classifier(X_avg, Y, n_classes=None, learning_rate=2.0, num_epochs=30, mini_batch_size=64, seed=0,
                         record_every=1, callback=None):
    """The NumPy twin's training (the same batches from the same seed) on X_avg's device, with autograd's dW, db.

    Returns (parameters {"W", "b"} as tensors, costs as Python floats).
    """
    X_avg = as_tensor("X_avg", X_avg)
    check_shape("X_avg", X_avg, ("n_e", "m"))
    n_e, m = X_avg.shape
    Y = _check_labels(Y, m, n_classes, like=X_avg)
    K = int(Y.max()) + 1 if n_classes is None else n_classes
    if not (isinstance(K, (int, np.integer)) and K >= 2):
        raise ValueError(f"n_classes is {n_classes!r}, expected an int >= 2 (or None: max(Y) + 1)")
    if not (isinstance(num_epochs, (int, np.integer)) and num_epochs >= 1):
        raise ValueError(f"num_epochs is {num_epochs!r}, expected a positive int")
    Y_one_hot = one_hot(Y, K).to(X_avg.dtype)                             # (K, m)
    W = torch.zeros(K, n_e, dtype=X_avg.dtype, device=X_avg.device)
    b = torch.zeros(K, 1, dtype=X_avg.dtype, device=X_avg.device)
    costs = []
    for epoch in range(num_epochs):
        total = 0.0
        for X_batch, Y_batch in random_mini_batches(X_avg, Y_one_hot, mini_batch_size, seed + epoch):
            Z, cache = avg_classifier_forward(X_batch, W, b)
            cost, dZ = softmax_cross_entropy(Z, Y_batch)
            _, dW, db = avg_classifier_backward(dZ, cache)
            W, b = W - learning_rate * dW, b - learning_rate * db
            total += float(cost) * X_batch.shape[1]
        if epoch % record_every == 0:
            costs.append(total / m)
            if callback is not None:
                callback(epoch, costs[-1])
    return {"W": W, "b": b}, costs


def predict(X_avg, parameters):
    """argmax over the K rows of W X_avg + b: (1, m) labels in X_avg's dtype, on its device."""
    if not isinstance(parameters, dict) or set(parameters) != {"W", "b"}:
        keys = sorted(parameters) if isinstance(parameters, dict) else type(parameters).__name__
        raise ValueError(f"parameters is {keys}, expected a dict with keys 'W' and 'b'")
    Z, _ = avg_classifier_forward(X_avg, parameters["W"], parameters["b"])
    return torch.argmax(Z, dim=0)[None, :].to(Z.dtype)
