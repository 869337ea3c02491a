"""Chapter 14's dlkit.text: tokens, vocabulary, subsampling, skip-gram pairs, negative sampling, Huffman codes, n-grams.

Oracles: Huffman codes against the optimal expected length computed
independently with heapq merge costs; the noise distribution against
count^0.75 written out and against a large seeded sample; skip-gram pairs
listed by hand and the dynamic window's expected pair count in closed form;
char n-grams on the fastText paper's "where"; the hash on FNV-1a's published
test vectors and on fastText's signed-byte rule written out.
"""

import heapq
from collections import Counter

import numpy as np
import pytest

from dlkit.data import load_corpus, load_novels
from dlkit.text import (
    Vocabulary,
    alias_table,
    char_ngrams,
    hash_ngram,
    huffman_codes,
    noise_distribution,
    sample_negatives,
    skipgram_pairs,
    tokenize,
)


def test_tokenize_matches_load_corpus():
    text = load_novels()["Sense and Sensibility"]
    tokens = tokenize(text)
    assert tokens == load_corpus(max_tokens=len(tokens))     # the corpus starts with this book
    assert tokenize("It's 1811, Mr. Dashwood!") == ["it", "s", "mr", "dashwood"]
    assert tokenize("It's Mr. Dashwood", lower=False) == ["It", "s", "Mr", "Dashwood"]


def test_vocabulary_order_counts_and_min_count():
    tokens = "b a c a b a d e e".split()                     # a:3, b:2, e:2, c:1, d:1
    vocab = Vocabulary(tokens)
    assert vocab.words == ("a", "b", "e", "c", "d")           # by count, ties alphabetical
    assert vocab.counts.tolist() == [3, 2, 2, 1, 1] and vocab.counts.dtype == np.int64
    assert vocab.index == {"a": 0, "b": 1, "e": 2, "c": 3, "d": 4}
    assert len(vocab) == 5 and "e" in vocab and "z" not in vocab and vocab["e"] == 2
    small = Vocabulary(tokens, min_count=2)
    assert small.words == ("a", "b", "e")
    ids = small.encode(tokens)                                # c and d are skipped
    assert ids.tolist() == [1, 0, 0, 1, 0, 2, 2] and ids.dtype == np.int64
    assert small.decode(ids) == [w for w in tokens if w in ("a", "b", "e")]


def test_vocabulary_from_sentences_counts_every_sentence():
    vocab = Vocabulary([["the", "cat"], ["the", "dog"], []])
    assert vocab.words == ("the", "cat", "dog") and vocab.counts.tolist() == [2, 1, 1]


def test_unknown_word_names_it_and_suggests_a_spelling():
    vocab = Vocabulary(load_corpus(max_tokens=20000), min_count=2)
    with pytest.raises(KeyError, match="'sensibilty' is not in the vocabulary.*did you mean 'sensibility'"):
        vocab["sensibilty"]
    with pytest.raises(KeyError, match="'qqqqqq' is not in the vocabulary of"):
        vocab["qqqqqq"]


def test_empty_corpus_and_bad_input():
    for empty in ([], [[], []], iter([])):
        with pytest.raises(ValueError, match="the corpus is empty"):
            Vocabulary(empty)
    with pytest.raises(ValueError, match="no word occurs min_count=3 times"):
        Vocabulary(["a", "b", "a"], min_count=3)
    with pytest.raises(ValueError, match="corpus is a str"):
        Vocabulary("a text, not tokens")
    with pytest.raises(ValueError, match="mixes sentences and the str 'bc'"):
        Vocabulary([["a"], "bc"])
    with pytest.raises(ValueError, match="the corpus holds 1, expected str tokens"):
        Vocabulary([[1, 2]])
    vocab = Vocabulary(["a", "b"])
    with pytest.raises(ValueError, match="ids range from 0 to 2, expected 0 to 1"):
        vocab.decode([0, 2])
    with pytest.raises(ValueError, match="min_count is 0"):
        Vocabulary(["a"], min_count=0)


def test_keep_probability_is_word2vecs_formula(rng):
    """word2vec's C code: P(keep) = (sqrt(f/t) + 1) t/f, capped at 1; f = count / total over the vocabulary."""
    counts = {"the": 6000, "of": 3000, "whale": 900, "ahab": 90, "pequod": 10}
    vocab = Vocabulary([w for w, c in counts.items() for _ in range(c)])
    t = 1e-3
    f = np.array([6000, 3000, 900, 90, 10]) / 10000
    expected = [min(1.0, (np.sqrt(fi / t) + 1) * t / fi) for fi in f]
    np.testing.assert_allclose(vocab.keep_probabilities(t), expected, rtol=1e-12)
    assert vocab.keep_probabilities(t)[0] == pytest.approx(0.0424915, abs=1e-7)    # sqrt(1/600) + 1/600
    assert vocab.keep_probabilities(t)[-1] == 1.0                                 # f = 0.001 <= 2.6 t
    # subsample keeps each occurrence with that probability
    ids = np.repeat(np.arange(5), 20000)
    kept = np.bincount(vocab.subsample(ids, rng, t), minlength=5) / 20000
    se = np.sqrt(np.multiply(expected, 1 - np.array(expected)) / 20000)
    assert np.all(np.abs(kept - expected) <= 5 * se), (kept, expected)


