"""Chapter 14 in PyTorch: twins of :mod:`dlkit.numpy.word_vectors` (formulas and the note on the notes there)."""

import torch

from dlkit._shapes import check_shape, format_shape
from dlkit.numpy.word_vectors import _analogy_inputs, _check_pair
from dlkit.torch._tensors import as_tensor


def _check_vectors(name, x, like=None):
    """x as a tensor of one vector (n_e,) or of rows (m, n_e), on like's device when given."""
    x = as_tensor(name, x, like=like)
    if like is not None:
        x = x.to(like.device)
    if x.ndim not in (1, 2):
        raise ValueError(f"{name} has shape {format_shape(x.shape)}, expected (n_e,) or (m, n_e)")
    return x


def _check_nonzero(name, norms):
    if bool(torch.any(norms == 0)):
        raise ValueError(f"{name} has a zero vector: its direction, hence the cosine similarity, is undefined")


def cosine_similarity(u, v):
    """u.v / (||u|| ||v||) row by row: (m, n_e) and (m, n_e) or (n_e,) -> (m,); (n_e,), (n_e,) -> a 0-d tensor."""
    u = _check_vectors("u", u)
    v = _check_vectors("v", v, like=u)
    _check_pair(("u", "v"), u, v)
    norm_u, norm_v = torch.linalg.vector_norm(u, dim=-1), torch.linalg.vector_norm(v, dim=-1)
    _check_nonzero("u", norm_u)
    _check_nonzero("v", norm_v)
    return torch.sum(u * v, dim=-1) / (norm_u * norm_v)


def complete_analogy(word_a, word_b, word_c, word_to_vec):
    """a : b :: c : ?, the argmax of Sim(e_w, e_b - e_a + e_c) over w not in {a, b, c}; returns a str.

    word_to_vec: a dict word -> tensor (n_e,) (the device of e_a is used),
    or a :class:`dlkit.data.WordVectors` (float64 on the CPU).
    """
    candidates, lookup = _analogy_inputs(word_a, word_b, word_c, word_to_vec)
    e_a = as_tensor(f"word_to_vec[{word_a!r}]", lookup(word_a))
    e_b, e_c = (as_tensor(f"word_to_vec[{w!r}]", lookup(w), like=e_a).to(e_a.device) for w in (word_b, word_c))
    target = e_b - e_a + e_c
    check_shape("e_b - e_a + e_c", target, ("n_e",))
    E = torch.stack([as_tensor(f"word_to_vec[{w!r}]", lookup(w), like=e_a).to(e_a.device)
                     for w in candidates])                    # (V - 3, n_e)
    check_shape("word_to_vec's vectors", E, (None, target.shape[0]))
    return candidates[int(torch.argmax(cosine_similarity(E, target)))]


def _check_bias_axis(g, e):
    g = as_tensor("g", g, like=e).to(e.device)
    check_shape("g", g, (e.shape[-1],))
    g_sq = g @ g
    if float(g_sq) == 0:
        raise ValueError("g is the zero vector, expected a bias direction")
    return g, g_sq


def neutralize(word_vector, g):
    """e - (e.g / ||g||^2) g, the part of e: (n_e,) or (m, n_e) orthogonal to g: (n_e,)."""
    e = _check_vectors("word_vector", word_vector)
    g, g_sq = _check_bias_axis(g, e)
    return e - (e @ g / g_sq)[..., None] * g                  # (m, 1) * (n_e,) or () * (n_e,)


def equalize(pair, bias_axis):
    """Bolukbasi et al.'s equalize of pair (e_w1, e_w2), each (n_e,) or (m, n_e), along g: (n_e,)."""
    if len(pair) != 2:
        raise ValueError(f"pair has {len(pair)} items, expected (e_w1, e_w2)")
    e1 = _check_vectors("e_w1", pair[0])
    e2 = _check_vectors("e_w2", pair[1], like=e1)
    check_shape("e_w2", e2, tuple(e1.shape))
    g, g_sq = _check_bias_axis(bias_axis, e1)

    def proj(x):                                              # (e.g / ||g||^2) g, row by row
        return (x @ g / g_sq)[..., None] * g

    mu = (e1 + e2) / 2
    mu_B = proj(mu)
    mu_orth = mu - mu_B
    orth_sq = torch.sum(mu_orth * mu_orth, dim=-1, keepdim=True)     # (m, 1) or (1,)
    if bool(torch.any(orth_sq > 1)):
        raise ValueError(f"||mu_orth||^2 is {float(orth_sq.max()):.4g} > 1: equalize expects unit-length word "
                         "vectors (normalize them first)")
    d1, d2 = proj(e1) - mu_B, proj(e2) - mu_B                 # e_wiB - mu_B, along g
    norm1 = torch.linalg.vector_norm(d1, dim=-1, keepdim=True)
    norm2 = torch.linalg.vector_norm(d2, dim=-1, keepdim=True)
    if bool(torch.any(norm1 == 0)):
        raise ValueError("e_w1 and e_w2 have the same projection on g: there is no gender part to equalize")
    scale = torch.sqrt(1 - orth_sq)
    return mu_orth + scale * d1 / norm1, mu_orth + scale * d2 / norm2
