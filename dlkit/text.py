"""Chapter 14's text plumbing, backend-neutral: tokens, vocabularies, training pairs, Huffman codes, n-grams.

Everything here is bookkeeping over words and integer ids, shared by the NumPy
and the PyTorch word2vec, GloVe and fastText:

- :func:`tokenize` splits text into the tokens of :func:`dlkit.data.load_corpus`;
- :class:`Vocabulary` counts words (``min_count``), maps them to ids, and
  subsamples frequent words as word2vec does;
- :func:`skipgram_pairs` lists (center, context) pairs with word2vec's dynamic window;
- :func:`noise_distribution` and :func:`sample_negatives`: negative sampling
  from P(w) = f(w)^(3/4) / sum_j f(w_j)^(3/4); :func:`alias_table` draws from
  it in O(1) per word, for the trainers;
- :func:`huffman_codes`: the binary codes and inner nodes of hierarchical softmax;
- :func:`char_ngrams` and :func:`hash_ngram`: fastText's subword units.
"""

import difflib
import heapq
import re
from collections import Counter

import numpy as np

from dlkit._shapes import format_shape

_WORD = re.compile(r"[a-z]+")
_WORD_ANY_CASE = re.compile(r"[A-Za-z]+")


def tokenize(text, lower=True):
    """Split ``text`` into words: maximal runs of the letters a-z, as :func:`dlkit.data.load_corpus` does.

    Everything else separates tokens and is dropped: punctuation, digits,
    white space, and apostrophes ("don't" gives "don" and "t"), as well as
    letters outside a-z.  ``lower=True`` lowercases first; ``lower=False``
    keeps the case and takes runs of A-Z and a-z.  Returns a list of str.

    >>> tokenize("Don't panic: 42 towels, Arthur!")
    ['don', 't', 'panic', 'towels', 'arthur']
    """
    if not isinstance(text, str):
        raise ValueError(f"text is a {type(text).__name__}, expected a str")
    return _WORD.findall(text.lower()) if lower else _WORD_ANY_CASE.findall(text)


def _unknown_word(word, known):
    """A KeyError that names ``word`` and suggests the closest spellings among ``known``."""
    close = difflib.get_close_matches(word, known, n=3) if isinstance(word, str) else []
    hint = f"; did you mean {' or '.join(repr(w) for w in close)}?" if close else ""
    return KeyError(f"{word!r} is not in the vocabulary of {len(known)} words{hint}")


def _count(corpus):
    """Counter of the tokens of a corpus: a list of str tokens, or an iterable of sentences (lists of str)."""
    if isinstance(corpus, str):
        raise ValueError("corpus is a str, expected a list of tokens or of sentences (see tokenize)")
    corpus = corpus if isinstance(corpus, (list, tuple)) else list(corpus)
    counter = Counter()
    if corpus and isinstance(corpus[0], str):
        counter.update(corpus)                                # one flat token list
    else:
        for sentence in corpus:
            if isinstance(sentence, str):
                raise ValueError(f"the corpus mixes sentences and the str {sentence!r}, expected one or the other")
            counter.update(sentence)
    bad = next((w for w in counter if not isinstance(w, str)), None)
    if bad is not None:
        raise ValueError(f"the corpus holds {bad!r}, expected str tokens (a token list or a list of sentences)")
    return counter