def test_skipgram_pairs_listed_by_hand():
    ids = [10, 11, 12, 13]
    centers, contexts = skipgram_pairs(ids, window=2)
    pairs = list(zip(centers.tolist(), contexts.tolist()))
    assert pairs == [(10, 11), (10, 12),
                     (11, 10), (11, 12), (11, 13),
                     (12, 10), (12, 11), (12, 13),
                     (13, 11), (13, 12)]
    # two sentences: no pair crosses the boundary
    centers, contexts = skipgram_pairs([[10, 11, 12], [13, 14]], window=2)
    assert list(zip(centers.tolist(), contexts.tolist())) == [
        (10, 11), (10, 12), (11, 10), (11, 12), (12, 10), (12, 11), (13, 14), (14, 13)]
    assert centers.dtype == np.int64 and contexts.dtype == np.int64


def test_dynamic_window_pair_count_and_subset(rng):
    """Each center draws b uniform in 1..W and pairs with min(b, i) words left and min(b, n-1-i) right."""
    n, W = 20000, 5
    ids = np.arange(n)                                        # ids are positions: pairs can be read back
    expected = sum(min(b, i) + min(b, n - 1 - i) for i in range(n) for b in range(1, W + 1)) / W
    centers, contexts = skipgram_pairs(ids, window=W, rng=rng)
    sd = np.sqrt(n * np.var([2 * b for b in range(1, W + 1)]))   # edges aside, counts are 2b, independent
    assert abs(len(centers) - expected) < 5 * sd, (len(centers), expected)
    assert expected == pytest.approx(n * (W + 1) - W * (W + 1) * (W + 2) / (3 * W), rel=1e-12)
    dist = np.abs(centers - contexts)
    assert dist.min() == 1 and dist.max() == W
    # distance d occurs with probability (W - d + 1) / W per side: the nearest words count more
    share = np.bincount(dist, minlength=W + 1)[1:] / (2 * n)
    np.testing.assert_allclose(share, [(W - d + 1) / W for d in range(1, W + 1)], atol=0.02)
    full_centers, full_contexts = skipgram_pairs(ids, window=W)   # every pair drawn is one of the full window's
    assert np.all(np.isin(centers * n + contexts, full_centers * n + full_contexts))
    # one b per center, on both sides: away from the edges, as many words on its left as on its right
    left = np.bincount(centers[contexts < centers], minlength=n)[W:-W]
    right = np.bincount(centers[contexts > centers], minlength=n)[W:-W]
    assert np.array_equal(left, right) and set(left.tolist()) == set(range(1, W + 1))
    # ordered by center, then context
    assert np.all(np.diff(centers * n + contexts) > 0)


def test_noise_distribution_is_count_to_the_three_quarters(rng):
    counts = np.array([5000, 1200, 300, 80, 7, 1, 0])
    probs = noise_distribution(counts)
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    direct = np.array([c**0.75 for c in counts]) / sum(c**0.75 for c in counts)
    np.testing.assert_allclose(probs, direct, rtol=1e-12)
    assert probs[0] / probs[1] == pytest.approx((5000 / 1200) ** 0.75, rel=1e-12)
    draws = sample_negatives(probs, (200, 1000), rng)
    assert draws.shape == (200, 1000) and draws.dtype == np.int64
    freq = np.bincount(draws.ravel(), minlength=len(counts)) / draws.size
    se = np.sqrt(probs * (1 - probs) / draws.size)
    assert np.all(np.abs(freq - probs) < 5 * se + 1e-12), (freq, probs)
    assert freq[-1] == 0.0                                    # a count of 0 is never drawn
    np.testing.assert_allclose(noise_distribution(counts, power=1.0), counts / counts.sum(), rtol=1e-12)


