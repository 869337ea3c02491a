"""Chapter 14, sentiment classification: sentence_to_avg, the averaging classifier, SentimentLSTM and FastText.

The averaging classifier's hand-written gradients pass the finite-difference
check in float64 and agree with torch autograd; trained on the real movie
sentences of dlkit.data.load_sentiment (chance: 50.4%, the share of the
larger class in the test set), the averaging classifier and fastText must
beat floors set a few points under what they measure.  SentimentLSTM reads
packed sequences, so padding must not change its output; fastText gives
any word, also one it never saw, the mean of its n-gram rows.
"""

import numpy as np
import pytest

from dlkit.data import WordVectors, load_sentiment, load_word_vectors
from dlkit.numpy import sentiment as snt
from dlkit.numpy.softmax_regression import softmax_cross_entropy
from dlkit.testing import gradient_check, rel_error
from dlkit.text import Vocabulary, char_ngrams, hash_ngram, tokenize

VECS = {"good": np.array([1.0, 2.0, 0.0]), "film": np.array([3.0, 0.0, -1.0]), "bad": np.array([-2.0, 1.0, 4.0])}


def _torch():
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    from dlkit.torch import models
    from dlkit.torch import sentiment as tsnt
    return torch, tsnt, models


def _classifier(rng, n_e=5, K=3, m=7):
    X = rng.standard_normal((n_e, m))
    W, b = rng.standard_normal((K, n_e)), rng.standard_normal((K, 1))
    Y = np.eye(K)[:, rng.integers(K, size=m)]                   # one-hot (K, m)
    return X, W, b, Y


def _cost(X, W, b, Y):
    return softmax_cross_entropy(snt.avg_classifier_forward(X, W, b)[0], Y)[0]


# --- sentence_to_avg ----------------------------------------------------------------------------

def test_sentence_to_avg_averages_the_known_words_of_a_hand_made_dict():
    # "A" and "very" are unknown; "good" counts twice; case and punctuation do not matter
    got = snt.sentence_to_avg("A very GOOD, good film!", VECS)
    assert rel_error(got, (2 * VECS["good"] + VECS["film"]) / 3) < 1e-12
    assert got.shape == (3,)


def test_sentence_to_avg_gives_zeros_without_a_known_word():
    for sentence in ("nothing known here", "", "42 !!"):
        got = snt.sentence_to_avg(sentence, VECS)
        assert got.shape == (3,) and np.all(got == 0)


def test_sentence_to_avg_reads_word_vectors_like_a_dict():
    wv = WordVectors(list(VECS), np.stack(list(VECS.values())), np.array([3, 2, 1]))
    assert rel_error(snt.sentence_to_avg("bad film", wv), (VECS["bad"] + VECS["film"]) / 2) < 1e-12


def test_sentence_to_avg_torch_twin_agrees():
    torch, tsnt, _ = _torch()
    tvecs = {w: torch.as_tensor(v) for w, v in VECS.items()}
    for sentence in ("A very GOOD, good film!", "unknown words only"):
        got = tsnt.sentence_to_avg(sentence, tvecs)
        assert got.dtype == torch.float64
        assert rel_error(snt.sentence_to_avg(sentence, VECS), got) < 1e-12


def test_sentence_to_avg_rejects_bad_word_to_vec():
    with pytest.raises(ValueError, match="expected a dict word -> vector or a dlkit.data.WordVectors"):
        snt.sentence_to_avg("good", ["good"])
    with pytest.raises(ValueError, match="word_to_vec is empty"):
        snt.sentence_to_avg("good", {})
    with pytest.raises(ValueError, match=r"word_to_vec's vectors has shape \(2, 3\), expected \(n_e,\)"):
        snt.sentence_to_avg("good", {"good": np.zeros((2, 3))})


# --- the averaging classifier: gradients ---------------------------------------------------------

def test_avg_classifier_gradients_pass_the_gradient_check(rng):
    X, W, b, Y = _classifier(rng)
    Z, cache = snt.avg_classifier_forward(X, W, b)
    _, dZ = softmax_cross_entropy(Z, Y)
    dX, dW, db = snt.avg_classifier_backward(dZ, cache)
    gradient_check(lambda W_: _cost(X, W_, b, Y), W.copy(), dW, tol=1e-7, name="dW")
    gradient_check(lambda b_: _cost(X, W, b_, Y), b.copy(), db, tol=1e-7, name="db")
    gradient_check(lambda X_: _cost(X_, W, b, Y), X.copy(), dX, tol=1e-7, name="dX_avg")