class Vocabulary:
    """The words of a corpus that occur at least ``min_count`` times, most frequent first.

    corpus: a list of str tokens, or an iterable of sentences (lists of str).
    words: tuple of V str, sorted by count, highest first, ties in
    alphabetical order; counts: (V,) int64; index: dict word -> id, the
    position in ``words``.  ``vocab[word]`` is the id of word (KeyError for
    a word outside the vocabulary, naming it and suggesting close spellings);
    ``len(vocab)`` is V.  Word frequencies are f(w) = count(w) / sum of the
    V counts (words below min_count do not count, as in word2vec).

    >>> vocab = Vocabulary("the cat saw the dog and the cat ran".split(), min_count=2)
    >>> vocab.words, vocab.counts, vocab["cat"]
    (('the', 'cat'), array([3, 2]), 1)
    >>> vocab.encode(["the", "dog", "cat"])        # "dog" is below min_count: skipped
    array([0, 1])
    """

    def __init__(self, corpus, min_count=1):
        if not isinstance(min_count, (int, np.integer)) or min_count < 1:
            raise ValueError(f"min_count is {min_count!r}, expected a positive integer")
        counter = _count(corpus)
        if not counter:
            raise ValueError("the corpus is empty: expected at least one token")
        kept = sorted((w for w, c in counter.items() if c >= min_count), key=lambda w: (-counter[w], w))
        if not kept:
            raise ValueError(f"no word occurs min_count={min_count} times; the most frequent occurs "
                             f"{max(counter.values())} times")
        self.words = tuple(kept)
        self.counts = np.array([counter[w] for w in kept], dtype=np.int64)
        self.index = {w: i for i, w in enumerate(kept)}

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def __getitem__(self, word):
        """The id of ``word``; KeyError naming it and suggesting the closest known spellings."""
        if word not in self.index:
            raise _unknown_word(word, self.words)
        return self.index[word]

    def encode(self, tokens):
        """Ids of the tokens: (n,) int64, n <= len(tokens).

        Tokens outside the vocabulary are skipped (word2vec drops them when it
        reads its training text), so rare words do not become neighbours of
        each other through an <unk> token.
        """
        if isinstance(tokens, str):
            raise ValueError("tokens is a str, expected a list of str (see tokenize)")
        get = self.index.get
        ids = np.fromiter((get(w, -1) for w in tokens), dtype=np.int64)
        return ids[ids >= 0]                                  # -1 marks the unknown tokens

    def decode(self, ids):
        """The words of ids: (n,) ints in [0, V) -> list of n str."""
        return [self.words[i] for i in self._check_ids(ids)]

    def keep_probabilities(self, t=1e-5):
        """Each word's probability of being kept by subsampling: (V,) float64.

        The formula of word2vec's C code, with f = count / total count,

            P(keep w) = min(1, (sqrt(f(w) / t) + 1) * t / f(w)),

        so words with f <= 2.6 t are always kept.  (The word2vec paper,
        Mikolov et al. 2013, writes P(discard w) = 1 - sqrt(t / f(w)), i.e.
        P(keep) = sqrt(t / f); the code adds t / f, keeping rare words a
        little more often.  The notes give neither formula.)
        """
        if not t > 0:
            raise ValueError(f"t is {t!r}, expected a positive threshold such as 1e-5")
        f = self.counts / self.counts.sum()
        return np.minimum(1.0, (np.sqrt(f / t) + 1.0) * t / f)

    def subsample(self, ids, rng, t=1e-5):
        """The ids that survive subsampling, in order: (n_kept,) int64.

        ids: (n,) word ids; each is kept independently with its
        :meth:`keep_probabilities`, drawing from ``rng`` (a np.random.Generator).
        """
        ids = self._check_ids(ids)
        keep = rng.random(ids.shape[0]) < self.keep_probabilities(t)[ids]
        return ids[keep]

    def _check_ids(self, ids):
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"ids has shape {format_shape(ids.shape)} and dtype {ids.dtype}, expected (n,) integers")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.words)):
            raise ValueError(f"ids range from {ids.min()} to {ids.max()}, expected 0 to {len(self.words) - 1}")
        return ids.astype(np.int64)


def _as_sentences_of_ids(ids):
    """ids: (n,) ints, or a list of such arrays (sentences) -> (flat ids (N,), sentence number of each (N,))."""
    if isinstance(ids, np.ndarray) or not any(np.ndim(s) for s in ids):
        sentences = [np.asarray(ids)]                        # one text
    else:
        sentences = [np.asarray(s) for s in ids]
    for k, s in enumerate(sentences):
        if s.ndim != 1 or (s.size and s.dtype.kind not in "iu"):
            raise ValueError(f"sentence {k} of ids has shape {format_shape(s.shape)} and dtype {s.dtype}, "
                             "expected (n,) integers")
    flat = np.concatenate([s.astype(np.int64) for s in sentences])
    sid = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    return flat, sid


def skipgram_pairs(ids, window=5, rng=None):
    """The (center, context) pairs of skip-gram: every context word within ``window`` positions of a center.

    ids: (n,) word ids of one text, or a list of such arrays, one per
    sentence (no pair crosses a sentence boundary).  With ``rng`` (a
    np.random.Generator), each center draws its own window size b uniformly
    from 1..window and pairs with the words at distance <= b, as word2vec
    does (nearby words then count more: distance d is used with probability
    (window - d + 1) / window); with ``rng=None`` every center uses the full
    window.  Returns (centers, contexts), each (P,) int64, ordered by the
    center's position, then the context's.

    >>> skipgram_pairs([7, 8, 9], window=1)
    (array([7, 8, 8, 9]), array([8, 7, 9, 8]))
    """
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window is {window!r}, expected a positive integer")
    flat, sid = _as_sentences_of_ids(ids)
    n = flat.shape[0]
    b = np.full(n, window) if rng is None else rng.integers(1, window + 1, size=n)   # (n,) window of each center
    index = np.int32 if n + window < 2**31 else np.int64     # half the memory of the (n, 2 window) grids
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)]).astype(index)    # (2 window,)
    x_pos = np.arange(n, dtype=index)[:, None] + offsets     # (n, 2 window): row i holds i's context positions
    inside = (x_pos >= 0) & (x_pos < n)
    keep = inside & (np.abs(offsets) <= b[:, None]) & (sid[np.where(inside, x_pos, 0)] == sid[:, None])
    c_pos, column = np.nonzero(keep)                         # row by row: by center, then context position
    return flat[c_pos], flat[x_pos[c_pos, column]]


