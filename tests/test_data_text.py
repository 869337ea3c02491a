"""dlkit.data text: census names, the novels and their tokens, sentiment sentences."""

import collections

import numpy as np
import pytest
from offline import no_network  # noqa: F401  (autouse: no network in these tests)

from dlkit.data import load_corpus, load_names, load_novels, load_sentiment


def test_names():
    first, female, male = load_names(), load_names("female"), load_names("male")
    assert len(female) == 4275 and len(male) == 1219 and len(first) == 5163
    assert set(first) == set(female) | set(male)
    assert first[:2] == ["mary", "patricia"] and male[0] == "james"
    assert all(n.isalpha() and n.islower() for n in first)
    surnames = load_names("surname")
    assert len(surnames) == 20000 and surnames[0] == "smith"
    assert load_names("male", lower=False)[0] == "James"
    names = load_names()
    names.append("x")
    assert len(load_names()) == 5163                              # callers get copies
    with pytest.raises(ValueError, match="expected one of"):
        load_names("dinosaur")


def test_novels_and_corpus():
    books = load_novels()
    assert len(books) == 10 and "Moby Dick" in books and "Emma" in books
    assert "Call me Ishmael" in books["Moby Dick"]
    assert "truth universally acknowledged" in books["Pride and Prejudice"]
    tokens = load_corpus()
    assert len(tokens) == 1_301_444 > 1_000_000
    assert all(isinstance(t, str) for t in tokens[:100])
    counts = collections.Counter(tokens)
    assert counts.most_common(1)[0][0] == "the" and len(counts) > 25000
    assert load_corpus(max_tokens=5) == tokens[:5]
    tokens[0] = "changed"
    assert load_corpus(max_tokens=1) == ["sense"]
    with pytest.raises(ValueError, match="expected a positive integer"):
        load_corpus(max_tokens=0)


def test_sentiment_layout_and_balance():
    d = load_sentiment()
    m_train, m_test = len(d.sentences_train), len(d.sentences_test)
    assert (m_train, m_test) == (8058, 2014)
    assert d.Y_train.shape == (1, m_train) and d.ratings_test.shape == (1, m_test)
    assert d.Y_train.dtype == np.float64 and set(np.unique(d.Y_train)) == {0.0, 1.0}
    assert abs(d.Y_train.mean() - d.Y_test.mean()) < 0.01 and 0.45 < d.Y_train.mean() < 0.55
    np.testing.assert_array_equal(d.Y_train == 1, d.ratings_train > 0)
    assert (np.abs(d.ratings_train) >= 0.5).all() and (np.abs(d.ratings_train) <= 4).all()
    assert not set(d.sentences_train) & set(d.sentences_test) - {""}
    # the most positive and negative sentences read as such
    best = d.sentences_train[int(d.ratings_train.argmax())].lower()
    assert any(w in best for w in ("best", "great", "brilliant", "masterpiece", "wonderful", "excellent"))


def test_sentiment_sources_and_determinism():
    sizes = {s: len(load_sentiment(s, margin=0).sentences_train) + len(load_sentiment(s, margin=0).sentences_test)
             for s in ("movie", "tweet", "product", "editorial")}
    assert sizes["tweet"] > 4000 and sizes["movie"] > 10000
    a, b = load_sentiment("tweet", seed=3), load_sentiment("tweet", seed=3)
    assert a.sentences_train == b.sentences_train
    np.testing.assert_array_equal(a.Y_test, b.Y_test)
    assert load_sentiment("tweet", seed=4).sentences_train != a.sentences_train
    with pytest.raises(ValueError, match="expected one of"):
        load_sentiment("imdb")
    with pytest.raises(ValueError, match=r"expected a number in \[0, 4\)"):
        load_sentiment(margin=5)