def test_avg_classifier_backward_agrees_with_autograd(rng, device):
    """NumPy's hand-written backward against autograd of an independent torch expression, and the torch twin."""
    torch, tsnt, _ = _torch()
    X, W, b, Y = _classifier(rng)
    Z, cache = snt.avg_classifier_forward(X, W, b)
    _, dZ = softmax_cross_entropy(Z, Y)
    expected = snt.avg_classifier_backward(dZ, cache)
    leaves = [torch.tensor(a, device=device, requires_grad=True) for a in (X, W, b)]
    logits = leaves[1] @ leaves[0] + leaves[2]                             # (K, m)
    labels = torch.as_tensor(Y.argmax(axis=0), device=device)
    torch.nn.functional.cross_entropy(logits.T, labels).backward()
    twin = tsnt.avg_classifier_backward(torch.as_tensor(dZ, device=device),
                                        tuple(torch.as_tensor(a, device=device) for a in cache))
    for name, e, leaf, t in zip(("dX_avg", "dW", "db"), expected, leaves, twin):
        assert rel_error(e, leaf.grad) < 1e-10, name
        assert rel_error(e, t) < 1e-10, name


def test_avg_classifier_backward_leaves_its_inputs_alone(rng):
    X, W, b, _ = _classifier(rng)
    Z, cache = snt.avg_classifier_forward(X, W, b)
    dZ = rng.standard_normal(Z.shape)
    copies = [a.copy() for a in (dZ, *cache)]
    snt.avg_classifier_backward(dZ, cache)
    assert all(np.array_equal(a, c) for a, c in zip((dZ, *cache), copies))


def test_avg_classifier_rejects_mismatched_shapes(rng):
    X, W, b, _ = _classifier(rng)
    with pytest.raises(ValueError, match=r"W has shape \(3, 4\), expected \(K, n_e\) = \(K, 5\)"):
        snt.avg_classifier_forward(X, W[:, :4], b)
    with pytest.raises(ValueError, match=r"b has shape \(3,\), expected \(K, 1\) = \(3, 1\)"):
        snt.avg_classifier_forward(X, W, b[:, 0])
    _, cache = snt.avg_classifier_forward(X, W, b)
    with pytest.raises(ValueError, match=r"dZ has shape \(3, 6\), expected \(3, 7\)"):
        snt.avg_classifier_backward(np.zeros((3, 6)), cache)
    with pytest.raises(ValueError, match=r"Y has shape \(7,\), expected \(1, 7\)"):
        snt.train_avg_classifier(X, np.zeros(7))
    with pytest.raises(ValueError, match=r"expected integer labels in 0..1"):
        snt.train_avg_classifier(X, np.full((1, 7), 2.0), n_classes=2)


def test_train_avg_classifier_learns_a_planted_rule(rng):
    """Three classes, each the direction of one feature: gradient descent must find them."""
    labels = rng.integers(3, size=300)
    X = 0.3 * np.eye(3)[:, labels] + 0.05 * rng.standard_normal((3, 300))
    params, costs = snt.train_avg_classifier(X, labels[None, :].astype(float), num_epochs=20)
    assert costs[-1] < 0.5 * costs[0]
    assert np.mean(snt.predict(X, params) == labels) > 0.95


# --- the averaging classifier on real sentences --------------------------------------------------

@pytest.fixture(scope="module")
def data():
    return load_sentiment()


def test_averaging_beats_chance_on_movie_sentences(data):
    """Measured: 69.2% test accuracy (W = 0 start, 30 epochs); chance is 50.4%."""
    wv = load_word_vectors()
    X_train = np.stack([snt.sentence_to_avg(s, wv) for s in data.sentences_train], axis=1)   # (100, 8058)
    X_test = np.stack([snt.sentence_to_avg(s, wv) for s in data.sentences_test], axis=1)
    params, costs = snt.train_avg_classifier(X_train, data.Y_train)
    assert params["W"].shape == (2, 100) and costs[-1] < costs[0]
    assert np.mean(snt.predict(X_test, params) == data.Y_test) > 0.65


# --- SentimentLSTM --------------------------------------------------------------------------------

def test_encode_sentences_pads_with_zero_and_drops_unknown_words():
    _, _, models = _torch()
    index = {"good": 0, "bad": 1, "film": 2}
    X = models.encode_sentences(["A good film!", "bad", "nothing known"], index)
    assert np.array_equal(X, [[1, 3], [2, 0], [0, 0]])
    assert np.array_equal(models.encode_sentences(["good good film"], index, max_len=2), [[1, 1]])
    assert models.encode_sentences(["film"], index, max_len=4).shape == (1, 4)


def test_sentiment_lstm_shapes_and_frozen_embeddings(rng):
    torch, _, models = _torch()
    torch.manual_seed(0)
    E = rng.standard_normal((10, 4))
    model = models.SentimentLSTM(E, n_classes=3, hidden=5)
    assert model(torch.tensor([[1, 2, 3], [4, 0, 0]])).shape == (2, 3)
    assert not model.embedding.weight.requires_grad
    assert torch.all(model.embedding.weight[0] == 0)
    assert rel_error(model.embedding.weight[1:].double(), E) < 1e-6          # float32 copy of the vectors
    assert models.SentimentLSTM(E, 2, freeze=False).embedding.weight.requires_grad