def noise_distribution(counts, power=0.75):
    """Negative sampling's noise distribution P(w) = count(w)^power / sum_j count(w_j)^power: (V,) float64.

    counts: (V,) word counts (frequencies give the same result); power 3/4 as
    word2vec and the notes (power 1 is the unigram distribution, 0 uniform).

    >>> noise_distribution([16, 1], power=0.75)
    array([0.88888889, 0.11111111])
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1:
        raise ValueError(f"counts has shape {format_shape(counts.shape)}, expected (V,)")
    if np.any(counts < 0) or not np.any(counts > 0):
        raise ValueError("counts must be >= 0 with at least one positive count")
    weights = counts**power
    weights[counts == 0] = 0.0                                # also for power 0: unseen words are never drawn
    return weights / weights.sum()


def sample_negatives(probs, shape, rng):
    """Word ids drawn independently from ``probs`` (V,): an int64 array of ``shape``.

    Inverse-CDF sampling, the exact version of word2vec's unigram table (a
    table of 10^8 ids, each word filling a share probs[w] of it).
    rng: a np.random.Generator.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 1:
        raise ValueError(f"probs has shape {format_shape(probs.shape)}, expected (V,)")
    if np.any(probs < 0) or not abs(probs.sum() - 1.0) < 1e-8:
        raise ValueError(f"probs sums to {probs.sum()!r} or has negative entries, expected a distribution")
    cdf = np.cumsum(probs)
    cdf /= cdf[-1]
    # u in [cdf[w-1], cdf[w]) draws w: a word with probability 0 has an empty interval
    return np.searchsorted(cdf, rng.random(shape), side="right").astype(np.int64)


def alias_table(probs):
    """Walker's alias table of ``probs`` (V,): (accept (V,) float64, alias (V,) int64).

    A draw picks a column i uniformly, then returns i with probability
    accept[i] and alias[i] otherwise, so P(w) = (accept[w] + sum over i with
    alias[i] = w of (1 - accept[i])) / V = probs[w] exactly: two lookups per
    draw instead of :func:`sample_negatives`' binary search over the CDF
    (0.11 ms instead of 0.46 ms for a batch of train_word2vec's noise words,
    5,120 of V = 25,000 words, in torch on one thread).  Built by Vose's
    method: each column is filled to 1/V by one under-full word (its accept)
    topped up by one over-full word (its alias).
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 1 or len(probs) == 0:
        raise ValueError(f"probs has shape {format_shape(probs.shape)}, expected (V,) with V >= 1")
    if np.any(probs < 0) or not abs(probs.sum() - 1.0) < 1e-8:
        raise ValueError(f"probs sums to {probs.sum()!r} or has negative entries, expected a distribution")
    V = len(probs)
    scaled = probs * (V / probs.sum())                    # mean 1: a column holds 1
    accept, alias = np.ones(V), np.arange(V)
    small = [i for i in range(V) if scaled[i] < 1.0]
    large = [i for i in range(V) if scaled[i] >= 1.0]
    while small and large:
        s, l = small.pop(), large.pop()
        accept[s], alias[s] = scaled[s], l                 # column s: s up to scaled[s], then l
        scaled[l] -= 1.0 - scaled[s]
        (small if scaled[l] < 1.0 else large).append(l)
    # what is left is full up to rounding: accept = 1, alias = itself
    return accept, alias


def huffman_codes(counts):
    """Huffman codes for hierarchical softmax, built as word2vec builds them.

    counts: (V,) word counts, V >= 2.  The two least frequent nodes merge
    into a new inner node, V - 1 times; inner nodes are numbered 0..V-2 in
    the order they are made, so V - 2 is the root.  Returns (codes, points),
    lists of V lists: codes[w] are the bits (0 or 1) on the path from the
    root to word w, points[w] the inner nodes on that path, the root first,
    so that the classifier of node points[w][d] predicts bit codes[w][d].
    Of the two nodes merged, the smaller (the first picked, an inner node
    before a leaf on ties) is the 0 branch.  Frequent words get short codes:
    sum_w count(w) len(codes[w]) is the smallest any prefix-free code reaches.

    >>> huffman_codes([5, 2, 1, 1])
    ([[1], [0, 1], [0, 0, 1], [0, 0, 0]], [[2], [2, 1], [2, 1, 0], [2, 1, 0]])
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] < 2:
        raise ValueError(f"counts has shape {format_shape(counts.shape)}, expected (V,) with V >= 2")
    if np.any(counts < 0):
        raise ValueError("counts has negative entries, expected counts >= 0")
    V = counts.shape[0]
    # leaves in ascending order of count, so the next leaf to merge comes first; for counts sorted
    # from most to least frequent (a Vocabulary's) this is V-1, ..., 0, word2vec's order
    leaves = np.argsort(-counts, kind="stable")[::-1]
    # nodes 0..V-1 are the words, V..2V-2 the inner nodes in order of creation (word2vec's layout)
    weight = np.concatenate([counts.astype(np.float64), np.zeros(V - 1)])
    parent = np.zeros(2 * V - 1, dtype=np.int64)
    bit = np.zeros(2 * V - 1, dtype=np.int64)
    next_leaf, next_inner = 0, V                              # two queues, each sorted ascending
    for new in range(V, 2 * V - 1):
        picked = []
        for _ in range(2):
            if next_leaf < V and (next_inner >= new or weight[leaves[next_leaf]] < weight[next_inner]):
                picked.append(leaves[next_leaf])
                next_leaf += 1
            else:
                picked.append(next_inner)
                next_inner += 1
        weight[new] = weight[picked[0]] + weight[picked[1]]
        parent[picked] = new
        bit[picked[1]] = 1
    codes, points = [], []
    for w in range(V):
        code, point, node = [], [], w
        while node != 2 * V - 2:                              # climb to the root
            code.append(int(bit[node]))
            node = parent[node]
            point.append(int(node - V))
        codes.append(code[::-1])
        points.append(point[::-1])
    return codes, points


