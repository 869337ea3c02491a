"""Chapter 14, operations on word vectors: cosine similarity, analogies, and debiasing.

A word vector e_w is (n_e,), a batch of them the rows of an (m, n_e) matrix
(the rows of :class:`dlkit.data.WordVectors`' ``vectors``; its E = vectors.T
is the notes' (n_e, V) embedding matrix).

    Sim(u, v) = u.v / (||u|| ||v||)                                       cosine similarity
    a : b :: c : ?   ->   argmax_w Sim(e_w, e_b - e_a + e_c), w not in {a, b, c}

Debiasing (Bolukbasi et al. 2016, "Man is to computer programmer as woman is
to homemaker?"), for a bias direction g such as the mean of e_he - e_she
over gender pairs, and the projection on it proj_g(e) = (e.g / ||g||^2) g:

- neutralize a word that should carry no gender: e' = e - proj_g(e), now orthogonal to g;
- equalize a pair (e_w1, e_w2) such as (actress, actor), made unit-length
  and equally far from every neutralized word:

      mu = (e_w1 + e_w2) / 2,   mu_B = proj_g(mu),   mu_orth = mu - mu_B
      e_wiB = proj_g(e_wi),     e_wi' = mu_orth + sqrt(1 - ||mu_orth||^2) (e_wiB - mu_B) / ||e_wiB - mu_B||

  so e_w1' and e_w2' differ only along g, by opposite amounts, and
  ||e_wi'||^2 = ||mu_orth||^2 + 1 - ||mu_orth||^2 = 1.

Note on the notes: the notes show neutralize and equalize only in pictures
and give no formula.  A common version of this exercise divides by
||e_wi - mu_orth - mu_B|| = ||e_wi - mu|| instead of ||e_wiB - mu_B||; the
two agree only when e_w1 - e_w2 is parallel to g, and otherwise its vectors
are not unit-length.  We follow the paper.  The notes take g from
e_he - e_she, dlkit.data.load_gender_pairs from female - male: the sign of g
changes neither neutralize nor equalize.
"""

import numpy as np

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy._arrays import as_array
from dlkit.text import _unknown_word


def _check_vectors(name, x):
    """x as an array of one vector (n_e,) or of rows (m, n_e)."""
    x = as_array(name, x)
    if x.ndim not in (1, 2):
        raise ValueError(f"{name} has shape {format_shape(x.shape)}, expected (n_e,) or (m, n_e)")
    return x


def _check_pair(names, u, v):
    """Two vectors or batches whose rows can be compared: the same n_e, and the same m when both are batches."""
    same_n = u.shape[-1] == v.shape[-1]
    same_m = u.ndim == 1 or v.ndim == 1 or u.shape[0] == v.shape[0]
    if not (same_n and same_m):
        raise ValueError(f"{names[0]} has shape {format_shape(u.shape)} and {names[1]} {format_shape(v.shape)}, "
                         "expected (m, n_e) and (m, n_e), or one of them (n_e,), with the same n_e")


def _check_nonzero(name, norms):
    if np.any(norms == 0):
        raise ValueError(f"{name} has a zero vector: its direction, hence the cosine similarity, is undefined")


def cosine_similarity(u, v):
    """Sim(u, v) = u.v / (||u||_2 ||v||_2) = cos(theta), row by row.

    u, v: (n_e,) and (n_e,) -> a float; (m, n_e) and (m, n_e) -> (m,);
    (m, n_e) and (n_e,) (either order) -> (m,), each row against the one
    vector.  ValueError for a zero vector.

    >>> cosine_similarity(np.array([1.0, 0.0]), np.array([[3.0, 0.0], [1.0, 1.0]]))
    array([1.        , 0.70710678])
    """
    u, v = _check_vectors("u", u), _check_vectors("v", v)
    _check_pair(("u", "v"), u, v)
    norm_u, norm_v = np.sqrt(np.sum(u * u, axis=-1)), np.sqrt(np.sum(v * v, axis=-1))   # (m,) or ()
    _check_nonzero("u", norm_u)
    _check_nonzero("v", norm_v)
    sim = np.sum(u * v, axis=-1) / (norm_u * norm_v)
    return float(sim) if sim.ndim == 0 else sim


def _words_and_vectors(word_to_vec):
    """(list of V words, the lookup: word -> (n_e,)) for a WordVectors or a dict word -> vector."""
    if isinstance(word_to_vec, dict):
        return list(word_to_vec), word_to_vec.__getitem__
    if hasattr(word_to_vec, "words") and hasattr(word_to_vec, "vectors"):
        index, vectors = word_to_vec.index, word_to_vec.vectors
        return list(word_to_vec.words), lambda w: vectors[index[w]]
    raise ValueError(f"word_to_vec is a {type(word_to_vec).__name__}, expected a dict word -> vector or a "
                     "dlkit.data.WordVectors")


