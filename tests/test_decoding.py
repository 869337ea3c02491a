"""Chapter 15: dlkit.decoding's greedy and beam search on step functions whose answers are known.

The step functions here are seeded random conditional language models: the
next-token distribution is a Dirichlet draw seeded by the whole prefix, so
every prefix has its own distribution and the search must pass states along
correctly to get the probabilities right.
"""

import itertools

import numpy as np
import pytest

from dlkit.decoding import Hypothesis, beam_search, greedy_search


class PrefixModel:
    """A step function whose state is the prefix (the tokens consumed after bos); P(next | prefix) is fixed
    per prefix.  ``step`` checks what it is handed (bos only with the empty prefix, one position per call,
    no hypothesis twice in a beam) and records every prefix it is asked about and the beam sizes."""

    def __init__(self, V, seed, concentration=0.5):
        self.V, self.seed, self.concentration, self.bos = V, seed, concentration, V
        self.seen, self.sizes = set(), []

    def probs(self, prefix):
        rng = np.random.default_rng([self.seed, len(prefix), *prefix])
        return rng.dirichlet(np.full(self.V, self.concentration))

    def step(self, tokens, states):
        assert tokens.dtype.kind == "i" and tokens.shape == (len(states),)
        assert all(token != self.bos or state == () for token, state in zip(tokens, states))
        prefixes = [state if token == self.bos else state + (int(token),) for token, state in zip(tokens, states)]
        assert len({len(p) for p in prefixes}) == 1 and len(set(prefixes)) == len(prefixes), prefixes
        self.seen.update(prefixes)
        self.sizes.append(len(prefixes))
        return np.stack([self.probs(p) for p in prefixes]), prefixes

    def log_prob(self, tokens):
        return sum(np.log(self.probs(tuple(tokens[:t]))[tokens[t]]) for t in range(len(tokens)))


def markov(P):
    """A first-order Markov step function: P[previous token] is the next distribution, the last row for bos."""
    return lambda tokens, states: (P[tokens], states)


def _all_sequences(model, eos, max_length):
    """Every possible output: sequences ending at their first eos, or max_length tokens without eos."""
    for T in range(1, max_length + 1):
        for tokens in itertools.product(range(model.V), repeat=T):
            if eos in tokens[:-1] or (T < max_length and tokens[-1] != eos):
                continue
            yield list(tokens), model.log_prob(list(tokens))


@pytest.mark.parametrize("eos", [None, 0])
@pytest.mark.parametrize("seed", range(6))
def test_beam_width_one_is_greedy_search(seed, eos):
    model = PrefixModel(V=6, seed=seed)
    tokens, log_prob = greedy_search(model.step, (), model.bos, eos=eos, max_length=12)
    (best,) = beam_search(model.step, (), model.bos, eos=eos, beam_width=1, max_length=12)
    assert best.tokens == tokens and best.log_prob == log_prob
    assert log_prob == pytest.approx(model.log_prob(tokens), rel=1e-12)
    assert len(tokens) == 12 if eos is None else (tokens[-1] == eos or len(tokens) == 12)


@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
@pytest.mark.parametrize("V, seed", [(3, 0), (3, 1), (4, 2), (4, 3)])
def test_a_wide_beam_finds_the_exact_best_sequence(V, seed, alpha):
    """V^4 sequences (with eos = 0 and max_length 4) enumerated: B = 1000 keeps them all and ranks them exactly."""
    model = PrefixModel(V=V, seed=seed, concentration=1.0)
    everything = [(tokens, lp, lp / len(tokens) ** alpha) for tokens, lp in _all_sequences(model, 0, 4)]
    everything.sort(key=lambda e: -e[2])
    found = beam_search(model.step, (), model.bos, eos=0, beam_width=1000, max_length=4, alpha=alpha)
    assert len(found) == len(everything)
    assert found[0].tokens == everything[0][0]
    np.testing.assert_allclose([h.score for h in found], [e[2] for e in everything], rtol=1e-12)
    for h in found:
        assert h.log_prob == pytest.approx(model.log_prob(h.tokens), rel=1e-12)
        assert h.score == pytest.approx(h.log_prob / len(h.tokens) ** alpha, rel=1e-15)


@pytest.mark.parametrize("B", [2, 3, 5])
def test_states_follow_their_hypotheses(B):
    """The state is the prefix itself: every prefix the step function sees is one the search built, and every
    returned log_prob is the model's for its tokens (a mix-up of states would give other probabilities)."""
    model = PrefixModel(V=7, seed=11)
    found = beam_search(model.step, (), model.bos, eos=3, beam_width=B, max_length=10)
    assert 1 <= len(found) <= B and [h.score for h in found] == sorted((h.score for h in found), reverse=True)
    for h in found:
        assert all(tuple(h.tokens[:t]) in model.seen for t in range(len(h.tokens)))
        assert h.log_prob == pytest.approx(model.log_prob(h.tokens), rel=1e-12)
        assert 3 not in h.tokens[:-1]


def test_greedy_loses_to_a_beam_of_two():
    """First token: 0 (0.5) or 1 (0.4); after 0 every token is 0.25, after 1 token 2 is 0.9."""
    P = np.array([[0.25, 0.25, 0.25, 0.25], [0.05, 0.02, 0.90, 0.03], [0.25] * 4, [0.25] * 4,
                  [0.50, 0.40, 0.10, 0.00]])
    tokens, log_prob = greedy_search(markov(P), None, bos=4, max_length=2)
    assert tokens == [0, 0] and log_prob == pytest.approx(np.log(0.5 * 0.25), rel=1e-15)
    found = beam_search(markov(P), None, bos=4, beam_width=2, max_length=2, alpha=0)
    assert found[0].tokens == [1, 2] and found[0].log_prob == pytest.approx(np.log(0.4 * 0.9), rel=1e-15)
    assert found[1].tokens == [0, 0]                 # the tie among 0.25s goes to the lower index


