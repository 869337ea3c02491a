"""Word vectors, their evaluation sets, and word lists for debiasing."""

import functools
import gzip

import numpy as np

from dlkit.data._files import path
from dlkit.text import _unknown_word

SIMILARITY_SETS = {"wordsim353": "wordsim353.tsv.gz", "simlex999": "simlex999.txt.gz"}


class WordVectors:
    """Unit-length word vectors with the vocabulary they belong to.

    words: tuple of V str, most frequent first; vectors: (V, n_e) float64,
    row i the vector of words[i]; E: (n_e, V), the notes' embedding matrix
    (column i is e_{words[i]}, so E @ o_w = e_w for a one-hot o_w: (V, 1));
    counts: (V,) int64, each word's count in the training corpus.
    """

    def __init__(self, words, vectors, counts):
        self.words = tuple(words)
        self.vectors = vectors
        self.counts = counts
        self.index = {w: i for i, w in enumerate(self.words)}

    @property
    def E(self):
        return self.vectors.T                               # (n_e, V): one word per column

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def __getitem__(self, word):
        """The vector of ``word``: (n_e,) float64 (a copy); KeyError names the word and suggests close spellings."""
        if word not in self.index:
            raise _unknown_word(word, self.words)
        return self.vectors[self.index[word]].copy()

    def most_similar(self, query, k=5, exclude=()):
        """The k words whose vectors have the highest cosine similarity with ``query``.

        query: a word or a vector (n_e,).  Returns a list of (word, similarity).
        """
        v = self[query] if isinstance(query, str) else np.asarray(query, dtype=np.float64)
        if v.shape != (self.vectors.shape[1],):
            raise ValueError(f"query has shape {v.shape}, expected ({self.vectors.shape[1]},)")
        scores = self.vectors @ (v / np.linalg.norm(v))
        for w in ([query] if isinstance(query, str) else []) + list(exclude):
            if w in self.index:
                scores[self.index[w]] = -np.inf
        best = np.argsort(-scores)[:k]
        return [(self.words[i], float(scores[i])) for i in best]

    def analogy(self, a, b, c, k=1):
        """a is to b as c is to ?: the words nearest to e_b - e_a + e_c, leaving out a, b and c."""
        return self.most_similar(self[b] - self[a] + self[c], k=k, exclude=(a, b, c))

    def analogy_accuracy(self, questions, restrict=30000):
        """Share of (a, b, c, d) questions answered d, among the first ``restrict`` words.

        Questions with a word outside the first ``restrict`` words are skipped
        (as word2vec's and gensim's evaluations do).  Returns (accuracy, answered).
        """
        restrict = min(restrict, len(self.words))
        E = self.vectors[:restrict]
        idx = self.index
        q = np.array([[idx[w] for w in quad] for quad in questions
                      if all(w in idx and idx[w] < restrict for w in quad)], dtype=np.int64).reshape(-1, 4)
        correct = 0
        for s in range(0, len(q), 1000):
            b = q[s : s + 1000]
            scores = (E[b[:, 1]] - E[b[:, 0]] + E[b[:, 2]]) @ E.T      # (batch, restrict)
            scores[np.arange(len(b))[:, None], b[:, :3]] = -np.inf       # never answer a, b or c
            correct += int((scores.argmax(axis=1) == b[:, 3]).sum())
        return (correct / len(q) if len(q) else 0.0), len(q)


@functools.lru_cache(maxsize=None)
def _vectors():
    with np.load(path("word_vectors.npz")) as f:
        return tuple(str(w) for w in f["words"]), f["vectors"].astype(np.float64), f["counts"].astype(np.int64)


def load_word_vectors(max_words=None):
    """100-dimensional word vectors of the 40,000 most frequent words, trained by the course.

    Made by ``tools/data/train_vectors.py``: skip-gram with negative sampling
    (word2vec's recipe, written in PyTorch) on 17.7 million tokens of
    English that ``tools/data/build.py`` extracts from Debian packages:
    the novels of :func:`dlkit.data.load_novels`, the King James and World
    English Bibles and three public-domain commentaries (Matthew Henry,
    Spurgeon, Scofield), the GNU Collaborative International Dictionary of
    English (GPL-3), WordNet 3.0's glosses (WordNet licence), the Devil's
    Dictionary, the Jargon File, and the Python 3.11 manual (PSF).  The
    vectors are statistics of those texts and contain none of them; dlkit
    ships them as float16 in ``dlkit/data/files/word_vectors.npz`` under the
    MIT licence.  Quality: 34.3% of word2vec's analogy questions answered
    exactly (8,457 of 19,544 questions have all four words among the 30,000
    most frequent; syntactic 35.4%, semantic 23.1%, capitals and currencies
    weak), king - man + woman ranks queen first, Spearman correlation 0.65
    with WordSim-353 and 0.38 with SimLex-999.

    Returns a :class:`WordVectors` (vectors (V, 100) float64 of unit length,
    E (100, V)); ``max_words`` keeps the most frequent words only.

    >>> wv = load_word_vectors()
    >>> len(wv), wv.vectors.shape
    (40000, (40000, 100))
    """
    words, vectors, counts = _vectors()
    if max_words is not None:
        if not isinstance(max_words, int) or not 1 <= max_words <= len(words):
            raise ValueError(f"max_words is {max_words!r}, expected an integer in [1, {len(words)}] or None")
        words, vectors, counts = words[:max_words], vectors[:max_words], counts[:max_words]
    return WordVectors(words, vectors.copy(), counts.copy())


