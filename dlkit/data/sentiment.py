"""Labelled English sentences for sentiment classification."""

import functools
import gzip
from dataclasses import dataclass

import numpy as np

from dlkit.data._files import path

SOURCES = ("movie", "tweet", "product", "editorial")


@dataclass(frozen=True)
class SentenceSplit:
    """Sentences with labels, split into train and test.

    sentences_train: list of m_train str; Y_train: (1, m_train) float64, 1.0
    positive and 0.0 negative; ratings_train: (1, m_train) float64, the mean
    human rating in [-4, 4]; likewise the test set.
    """

    sentences_train: list
    Y_train: np.ndarray
    ratings_train: np.ndarray
    sentences_test: list
    Y_test: np.ndarray
    ratings_test: np.ndarray


@functools.lru_cache(maxsize=None)
def _rows():
    with gzip.open(path("vader_sentences.tsv.gz"), "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t", 3) for line in f][1:]
    return tuple((source, float(rating), text) for source, _, rating, text in rows)


def load_sentiment(source="movie", margin=0.5, test_fraction=0.2, seed=0):
    """Real English sentences rated by people from -4 (very negative) to +4 (very positive).

    Source: the ground-truth sets of VADER (C. J. Hutto and E. Gilbert,
    ICWSM 2014), as the source distribution of ``vaderSentiment`` 3.3.2 on
    PyPI carries them (MIT; ``additional_resources/hutto_ICWSM_2014``): each
    snippet's rating is the mean of about 20 raters.  dlkit ships all 23,703
    in ``dlkit/data/files/vader_sentences.tsv.gz`` (1.1 MB).  ``source``:
    "movie" (10,605 sentences of movie reviews from Rotten Tomatoes, the
    snippets of Pang and Lee 2005), "tweet" (4,200), "product" (3,708
    sentences of Amazon reviews, Hu and Liu 2004), "editorial" (5,190
    sentences of New York Times opinion pieces), or "all".

    Sentences rated within ``margin`` of 0 are dropped; the rest are labelled
    1.0 (rating > 0) or 0.0.  With the defaults: 10,072 movie sentences,
    4,996 positive, split 80/20 with the same share of each label on both
    sides, in an order fixed by ``seed``.  Returns a :class:`SentenceSplit`.

    >>> data = load_sentiment()
    >>> len(data.sentences_train), data.Y_train.shape, data.Y_test.shape
    (8058, (1, 8058), (1, 2014))
    """
    if source not in SOURCES + ("all",):
        raise ValueError(f"source is {source!r}, expected one of {SOURCES + ('all',)}")
    if not 0 <= margin < 4:
        raise ValueError(f"margin is {margin!r}, expected a number in [0, 4)")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction is {test_fraction!r}, expected a number in (0, 1)")
    rows = [r for r in _rows() if (source == "all" or r[0] == source) and abs(r[1]) >= margin and r[1] != 0]
    ratings = np.array([r[1] for r in rows])
    labels = (ratings > 0).astype(np.float64)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(rows), dtype=bool)
    for k in (0.0, 1.0):                                   # stratified: the same share of each label
        idx = rng.permutation(np.flatnonzero(labels == k))
        test[idx[: round(test_fraction * len(idx))]] = True
    order = rng.permutation(len(rows))
    out = []
    for idx in (order[~test[order]], order[test[order]]):
        out += [[rows[i][2] for i in idx], labels[idx][None, :], ratings[idx][None, :]]
    return SentenceSplit(*out)