def test_length_normalization_changes_the_winner():
    """Stop now (eos, 0.4) or go on: 0.6 then eos at 0.5, 0.3 in all.  Summed logs prefer the short one
    (log 0.4 > log 0.3); divided by T_y^0.7 the long one wins (log 0.3 / 2^0.7 = -0.74 > -0.92)."""
    P = np.array([[1.0, 0.0, 0.0], [0.5, 0.1, 0.4], [0.5, 0.25, 0.25], [0.4, 0.6, 0.0]])    # eos 0, bos 3
    plain = beam_search(markov(P), None, bos=3, eos=0, beam_width=3, max_length=4, alpha=0)
    normalized = beam_search(markov(P), None, bos=3, eos=0, beam_width=3, max_length=4, alpha=0.7)
    assert plain[0].tokens == [0] and normalized[0].tokens == [1, 0]
    assert sorted(h.tokens for h in plain) == sorted(h.tokens for h in normalized)   # alpha only ranks
    assert normalized[0].score == pytest.approx(np.log(0.3) / 2 ** 0.7, rel=1e-12)


def test_a_finished_hypothesis_leaves_the_beam_and_the_beam_refills():
    """eos is the most probable first token: it finishes at once, and the beam goes on with B other tokens."""
    model = PrefixModel(V=6, seed=5)
    eos = int(np.argmax(model.probs(())))
    found = beam_search(model.step, (), model.bos, eos=eos, beam_width=3, max_length=5)
    assert [eos] in [h.tokens for h in found] and model.sizes[:2] == [1, 3]


def test_at_max_length_the_live_hypotheses_count_as_finished():
    """[0] (0.3) and [1, 0] (0.28) have finished when max_length stops the search; the live [1, 1] (0.42) counts."""
    P = np.array([[1.0, 0.0, 0.0], [0.4, 0.6, 0.0], [1.0, 0.0, 0.0], [0.3, 0.7, 0.0]])    # eos 0, bos 3
    found = beam_search(markov(P), None, bos=3, eos=0, beam_width=2, max_length=2, alpha=0)
    assert [h.tokens for h in found] == [[1, 1], [0]]
    assert found[0].log_prob == pytest.approx(np.log(0.7 * 0.6), rel=1e-15)


def test_without_eos_every_hypothesis_has_max_length_tokens():
    model = PrefixModel(V=4, seed=8)
    found = beam_search(model.step, (), model.bos, beam_width=5, max_length=7)
    assert len(found) == 5 and all(len(h.tokens) == 7 for h in found)
    assert all(isinstance(h, Hypothesis) for h in found)
    assert len({tuple(h.tokens) for h in found}) == 5
    assert model.sizes == [1, 4, 5, 5, 5, 5, 5]           # one call per position, the whole beam at once


def test_probabilities_from_torch_are_accepted():
    torch = pytest.importorskip("torch", reason="torch (an optional extra) is not installed")
    P = torch.tensor([[0.7, 0.3], [0.2, 0.8], [0.5, 0.5]], dtype=torch.float64)
    found = beam_search(lambda tokens, states: (P[torch.from_numpy(tokens)], states), None, bos=2,
                        beam_width=2, max_length=3)
    assert found[0].tokens == [1, 1, 1] and found[0].log_prob == pytest.approx(np.log(0.5 * 0.8 * 0.8))


def _constant(row, k_states=None):
    return lambda tokens, states: (np.tile(row, (len(tokens), 1)), states if k_states is None else k_states)


@pytest.mark.parametrize("call, match", [
    (lambda: beam_search(_constant([0.5, 0.5]), None, 2, beam_width=0), "beam_width is 0, expected an integer >= 1"),
    (lambda: beam_search(_constant([0.5, 0.5]), None, 2, beam_width=2.0), "beam_width is 2.0"),
    (lambda: beam_search(_constant([0.5, 0.5]), None, 2, max_length=0), "max_length is 0"),
    (lambda: greedy_search(_constant([0.5, 0.5]), None, 2, max_length=-1), "max_length is -1"),
    (lambda: beam_search(_constant([0.5, 0.5]), None, 2, alpha=-0.5), "alpha is -0.5, expected a number >= 0"),
    (lambda: beam_search(_constant([0.5, 0.6]), None, 2), "step must return probabilities .* row 0 sums to 1.1"),
    (lambda: greedy_search(_constant([0.5, 0.6]), None, 2), "step must return probabilities .* row 0 sums to 1.1"),
    (lambda: beam_search(_constant([1.2, -0.2]), None, 2), "row 0 sums to 1.0 and has negative entries"),
    (lambda: greedy_search(_constant([np.nan, 1.0]), None, 2), "row 0 sums to nan"),
    (lambda: beam_search(_constant([0.5, 0.5], k_states=[]), None, 2), "step returned 0 states, expected one per"),
    (lambda: beam_search(lambda t, s: (np.ones(2) / 2, s), None, 2), r"probs of shape \(2,\), expected \(k, V\)"),
])
def test_bad_input_is_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
