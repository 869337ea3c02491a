"""Chapter 14, sentiment classification by averaging word vectors.

The notes' simple model: look up the embedding e_w of every word of the
sentence, average them (the average has n_e entries however long the
sentence is), and put a softmax over K classes on top (the notes' 1-5
stars; K = 2 for :func:`dlkit.data.load_sentiment`'s negative/positive).
For a batch, the averages are the columns of X_avg: (n_e, m), and

    Z = W X_avg + b          (K, m),  W: (K, n_e), b: (K, 1)
    Y_hat = softmax(Z)       along the classes (axis 0)
    J = -(1/m) sum_i sum_k Y_ki log Y_hat_ki

With dZ = dJ/dZ = (Y_hat - Y) / m (:func:`dlkit.numpy.softmax_regression.softmax_cross_entropy`),
the backward pass of Z = W X_avg + b is

    dW = dZ X_avg^T,    db = sum_i dZ[:, i],    dX_avg = W^T dZ.

Averaging forgets word order: "completely lacking in good taste, good
service, and good ambience" averages three "good"s and reads positive.
The recurrent classifier (:class:`dlkit.torch.models.SentimentLSTM`) reads
the words in order.
"""

import numpy as np

from dlkit._shapes import check_shape
from dlkit.numpy._arrays import as_array
from dlkit.numpy.optimization import random_mini_batches
from dlkit.numpy.softmax_regression import one_hot, softmax_cross_entropy
from dlkit.text import tokenize


def _known_words(sentence, word_to_vec):
    """(the tokens of sentence that word_to_vec knows, lookup: word -> (n_e,), one vector, to read n_e from)."""
    if isinstance(word_to_vec, dict):
        known, lookup = word_to_vec, word_to_vec.__getitem__
        first = next(iter(word_to_vec.values()), None)
    elif hasattr(word_to_vec, "index") and hasattr(word_to_vec, "vectors"):      # a dlkit.data.WordVectors
        known, vectors = word_to_vec.index, word_to_vec.vectors

        def lookup(w):
            return vectors[known[w]]
        first = vectors[0] if len(vectors) else None
    else:
        raise ValueError(f"word_to_vec is a {type(word_to_vec).__name__}, expected a dict word -> vector or a "
                         "dlkit.data.WordVectors")
    if first is None:
        raise ValueError("word_to_vec is empty, expected at least one word vector")
    return [w for w in tokenize(sentence) if w in known], lookup, first


def sentence_to_avg(sentence, word_to_vec):
    """The mean of the vectors of the sentence's known words: avg = (1/n) sum_j e_(w_j), shape (n_e,).

    sentence: a str, split by :func:`dlkit.text.tokenize` (lowercased, letters
    a-z only); word_to_vec: a dict word -> vector (n_e,) or a
    :class:`dlkit.data.WordVectors`.  Words that word_to_vec does not know are
    skipped: n counts the known words only (a repeated word counts each time).
    A sentence with no known word (or no word at all) gives the zero vector
    (n_e,), which the classifier then scores by its bias b alone.

    >>> vecs = {"good": np.array([1.0, 2.0]), "film": np.array([3.0, 0.0])}
    >>> sentence_to_avg("A good, good film!", vecs)          # "a" is unknown: (1 + 1 + 3) / 3, (2 + 2 + 0) / 3
    array([1.66666667, 1.33333333])
    """
    words, lookup, first = _known_words(sentence, word_to_vec)
    first = as_array("word_to_vec's vectors", first)
    n_e = check_shape("word_to_vec's vectors", first, ("n_e",))["n_e"]
    if not words:
        return np.zeros(n_e, dtype=first.dtype)
    E = np.stack([as_array(f"word_to_vec[{w!r}]", lookup(w)) for w in words])   # (n, n_e), one row per word
    check_shape("word_to_vec's vectors", E, (None, n_e))
    return E.mean(axis=0)


def _check_classifier(X_avg, W, b):
    X_avg, W, b = as_array("X_avg", X_avg), as_array("W", W), as_array("b", b)
    dims = check_shape("X_avg", X_avg, ("n_e", "m"))
    check_shape("W", W, ("K", "n_e"), dims)
    check_shape("b", b, ("K", 1), dims)
    return X_avg, W, b


def avg_classifier_forward(X_avg, W, b):
    """The logits Z = W X_avg + b of the averaging classifier; its prediction is Y_hat = softmax(Z, axis=0).

    X_avg: (n_e, m) sentence averages as columns (see :func:`sentence_to_avg`),
    W: (K, n_e), b: (K, 1).  Returns (Z: (K, m), cache = (X_avg, W, b)).
    Pair it with :func:`dlkit.numpy.softmax_regression.softmax_cross_entropy`
    for the cost and dZ.

    >>> Z, _ = avg_classifier_forward(np.array([[1.0, -1.0]]), np.array([[2.0], [0.0]]), np.array([[0.0], [1.0]]))
    >>> Z
    array([[ 2., -2.],
           [ 1.,  1.]])
    """
    X_avg, W, b = _check_classifier(X_avg, W, b)
    return W @ X_avg + b, (X_avg, W, b)