def _analogy_inputs(word_a, word_b, word_c, word_to_vec):
    """(candidate words, e_b - e_a + e_c) with checks shared by both backends; lookup(w) gives e_w."""
    words, lookup = _words_and_vectors(word_to_vec)
    known = set(words)
    for w in (word_a, word_b, word_c):
        if w not in known:
            raise _unknown_word(w, words)
    candidates = [w for w in words if w not in (word_a, word_b, word_c)]
    if not candidates:
        raise ValueError("word_to_vec holds no word besides word_a, word_b and word_c: nothing to answer")
    return candidates, lookup


def complete_analogy(word_a, word_b, word_c, word_to_vec):
    """a is to b as c is to ?: the word w maximizing Sim(e_w, e_b - e_a + e_c), leaving out a, b and c.

    word_to_vec: a dict word -> vector (n_e,), or a :class:`dlkit.data.WordVectors`.
    Returns a str (the first of equal best words, in word_to_vec's order).
    KeyError for an input word outside word_to_vec, naming it and suggesting
    close spellings.

    >>> vecs = {"man": np.array([-1.0, 0.0]), "woman": np.array([1.0, 0.0]),
    ...         "king": np.array([-1.0, 1.0]), "queen": np.array([1.0, 1.0]), "apple": np.array([0.0, -1.0])}
    >>> complete_analogy("man", "woman", "king", vecs)
    'queen'
    """
    candidates, lookup = _analogy_inputs(word_a, word_b, word_c, word_to_vec)
    e_a, e_b, e_c = (as_array(f"word_to_vec[{w!r}]", lookup(w)) for w in (word_a, word_b, word_c))
    target = e_b - e_a + e_c
    check_shape("e_b - e_a + e_c", target, ("n_e",))
    E = np.stack([as_array(f"word_to_vec[{w!r}]", lookup(w)) for w in candidates])     # (V - 3, n_e)
    check_shape("word_to_vec's vectors", E, (None, target.shape[0]))
    return candidates[int(np.argmax(cosine_similarity(E, target)))]


def _check_bias_axis(g, e):
    g = as_array("g", g)
    check_shape("g", g, (e.shape[-1],))
    g_sq = float(g @ g)
    if g_sq == 0:
        raise ValueError("g is the zero vector, expected a bias direction")
    return g, g_sq


def neutralize(word_vector, g):
    """e - proj_g(e) = e - (e.g / ||g||^2) g: the part of e orthogonal to the bias direction g.

    word_vector: (n_e,) or rows (m, n_e); g: (n_e,).  Returns the same shape.

    >>> neutralize(np.array([3.0, 4.0]), np.array([2.0, 0.0]))
    array([0., 4.])
    """
    e = _check_vectors("word_vector", word_vector)
    g, g_sq = _check_bias_axis(g, e)
    return e - (e @ g / g_sq)[..., None] * g                  # (m, 1) * (n_e,) or () * (n_e,)


def equalize(pair, bias_axis):
    """Bolukbasi et al.'s equalize: (e_w1', e_w2'), unit-length, equally far from every vector orthogonal to g.

    pair: (e_w1, e_w2), each (n_e,) or both (m, n_e) (m pairs); bias_axis g:
    (n_e,).  Formula in the module docstring.  The promise ||e_wi'|| = 1
    needs ||mu_orth|| <= 1, which holds for unit-length inputs (normalize
    first, as the paper does): ValueError otherwise, and when e_w1 and e_w2
    have the same projection on g (no direction to split them along).
    Returns (e_w1', e_w2'), each of e_w1's shape.

    >>> e1, e2 = equalize((np.array([0.6, 0.8]), np.array([0.0, 1.0])), np.array([1.0, 0.0]))
    >>> e1, e2                                        # mu_orth = (0, 0.9), sqrt(1 - 0.81) = 0.4359
    (array([0.43588989, 0.9       ]), array([-0.43588989,  0.9       ]))
    """
    if len(pair) != 2:
        raise ValueError(f"pair has {len(pair)} items, expected (e_w1, e_w2)")
    e1, e2 = _check_vectors("e_w1", pair[0]), _check_vectors("e_w2", pair[1])
    check_shape("e_w2", e2, tuple(e1.shape))
    g, g_sq = _check_bias_axis(bias_axis, e1)

    def proj(x):                                              # (e.g / ||g||^2) g, row by row
        return (x @ g / g_sq)[..., None] * g

    mu = (e1 + e2) / 2
    mu_B = proj(mu)
    mu_orth = mu - mu_B
    orth_sq = np.sum(mu_orth * mu_orth, axis=-1, keepdims=True)      # (m, 1) or (1,)
    if np.any(orth_sq > 1):
        raise ValueError(f"||mu_orth||^2 is {orth_sq.max():.4g} > 1: equalize expects unit-length word vectors "
                         "(normalize them first)")
    d1, d2 = proj(e1) - mu_B, proj(e2) - mu_B                 # e_wiB - mu_B, along g
    norm1 = np.sqrt(np.sum(d1 * d1, axis=-1, keepdims=True))
    norm2 = np.sqrt(np.sum(d2 * d2, axis=-1, keepdims=True))
    if np.any(norm1 == 0):
        raise ValueError("e_w1 and e_w2 have the same projection on g: there is no gender part to equalize")
    scale = np.sqrt(1 - orth_sq)
    return mu_orth + scale * d1 / norm1, mu_orth + scale * d2 / norm2
