"""Chapter 14, word vectors: cosine similarity, analogies, neutralize and equalize, NumPy and torch.

Worked numbers: the notes' 4-feature table (Gender, Royal, Age, Food), on
which king - man + woman must rank queen first.  Debiasing is checked by the
properties the formulas promise, on the table and on the course's real
vectors (dlkit.data): a neutralized word is orthogonal to the bias direction,
an equalized pair is unit-length and equally far from every neutral word.
The torch twins agree with NumPy to 1e-10.
"""

import numpy as np
import pytest

from dlkit.data import load_gender_pairs, load_neutral_words, load_word_vectors
from dlkit.numpy import word_vectors as wv
from dlkit.testing import rel_error

# The notes' featurized representation, [Gender, Royal, Age, Food] (000, 词嵌入的特性): man, woman,
# king and queen as the notes write them; apple and orange as the lecture's table (shown as a picture
# in the notes) gives them.
TABLE = {
    "man": np.array([-1.0, 0.01, 0.03, 0.09]),
    "woman": np.array([1.0, 0.02, 0.02, 0.01]),
    "king": np.array([-0.95, 0.93, 0.70, 0.02]),
    "queen": np.array([0.97, 0.95, 0.69, 0.01]),
    "apple": np.array([0.00, -0.01, 0.03, 0.95]),
    "orange": np.array([0.01, 0.00, -0.02, 0.97]),
}
PAIRS = [("woman", "man"), ("queen", "king")]               # (female, male)
NEUTRAL = ["apple", "orange"]


def _torch():
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    from dlkit.torch import word_vectors as twv
    return torch, twv


def _unit(table):
    return {w: v / np.linalg.norm(v) for w, v in table.items()}


def _bias_direction(vectors, pairs):
    """g = the mean of e_female - e_male over the pairs (the notes average e_he - e_she: g's sign does not matter)."""
    return np.mean([vectors[f] - vectors[m] for f, m in pairs], axis=0)


