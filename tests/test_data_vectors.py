"""dlkit.data word vectors: the shipped file, its quality, evaluation sets, debiasing word lists."""

import numpy as np
import pytest
from offline import no_network  # noqa: F401  (autouse: no network in these tests)

from dlkit.data import (
    load_analogies,
    load_gender_pairs,
    load_neutral_words,
    load_word_similarity,
    load_word_vectors,
)

# Measured on the shipped file (see dlkit/data/files/README.md): all questions 34.3%, family 45.1%,
# comparatives 41.3%, plurals 65.7%; WordSim-353 Spearman 0.65.  The floors leave a margin.
ANALOGY_FLOOR = {None: 0.30, "family": 0.40, "gram3-comparative": 0.35, "gram8-plural": 0.55}
WORDSIM_FLOOR = 0.55


@pytest.fixture(scope="module")
def wv():
    return load_word_vectors()


def test_layout_and_units(wv):
    assert len(wv) == 40000 and wv.vectors.shape == (40000, 100) and wv.E.shape == (100, 40000)
    assert wv.vectors.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(wv.vectors, axis=1), 1.0, atol=2e-3)   # float16 on disk
    assert wv.words[:3] == ("the", "of", "and") or wv.words[0] == "the"
    assert (np.diff(wv.counts) <= 0).all()                        # most frequent first
    o = np.zeros((len(wv), 1))
    o[wv.index["king"]] = 1
    np.testing.assert_array_equal((wv.E @ o)[:, 0], wv["king"])   # e_w = E o_w
    with pytest.raises(KeyError, match="not in the vocabulary"):
        wv["qwertyuiop"]
    with pytest.raises(KeyError, match="did you mean 'king'"):                  # a misspelling gets a suggestion
        wv["kng"]


def test_deterministic_copies(wv):
    other = load_word_vectors()
    np.testing.assert_array_equal(other.vectors, wv.vectors)
    other.vectors[:] = 0
    assert load_word_vectors().vectors.any()
    assert len(load_word_vectors(max_words=1000)) == 1000
    with pytest.raises(ValueError, match="expected an integer in"):
        load_word_vectors(max_words=0)


def test_king_man_woman_queen(wv):
    answers = [w for w, _ in wv.analogy("man", "woman", "king", k=3)]
    assert "queen" in answers, answers
    assert wv.most_similar("she", k=1)[0][0] in ("he", "her")


def test_analogy_accuracy_above_floor(wv):
    for section, floor in ANALOGY_FLOOR.items():
        acc, n = wv.analogy_accuracy(load_analogies(None if section is None else [section]))
        assert n > 200 and acc > floor, f"{section or 'all'}: {acc:.1%} of {n} (floor {floor:.0%})"


def test_word_similarity_correlates(wv):
    pairs, human = load_word_similarity("wordsim353")
    keep = [i for i, (a, b) in enumerate(pairs) if a in wv and b in wv]
    assert len(keep) > 300
    cos = np.array([wv[pairs[i][0]] @ wv[pairs[i][1]] for i in keep])
    rank = lambda x: np.argsort(np.argsort(x))                    # noqa: E731 (Spearman = Pearson of ranks)
    rho = np.corrcoef(rank(cos), rank(human[keep]))[0, 1]
    assert rho > WORDSIM_FLOOR, rho


def test_evaluation_sets():
    questions = load_analogies()
    assert len(questions) == 19544 and questions[0] == ("athens", "greece", "baghdad", "iraq")
    assert all(len(q) == 4 and all(w.islower() for w in q) for q in questions)
    assert len(load_analogies(["family"])) == 506
    pairs, scores = load_word_similarity("simlex999")
    assert len(pairs) == 999 and scores.shape == (999,) and 0 <= scores.min() and scores.max() <= 10
    with pytest.raises(ValueError, match="expected one of"):
        load_analogies(["colours"])
    with pytest.raises(ValueError, match="expected one of"):
        load_word_similarity("men")


def test_debiasing_words_show_the_effects(wv):
    pairs, neutral = load_gender_pairs(), load_neutral_words()
    assert all(f in wv and m in wv for f, m in pairs) and all(w in wv for w in neutral)
    assert not {w for p in pairs for w in p} & set(neutral)
    g = np.mean([wv[f] - wv[m] for f, m in pairs], axis=0)
    g /= np.linalg.norm(g)
    # the female word of a pair lies further along g than the male word, for nearly all pairs
    assert sum(wv[f] @ g > wv[m] @ g for f, m in pairs) >= 0.85 * len(pairs)
    assert all(wv[f] @ g > 0 > wv[m] @ g for f, m in pairs[:4])    # woman/man, she/he, her/his, herself/himself
    # names, as in the notes: a man's name leans male, a woman's female
    assert wv["john"] @ g < 0 < wv["marie"] @ g
    # the bias the chapter removes: some neutral words lean one way, some the other
    bias = {w: wv[w] @ g for w in neutral}
    assert bias["nurse"] > 0.1 and bias["engineer"] < -0.1
    # neutralizing removes it: the projection of e - (e.g)g on g is zero
    e = wv["nurse"]
    assert abs((e - (e @ g) * g) @ g) < 1e-12