def avg_classifier_backward(dZ, cache):
    """The gradients of Z = W X_avg + b: (dX_avg = W^T dZ, dW = dZ X_avg^T, db = sum of dZ's columns).

    dZ: (K, m), the gradient of the cost with respect to Z (softmax_cross_entropy's
    (Y_hat - Y) / m, which already holds the 1/m); cache from
    :func:`avg_classifier_forward`.  Returns (dX_avg (n_e, m), dW (K, n_e), db (K, 1)).
    """
    X_avg, W, b = cache
    dZ = as_array("dZ", dZ)
    check_shape("dZ", dZ, (W.shape[0], X_avg.shape[1]))
    return W.T @ dZ, dZ @ X_avg.T, dZ.sum(axis=1, keepdims=True)


def _check_labels(Y, m, K=None):
    """Y: (1, m) integer class labels (float or int) -> (1, m) float64 checked against K when given."""
    Y = as_array("Y", Y)
    check_shape("Y", Y, (1, m))
    if m and (Y.min() < 0 or not np.all(Y == np.round(Y)) or (K is not None and Y.max() >= K)):
        raise ValueError(f"Y holds {sorted(set(Y.ravel().tolist()))[:5]}..., expected integer labels in "
                         f"0..{'K - 1' if K is None else K - 1}")
    return Y


def train_avg_classifier(X_avg, Y, n_classes=None, learning_rate=2.0, num_epochs=30, mini_batch_size=64, seed=0,
                         record_every=1, callback=None):
    """Train the averaging classifier by mini-batch gradient descent on the softmax cross-entropy.

    X_avg: (n_e, m) sentence averages; Y: (1, m) labels in 0..K-1 (floats 0./1.
    as :func:`dlkit.data.load_sentiment` gives them, or ints); K = n_classes,
    or max(Y) + 1 when None.  W and b start at zero (the cost is convex: no
    symmetry to break); each epoch shuffles with seed + epoch
    (:func:`dlkit.numpy.optimization.random_mini_batches`) and takes
    W := W - learning_rate dW, b := b - learning_rate db on every batch.  The
    large default rate suits averages of unit vectors (entries of about
    0.05 for :func:`dlkit.data.load_word_vectors`).  The epoch's mean batch cost is recorded every
    ``record_every`` epochs and passed to ``callback(epoch, cost)``.
    Returns (parameters {"W": (K, n_e), "b": (K, 1)}, costs).  The inputs are not modified.
    """
    X_avg = as_array("X_avg", X_avg)
    check_shape("X_avg", X_avg, ("n_e", "m"))
    n_e, m = X_avg.shape
    Y = _check_labels(Y, m, n_classes)
    K = int(Y.max()) + 1 if n_classes is None else n_classes
    if not (isinstance(K, (int, np.integer)) and K >= 2):
        raise ValueError(f"n_classes is {n_classes!r}, expected an int >= 2 (or None: max(Y) + 1)")
    if not (isinstance(num_epochs, (int, np.integer)) and num_epochs >= 1):
        raise ValueError(f"num_epochs is {num_epochs!r}, expected a positive int")
    Y_one_hot = one_hot(Y, K).astype(X_avg.dtype)                       # (K, m)
    W, b = np.zeros((K, n_e), dtype=X_avg.dtype), np.zeros((K, 1), dtype=X_avg.dtype)
    costs = []
    for epoch in range(num_epochs):
        total = 0.0
        for X_batch, Y_batch in random_mini_batches(X_avg, Y_one_hot, mini_batch_size, seed + epoch):
            Z, cache = avg_classifier_forward(X_batch, W, b)
            cost, dZ = softmax_cross_entropy(Z, Y_batch)
            _, dW, db = avg_classifier_backward(dZ, cache)
            W, b = W - learning_rate * dW, b - learning_rate * db
            total += cost * X_batch.shape[1]
        if epoch % record_every == 0:
            costs.append(total / m)
            if callback is not None:
                callback(epoch, costs[-1])
    return {"W": W, "b": b}, costs


def predict(X_avg, parameters):
    """The class of each sentence: argmax over k of Z = W X_avg + b (the largest softmax probability).

    X_avg: (n_e, m); parameters {"W": (K, n_e), "b": (K, 1)}.  Returns (1, m)
    float labels, comparable with :func:`dlkit.data.load_sentiment`'s Y.
    """
    if not isinstance(parameters, dict) or set(parameters) != {"W", "b"}:
        keys = sorted(parameters) if isinstance(parameters, dict) else type(parameters).__name__
        raise ValueError(f"parameters is {keys}, expected a dict with keys 'W' and 'b'")
    Z, _ = avg_classifier_forward(X_avg, parameters["W"], parameters["b"])
    return np.argmax(Z, axis=0)[None, :].astype(Z.dtype)