def test_cosine_similarity(rng):
    u, v = rng.standard_normal(6), rng.standard_normal(6)
    assert wv.cosine_similarity(u, v) == pytest.approx(u @ v / np.sqrt((u @ u) * (v @ v)), rel=1e-12)
    assert wv.cosine_similarity(u, 3 * u) == pytest.approx(1.0, abs=1e-12)
    assert wv.cosine_similarity(u, -0.5 * u) == pytest.approx(-1.0, abs=1e-12)
    assert wv.cosine_similarity(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == 0.0
    U, V = rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
    rows = wv.cosine_similarity(U, V)
    assert rows.shape == (5,)
    np.testing.assert_allclose(rows, [wv.cosine_similarity(a, b) for a, b in zip(U, V)], rtol=1e-12)
    np.testing.assert_allclose(wv.cosine_similarity(v, U), [wv.cosine_similarity(a, v) for a in U], rtol=1e-12)
    # the notes' subtraction: man - woman and king - queen point almost the same way
    t = TABLE
    assert wv.cosine_similarity(t["man"] - t["woman"], t["king"] - t["queen"]) > 0.99


def test_cosine_similarity_bad_input(rng):
    with pytest.raises(ValueError, match="u has a zero vector"):
        wv.cosine_similarity(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="v has a zero vector"):
        wv.cosine_similarity(np.ones((2, 3)), np.array([[1.0, 2, 3], [0, 0, 0]]))
    with pytest.raises(ValueError, match=r"u has shape \(4, 3\) and v \(5, 3\), expected"):
        wv.cosine_similarity(np.ones((4, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"u has shape \(3,\) and v \(4,\)"):
        wv.cosine_similarity(np.ones(3), np.ones(4))


def test_king_minus_man_plus_woman_ranks_queen_first_on_the_notes_table():
    assert wv.complete_analogy("man", "woman", "king", TABLE) == "queen"
    target = TABLE["woman"] - TABLE["man"] + TABLE["king"]
    ranked = sorted((w for w in TABLE if w not in ("man", "woman", "king")),
                    key=lambda w: -wv.cosine_similarity(TABLE[w], target))
    assert ranked[0] == "queen"
    assert wv.complete_analogy("woman", "man", "queen", TABLE) == "king"
    # the input words are left out: without that, king itself would be the answer
    assert wv.cosine_similarity(TABLE["king"], target) > wv.cosine_similarity(TABLE["apple"], target)


def test_complete_analogy_on_the_course_vectors():
    vectors = load_word_vectors(max_words=20000)
    assert wv.complete_analogy("man", "woman", "king", vectors) == "queen"
    assert wv.complete_analogy("man", "woman", "king", {w: vectors[w] for w in vectors.words[:5000]}) == "queen"


def test_complete_analogy_unknown_word_suggests_a_spelling():
    vectors = load_word_vectors(max_words=20000)
    with pytest.raises(KeyError, match="'kng' is not in the vocabulary of 20000 words; did you mean 'king'"):
        wv.complete_analogy("man", "woman", "kng", vectors)
    with pytest.raises(KeyError, match="'quen' is not in the vocabulary of 6 words; did you mean 'queen'"):
        wv.complete_analogy("quen", "woman", "king", TABLE)
    with pytest.raises(ValueError, match="no word besides"):
        wv.complete_analogy("man", "woman", "king", {w: TABLE[w] for w in ("man", "woman", "king")})
    with pytest.raises(ValueError, match="expected a dict word -> vector"):
        wv.complete_analogy("man", "woman", "king", [1, 2, 3])


def test_neutralize_on_the_notes_table_and_random_vectors(rng):
    g = _bias_direction(TABLE, PAIRS)
    for w in NEUTRAL:
        e = wv.neutralize(TABLE[w], g)
        assert abs(e @ g) < 1e-10
        # only the part along g goes: the rest of e is unchanged
        np.testing.assert_allclose(TABLE[w] - e, (TABLE[w] @ g) / (g @ g) * g, rtol=1e-12, atol=1e-15)
    E = rng.standard_normal((20, 4))
    N = wv.neutralize(E, g)
    assert N.shape == (20, 4) and np.max(np.abs(N @ g)) < 1e-10
    np.testing.assert_allclose(wv.neutralize(N, g), N, rtol=1e-12, atol=1e-15)   # idempotent
    np.testing.assert_allclose(wv.neutralize(E, -3 * g), N, rtol=1e-10, atol=1e-14)   # g's sign and length
    with pytest.raises(ValueError, match="g is the zero vector"):
        wv.neutralize(E, np.zeros(4))
    with pytest.raises(ValueError, match=r"g has shape \(3,\), expected \(4,\)"):
        wv.neutralize(E, np.ones(3))


def _check_equalized(e1, e2, g, neutral):
    """Unit length, e1 - e2 along g, and equally far from each neutral word (rows of neutral, orthogonal to g)."""
    np.testing.assert_allclose(np.linalg.norm(e1, axis=-1), 1.0, atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(e2, axis=-1), 1.0, atol=1e-10)
    diff = np.atleast_2d(e1 - e2)
    assert np.max(np.abs(wv.neutralize(diff, g))) < 1e-10
    for n in neutral:
        d1, d2 = np.linalg.norm(e1 - n, axis=-1), np.linalg.norm(e2 - n, axis=-1)
        np.testing.assert_allclose(d1, d2, rtol=0, atol=1e-10)


def test_equalize_on_the_notes_table():
    """Bolukbasi et al.'s equalize works on unit-length vectors: normalize the table first, as the paper does."""
    unit = _unit(TABLE)
    g = _bias_direction(unit, PAIRS)
    neutral = [wv.neutralize(unit[w], g) for w in NEUTRAL]
    for f, m in PAIRS:
        before = [np.linalg.norm(unit[f] - n) - np.linalg.norm(unit[m] - n) for n in neutral]
        assert max(abs(b) for b in before) > 1e-3            # the property is not there to begin with
        e_f, e_m = wv.equalize((unit[f], unit[m]), g)
        _check_equalized(e_f, e_m, g, neutral)
        # the part orthogonal to g is the pair's mean's; the female word stays on the female side of g
        mu = (unit[f] + unit[m]) / 2
        np.testing.assert_allclose(wv.neutralize(e_f, g), wv.neutralize(mu, g), atol=1e-12)
        assert e_f @ g > 0 > e_m @ g


def test_equalize_bad_input():
    g = _bias_direction(TABLE, PAIRS)
    with pytest.raises(ValueError, match=r"\|\|mu_orth\|\|\^2 is 1\.3.* > 1: equalize expects unit-length"):
        wv.equalize((TABLE["queen"], TABLE["king"]), g)       # the raw table: king and queen are longer than 1
    e = _unit(TABLE)["apple"]
    with pytest.raises(ValueError, match="the same projection on g"):
        wv.equalize((e, e), g)
    with pytest.raises(ValueError, match=r"e_w2 has shape \(3,\), expected \(4,\)"):
        wv.equalize((e, e[:3]), g)
    with pytest.raises(ValueError, match="pair has 3 items"):
        wv.equalize((e, e, e), g)


def _real_debiasing_inputs():
    vectors = load_word_vectors()
    pairs = load_gender_pairs()
    g = np.mean([vectors[f] - vectors[m] for f, m in pairs], axis=0)      # (100,)
    neutral = np.stack([vectors[w] for w in load_neutral_words()])        # (68, 100)
    females = np.stack([vectors[f] for f, _ in pairs])                    # (35, 100)
    males = np.stack([vectors[m] for _, m in pairs])
    return g, neutral, females, males


def test_debiasing_the_course_vectors():
    g, neutral, females, males = _real_debiasing_inputs()
    # the bias is there before: some occupations lean clearly to one side of g
    lean = wv.cosine_similarity(neutral, g)
    assert lean.max() > 0.1 and lean.min() < -0.1
    neutralized = wv.neutralize(neutral, g)
    assert np.max(np.abs(neutralized @ g)) < 1e-10
    e_f, e_m = wv.equalize((females, males), g)                          # all 35 pairs at once, as rows
    assert e_f.shape == e_m.shape == (35, 100)
    _check_equalized(e_f, e_m, g, neutralized)
    for i in (0, 9, 34):                                                  # rows agree with one pair at a time
        one_f, one_m = wv.equalize((females[i], males[i]), g)
        np.testing.assert_allclose(one_f, e_f[i], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(one_m, e_m[i], rtol=1e-12, atol=1e-15)
    before = np.abs(np.linalg.norm(females[:, None] - neutralized, axis=-1)
                    - np.linalg.norm(males[:, None] - neutralized, axis=-1))   # (35, 68)
    assert before.max() > 0.05


def test_torch_twins_agree_with_numpy(device, rng):
    torch, twv = _torch()
    t = {w: torch.as_tensor(v, device=device) for w, v in TABLE.items()}
    assert twv.complete_analogy("man", "woman", "king", t) == "queen"
    g, neutral, females, males = _real_debiasing_inputs()
    T = lambda x: torch.as_tensor(x, device=device)                       # noqa: E731
    got = twv.cosine_similarity(T(neutral), T(g))
    assert got.device.type == device and got.dtype == torch.float64
    assert rel_error(wv.cosine_similarity(neutral, g), got.cpu().numpy()) < 1e-10
    assert rel_error(wv.neutralize(neutral, g), twv.neutralize(T(neutral), T(g)).cpu().numpy()) < 1e-10
    for e_np, e_t in zip(wv.equalize((females, males), g), twv.equalize((T(females), T(males)), T(g))):
        assert e_t.device.type == device
        assert rel_error(e_np, e_t.cpu().numpy()) < 1e-10
    u = rng.standard_normal(5)
    assert float(twv.cosine_similarity(T(u), T(2 * u))) == pytest.approx(1.0, abs=1e-12)
    assert twv.complete_analogy("man", "woman", "king", load_word_vectors(max_words=20000)) == "queen"


def test_torch_twins_keep_float32_and_check_input(device):
    torch, twv = _torch()
    e = torch.tensor([[0.6, 0.8], [0.0, 1.0]], dtype=torch.float32, device=device)
    g = torch.tensor([1.0, 0.0], dtype=torch.float32, device=device)
    assert twv.neutralize(e, g).dtype == torch.float32
    e1, e2 = twv.equalize((e[0], e[1]), g)
    assert e1.dtype == torch.float32 and e1.device.type == device
    torch.testing.assert_close(e1.cpu(), torch.tensor([0.43588989, 0.9]), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="u has a zero vector"):
        twv.cosine_similarity(torch.zeros(3, device=device), torch.ones(3, device=device))
    with pytest.raises(ValueError, match="the same projection on g"):
        twv.equalize((e[0], e[0]), g)
    with pytest.raises(KeyError, match="did you mean 'queen'"):
        twv.complete_analogy("quen", "woman", "king", TABLE)