@functools.lru_cache(maxsize=None)
def _analogies():
    sections, name = {}, None
    with gzip.open(path("questions-words.txt.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith(":"):
                name = line[1:].strip()
                sections[name] = []
            elif line.strip():
                sections[name].append(tuple(line.lower().split()))
    return {k: tuple(v) for k, v in sections.items()}


def load_analogies(sections=None):
    """Google's word-analogy questions: 19,544 (a, b, c, d) meaning "a is to b as c is to d".

    Source: ``questions-words.txt`` of the word2vec project (Mikolov et al.
    2013; Apache-2.0), as gensim 4.4's wheel carries it; shipped lowercased
    in ``dlkit/data/files/questions-words.txt.gz`` (69 kB).  14 sections:
    five semantic ("capital-common-countries", "capital-world", "currency",
    "city-in-state", "family") and nine syntactic ("gram1-adjective-to-adverb"
    ... "gram9-plural-verbs").  ``sections``: None for all, or a list of
    section names.  Returns a list of 4-tuples of str.

    >>> load_analogies(["family"])[0]
    ('boy', 'girl', 'brother', 'sister')
    """
    data = _analogies()
    if sections is None:
        sections = list(data)
    for s in sections:
        if s not in data:
            raise ValueError(f"section {s!r} is unknown, expected one of {list(data)}")
    return [q for s in sections for q in data[s]]


def load_word_similarity(name="wordsim353"):
    """Word pairs with human similarity scores, to compare with cosine similarities.

    "wordsim353": WordSim-353 (Finkelstein et al. 2002), 353 pairs scored
    0-10 for relatedness; "simlex999": SimLex-999 (Hill, Reichart and
    Korhonen 2015), 999 pairs scored 0-10 for similarity.  Source: both
    as gensim 4.4's wheel (LGPL-2.1) redistributes them; their authors publish them
    freely for research without a stated licence (gensim's own licence is
    LGPL-2.1).  Shipped in
    ``dlkit/data/files/`` (3 kB and 8 kB).  Returns (pairs, scores): a list
    of m (word, word) tuples, lowercased, and scores (m,) float64.

    >>> pairs, scores = load_word_similarity()
    >>> len(pairs), pairs[0], scores[0]
    (353, ('love', 'sex'), np.float64(6.77))
    """
    if name not in SIMILARITY_SETS:
        raise ValueError(f"name is {name!r}, expected one of {sorted(SIMILARITY_SETS)}")
    pairs, scores = [], []
    with gzip.open(path(SIMILARITY_SETS[name]), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a, b, s = line.split("\t")[:3]
            pairs.append((a.lower(), b.lower()))
            scores.append(float(s))
    return pairs, np.array(scores)


# Written for dlkit (MIT).  Every word is among the 40,000 of load_word_vectors().
GENDER_PAIRS = (  # (female, male)
    ("woman", "man"), ("she", "he"), ("her", "his"), ("herself", "himself"), ("girl", "boy"),
    ("mother", "father"), ("daughter", "son"), ("sister", "brother"), ("wife", "husband"),
    ("queen", "king"), ("princess", "prince"), ("aunt", "uncle"), ("niece", "nephew"),
    ("grandmother", "grandfather"), ("lady", "gentleman"), ("madam", "sir"), ("female", "male"),
    ("feminine", "masculine"), ("actress", "actor"), ("heroine", "hero"), ("duchess", "duke"),
    ("bride", "bridegroom"), ("mistress", "master"), ("women", "men"),
    ("girls", "boys"), ("mothers", "fathers"), ("daughters", "sons"), ("sisters", "brothers"),
    ("wives", "husbands"), ("queens", "kings"), ("ladies", "gentlemen"),
    ("empress", "emperor"), ("goddess", "god"), ("nun", "monk"), ("maid", "lad"),
)
NEUTRAL_WORDS = (  # occupations and other words that should carry no gender
    "doctor", "nurse", "teacher", "engineer", "scientist", "programmer", "secretary",
    "lawyer", "judge", "surgeon", "physician", "architect", "pilot", "captain", "soldier", "sailor",
    "farmer", "cook", "baker", "servant", "clerk", "merchant", "banker", "artist", "painter", "writer",
    "poet", "singer", "dancer", "musician", "student", "professor", "philosopher", "mathematician",
    "manager", "officer", "president", "minister", "governor", "chef", "housekeeper", "tailor",
    "carpenter", "blacksmith", "shepherd", "hunter", "thief", "criminal", "genius", "computer",
    "science", "mathematics", "technology", "literature", "art", "music", "fashion", "cooking",
    "strength", "beauty", "intelligence", "violence", "kindness", "emotion", "career", "family",
    "money", "business",
)


def load_gender_pairs():
    """Pairs of gender-specific words, (female, male): ("woman", "man"), ("queen", "king") ...

    For the gender direction g (the mean of e_female - e_male over pairs) and
    for equalizing.  Written for dlkit (MIT), in the spirit of the lists of
    Bolukbasi et al. (2016); all words are in :func:`load_word_vectors`.
    Returns a list of 35 (female, male) tuples.

    >>> load_gender_pairs()[:2]
    [('woman', 'man'), ('she', 'he')]
    """
    return list(GENDER_PAIRS)


def load_neutral_words():
    """Words that should carry no gender: occupations, fields, qualities (68 words).

    For neutralizing: their projection on the gender direction is bias.
    Written for dlkit (MIT); all words are in :func:`load_word_vectors`
    ("receptionist", the notes' example, is too rare in its corpus).
    Returns a list of str.

    >>> "engineer" in load_neutral_words()
    True
    """
    return list(NEUTRAL_WORDS)