def test_sentiment_lstm_output_does_not_depend_on_padding(rng):
    torch, _, models = _torch()
    torch.manual_seed(0)
    model = models.SentimentLSTM(rng.standard_normal((10, 4)), n_classes=2, hidden=6).eval()
    X = torch.tensor([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0], [5, 0, 0, 0, 0]])
    padded = torch.cat([X, torch.zeros(3, 4, dtype=X.dtype)], dim=1)
    with torch.no_grad():
        out, out_padded, alone = model(X), model(padded), model(X[2:, :1])
    assert torch.allclose(out, out_padded, atol=1e-6)
    assert torch.allclose(out[2:], alone, atol=1e-6)                        # the batch's longest row does not matter


def test_sentiment_lstm_rejects_bad_input(rng):
    torch, _, models = _torch()
    model = models.SentimentLSTM(rng.standard_normal((10, 4)), n_classes=2)
    with pytest.raises(ValueError, match=r"X has shape \(3,\), expected \(m, T\)"):
        model(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match="right-padded"):
        model(torch.tensor([[0, 2, 3]]))
    with pytest.raises(ValueError, match=r"integer indices in \[0, 11\)"):
        model(torch.tensor([[11, 2]]))
    with pytest.raises(ValueError, match=r"embeddings has shape \(10,\), expected \(V, n_e\)"):
        models.SentimentLSTM(np.zeros(10), n_classes=2)


# --- FastText -------------------------------------------------------------------------------------

def _fasttext(models, buckets=1000, n_e=8, **kwargs):
    return models.FastText(Vocabulary("a good film a bad film".split()), 2, buckets=buckets, n_e=n_e, **kwargs)


def test_fasttext_features_are_word_ids_ngram_buckets_and_word_pairs():
    torch, _, models = _torch()
    model = _fasttext(models, n_min=3, n_max=4, word_ngrams=2)
    V = 4                                                      # a, film, bad, good
    good = [model.index["good"]] + [V + hash_ngram(g, 1000) for g in char_ngrams("good", 3, 4)]
    bad = [model.index["bad"]] + [V + hash_ngram(g, 1000) for g in char_ngrams("bad", 3, 4)]
    (f,) = model.features(["Good, bad!"])
    assert f.tolist() == good + bad + [V + hash_ngram("good bad", 1000)]
    flat, offsets = model.encode(["good", "", "Good, bad!"])
    assert flat.tolist() == good + f.tolist() and offsets.tolist() == [0, len(good), len(good)]
    assert model(flat, offsets).shape == (3, 2)


def test_fasttext_gives_an_unseen_word_the_mean_of_its_ngram_rows():
    torch, _, models = _torch()
    torch.manual_seed(0)
    model = _fasttext(models)
    word = "goood"                                             # a misspelling, not in the vocabulary
    rows = [4 + hash_ngram(g, 1000) for g in char_ngrams(word)]
    got = model.word_vector(word)
    assert got.shape == (8,) and torch.linalg.vector_norm(got) > 0
    assert torch.allclose(got, model.embedding.weight[rows].mean(dim=0), atol=1e-7)
    known = [model.index["good"]] + [4 + hash_ngram(g, 1000) for g in char_ngrams("good")]
    assert torch.allclose(model.word_vector("good"), model.embedding.weight[known].mean(dim=0), atol=1e-7)


def test_fasttext_rejects_bad_input():
    torch, _, models = _torch()
    model = _fasttext(models)
    with pytest.raises(ValueError, match=r"flat has shape \(1, 2\), expected \(N,\)"):
        model(torch.tensor([[1, 2]]), torch.tensor([0]))
    with pytest.raises(ValueError, match="offsets must start at 0"):
        model(torch.tensor([1, 2]), torch.tensor([1]))
    with pytest.raises(ValueError, match="sentences is a str"):
        model.features("a good film")
    with pytest.raises(ValueError, match="n_min, n_max are 4, 3"):
        _fasttext(models, n_min=4, n_max=3)
    with pytest.raises(ValueError, match=r"y has 3 labels, expected \(m,\) or \(1, m\) = \(2,\)"):
        models.train_text_classifier(model, model.features(["a", "b"]), np.zeros(3), progress=False)


def test_fasttext_beats_a_floor_on_movie_sentences_and_reads_misspellings(data):
    """Measured: 78.6% after the 2 epochs here (78.3% after the recipe's 3); chance is 50.4%.

    Misspellings outside the vocabulary must score on the side of their correct spelling.
    """
    torch, _, models = _torch()
    torch.manual_seed(0)
    vocab = Vocabulary([tokenize(s) for s in data.sentences_train])
    model = models.FastText(vocab, 2)
    losses = models.train_text_classifier(model, model.features(data.sentences_train), data.Y_train, epochs=2,
                                          progress=False)
    assert losses[-1] < 0.7 * losses[0]
    accuracy = np.mean(models.predict_text_classifier(model, model.features(data.sentences_test)) == data.Y_test[0])
    assert accuracy > 0.74
    with torch.no_grad():
        for word, positive in (("goood", True), ("wonderfull", True), ("awfull", False), ("borring", False)):
            assert word not in vocab
            p_positive = torch.softmax(model.head(model.word_vector(word)), dim=0)[1]
            assert (p_positive > 0.5) == positive, (word, float(p_positive))