@pytest.mark.parametrize("source", ["counts", "zipf", "uniform", "one word"])
def test_alias_table_is_the_distribution_exactly(source, rng):
    probs = {"counts": noise_distribution([5000, 1200, 300, 80, 7, 1, 0]),
             "zipf": noise_distribution(rng.zipf(1.3, size=5000)),
             "uniform": np.full(10, 0.1),
             "one word": np.array([1.0])}[source]
    accept, alias = alias_table(probs)
    V = len(probs)
    assert accept.shape == alias.shape == (V,) and alias.dtype == np.int64
    assert np.all((accept >= 0) & (accept <= 1)) and np.all((alias >= 0) & (alias < V))
    implied = (accept + np.bincount(alias, weights=1 - accept, minlength=V)) / V
    np.testing.assert_allclose(implied, probs, rtol=1e-9, atol=1e-15)
    if source == "counts":                                    # a word of count 0 is never drawn
        assert accept[-1] == 0.0 and not np.any((alias == V - 1) & (accept < 1))


def test_alias_table_bad_input():
    with pytest.raises(ValueError, match="expected a distribution"):
        alias_table([0.5, 0.6])
    with pytest.raises(ValueError, match=r"expected \(V,\)"):
        alias_table(np.ones((2, 2)) / 4)


def _optimal_cost(counts):
    """Huffman's optimum sum_w count(w) depth(w): the sum of the merge costs, by a heap."""
    heap = [float(c) for c in counts]
    heapq.heapify(heap)
    cost = 0.0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


@pytest.mark.parametrize("source", ["zipf", "ties", "corpus"])
def test_huffman_codes_are_optimal_prefix_free_and_consistent(source, rng):
    if source == "zipf":
        counts = np.sort(rng.zipf(1.5, size=300))[::-1]
    elif source == "ties":
        counts = rng.integers(1, 4, size=50)                  # unsorted, many ties
    else:
        counts = Vocabulary(load_corpus(max_tokens=50000), min_count=3).counts
    V = len(counts)
    codes, points = huffman_codes(counts)
    assert len(codes) == len(points) == V
    strings = sorted("".join(map(str, c)) for c in codes)
    assert all(not b.startswith(a) for a, b in zip(strings, strings[1:])), "a code is a prefix of another"
    assert len(set(strings)) == V
    cost = sum(int(c) * len(code) for c, code in zip(counts, codes))
    assert cost == pytest.approx(_optimal_cost(counts), rel=1e-12)
    order = np.argsort(-counts, kind="stable")
    lengths = np.array([len(codes[w]) for w in order])
    freq = counts[order]
    for i in range(V - 1):                                    # more frequent: never a longer code
        if freq[i] > freq[i + 1]:
            assert lengths[i] <= lengths[i + 1:].min()
    # the points describe one tree: root V-2 first, and (node, bit) always leads to the same child
    child = {}
    for w in range(V):
        assert len(points[w]) == len(codes[w]) >= 1 and points[w][0] == V - 2
        path = points[w][1:] + [("word", w)]
        for node, bit, nxt in zip(points[w], codes[w], path):
            assert child.setdefault((node, bit), nxt) == nxt
    assert sorted({n for p in points for n in p}) == list(range(V - 1))


def test_huffman_codes_on_a_small_example():
    """Counts 5, 2, 1, 1: the two 1s merge (2), then with the word of count 2 (4), then with 5."""
    codes, points = huffman_codes([5, 2, 1, 1])
    assert [len(c) for c in codes] == [1, 2, 3, 3]
    assert points[2] == points[3] == [2, 1, 0]
    with pytest.raises(ValueError, match="expected \\(V,\\) with V >= 2"):
        huffman_codes([4])


def test_char_ngrams_of_where():
    """The fastText paper's example: n = 3 gives <wh, whe, her, ere, re>, plus the word itself <where>."""
    assert char_ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>", "<where>"]
    grams = char_ngrams("where")                              # n = 3..6
    assert len(grams) == 5 + 4 + 3 + 2 + 1                    # 7 marked characters; "<where>" (n = 7) added once
    assert grams[:4] == ["<wh", "<whe", "<wher", "<where"] and grams[-1] == "<where>"
    assert Counter(grams)["<where>"] == 1 and char_ngrams("a", 1, 3) == ["<a", "<a>", "a", "a>"]


def test_hash_ngram_is_fasttexts_fnv1a():
    # FNV-1a 32-bit test vectors (Fowler, Noll and Vo's reference test suite)
    for s, h in (("", 0x811C9DC5), ("a", 0xE40C292C), ("foobar", 0xBF9CF968)):
        assert hash_ngram(s, buckets=2**32) == h
    assert hash_ngram("foobar", buckets=2_000_000) == 0xBF9CF968 % 2_000_000
    # non-ASCII: fastText XORs each byte as a signed char, so 0xC3 enters as 0xFFFFFFC3
    h = 2166136261
    for byte in "é".encode("utf-8"):                          # 0xC3 0xA9
        h = ((h ^ (0xFFFFFF00 + byte)) * 16777619) % 2**32
    assert hash_ngram("é", buckets=2**32) == h
    with pytest.raises(ValueError, match="buckets is 0"):
        hash_ngram("a", buckets=0)