def char_ngrams(word, n_min=3, n_max=6):
    """fastText's subword units of ``word``: its character n-grams, n_min <= n <= n_max, with < > boundary marks.

    The n-grams of "<" + word + ">" in fastText's order (by start, then
    length), then the whole "<word>" (fastText keeps it as the word's own
    entry; it is not repeated when it is already among the n-grams).  As in
    fastText, the lone marks "<" and ">" are not units even when n_min = 1.

    >>> char_ngrams("where", 3, 3)
    ['<wh', 'whe', 'her', 'ere', 're>', '<where>']
    """
    if not isinstance(word, str) or not word:
        raise ValueError(f"word is {word!r}, expected a non-empty str")
    if not (isinstance(n_min, (int, np.integer)) and isinstance(n_max, (int, np.integer)) and 1 <= n_min <= n_max):
        raise ValueError(f"n_min, n_max are {n_min!r}, {n_max!r}, expected integers with 1 <= n_min <= n_max")
    marked = "<" + word + ">"
    grams = [marked[i : i + n] for i in range(len(marked)) for n in range(n_min, n_max + 1)
             if i + n <= len(marked) and marked[i : i + n] not in ("<", ">")]
    return grams if marked in grams else grams + [marked]


def hash_ngram(s, buckets=2_000_000):
    """fastText's bucket of an n-gram: FNV-1a (32-bit) of its UTF-8 bytes, modulo ``buckets``.

    h = 2166136261; for each byte c: h = (h XOR c) * 16777619 mod 2^32.
    As fastText (which reads each byte as a signed char), a byte c >= 128
    enters the XOR sign-extended, as 0xFFFFFF00 | c; for ASCII text this is
    the standard FNV-1a.  buckets: fastText's default 2,000,000;
    ``buckets=2**32`` gives the full hash.  Returns an int in [0, buckets).

    >>> hex(hash_ngram("a", buckets=2**32))
    '0xe40c292c'
    """
    if not isinstance(s, str):
        raise ValueError(f"s is a {type(s).__name__}, expected a str")
    if not isinstance(buckets, (int, np.integer)) or buckets < 1:
        raise ValueError(f"buckets is {buckets!r}, expected a positive integer")
    h = 2166136261
    for c in s.encode("utf-8"):
        h = ((h ^ (c | 0xFFFFFF00 if c >= 128 else c)) * 16777619) & 0xFFFFFFFF
    return h % int(buckets)
