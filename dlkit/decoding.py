"""Chapter 15, decoding a conditional language model: greedy search and beam search (backend-neutral).

A decoder is seen through a *step function*, the one protocol of this module:

    step(tokens, states) -> (probs, new_states)

    tokens:     int array (k,), the last token of each of k live hypotheses
                (the first call gets ``bos`` for the one starting hypothesis)
    states:     list of k per-hypothesis states (any objects: an LSTM's (h, c),
                the prefix itself...; the search only passes them on and reorders them)
    probs:      (k, V) probabilities P(y<t> | x, y<1>, ..., y<t-1>), each row summing to 1
                (anything np.asarray takes; convert a torch tensor with ``.detach().cpu()``)
    new_states: list of k states, the state after each hypothesis' step

A step function may batch its k hypotheses (one forward pass for the whole
beam).  Both searches add log probabilities, never multiply probabilities (400
factors of 0.1 multiply to 0.0 in float64; their logs add up to -921):

    log P(y<1..T_y> | x) = sum_t log P(y<t> | x, y<1>, ..., y<t-1>)

Greedy search takes the most probable token at each step.  Beam search keeps
the B most probable partial sequences (B = ``beam_width``): every live
hypothesis is extended by every token, and of the k V candidates the B best by
log probability stay in the beam.  A candidate that ends in ``eos`` among those
B is finished and leaves the beam, which refills from the next best
candidates; the search stops when B hypotheses have finished, or after
``max_length`` tokens (the live ones then count as finished).  The finished
hypotheses are ranked by the length-normalized score

    score = log P(y | x) / T_y ** alpha        T_y = len(tokens), eos included

alpha = 0: the plain sum, which favours short outputs; alpha = 1: the mean
log probability per token; the notes' heuristic middle is alpha = 0.7.  Ties
between equal log probabilities go to the lower token index first (then to the
hypothesis higher in the beam), so both searches are deterministic, and
beam_search with B = 1 returns exactly greedy_search's tokens and log_prob.
Beam search is not exact: a large B costs time and may still miss the most
probable sequence.
"""

from typing import NamedTuple

import numpy as np


class Hypothesis(NamedTuple):
    """A decoded sequence: tokens (bos left out, eos included when present), their log probability, its score."""
    tokens: list
    log_prob: float
    score: float


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} is {value!r}, expected an integer >= {low}")


def _step(step, tokens, states):
    """Call the step function on k hypotheses; return its probabilities (k, V) float64 and the k new states."""
    k = len(states)
    out = step(np.asarray(tokens, dtype=np.int64), list(states))
    if not isinstance(out, tuple) or len(out) != 2:
        raise ValueError("step must return a pair (probs, new_states)")
    probs, new_states = np.asarray(out[0], dtype=np.float64), list(out[1])
    if probs.ndim != 2 or probs.shape[0] != k:
        raise ValueError(f"step returned probs of shape {tuple(probs.shape)}, expected (k, V) = ({k}, V)")
    if len(new_states) != k:
        raise ValueError(f"step returned {len(new_states)} states, expected one per hypothesis ({k})")
    sums, negative = probs.sum(axis=1), (probs < 0).any(axis=1)
    bad = np.flatnonzero(negative | ~(np.abs(sums - 1) <= 1e-4))    # `~(<=)`: a NaN sum is bad too
    if bad.size:
        i = bad[0]
        raise ValueError(f"step must return probabilities (non-negative rows that sum to 1): row {i} sums to "
                         f"{float(sums[i])!r}" + (" and has negative entries" if negative[i] else ""))
    return probs, new_states


def greedy_search(step, state, bos, eos=None, max_length=50):
    """Decode by taking the most probable token at every step (the lower index on ties).

    step: the step function (see the module docstring); state: the initial
    state of the one hypothesis; bos: the token fed first (not in the output).
    Stops after ``eos`` (included in tokens) or after ``max_length`` tokens.
    Returns (tokens: list of int, log_prob: float), log_prob = sum_t log P(y<t> | ...).

    >>> P = np.array([[0.25, 0.25, 0.25, 0.25],    # after token 0: no idea
    ...               [0.05, 0.02, 0.90, 0.03],    # after token 1: surely 2
    ...               [0.25, 0.25, 0.25, 0.25],
    ...               [0.25, 0.25, 0.25, 0.25],
    ...               [0.50, 0.40, 0.10, 0.00]])   # after bos = 4
    >>> markov = lambda tokens, states: (P[tokens], states)
    >>> tokens, log_prob = greedy_search(markov, None, bos=4, max_length=2)
    >>> tokens, round(float(np.exp(log_prob)), 3)    # 0.5 x 0.25
    ([0, 0], 0.125)
    """
    _check_int("max_length", max_length, 1)
    tokens, log_prob, last = [], 0.0, bos
    states = [state]
    while len(tokens) < max_length:
        probs, states = _step(step, [last], states)
        last = int(np.argmax(probs[0]))                 # the first maximum: the lower index on ties
        with np.errstate(divide="ignore"):
            log_prob = log_prob + np.log(probs[0, last])
        tokens.append(last)
        if last == eos:
            break
    return tokens, float(log_prob)


def beam_search(step, state, bos, eos=None, beam_width=3, max_length=50, alpha=0.7):
    """Decode with a beam of ``beam_width`` partial sequences; return the finished ones, best score first.

    step, state, bos, eos, max_length: as :func:`greedy_search`.
    beam_width: B >= 1, the number of hypotheses kept (B = 1 is greedy search).
    alpha: length normalization, score = log_prob / len(tokens) ** alpha (alpha >= 0).
    Returns a list of at most B :class:`Hypothesis` (tokens, log_prob, score),
    sorted by score, best first.  With eos=None every hypothesis has exactly
    max_length tokens.  The step function is called once per output position
    with all live hypotheses (k <= B) at once.

    Greedy search commits to token 0 (0.5) and then finds only 0.25s; a beam of
    two also keeps token 1 (0.4), after which token 2 is 0.9 likely:

    >>> P = np.array([[0.25, 0.25, 0.25, 0.25], [0.05, 0.02, 0.90, 0.03],
    ...               [0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25],
    ...               [0.50, 0.40, 0.10, 0.00]])          # row 4: after bos
    >>> markov = lambda tokens, states: (P[tokens], states)
    >>> best = beam_search(markov, None, bos=4, beam_width=2, max_length=2)[0]
    >>> best.tokens, round(float(np.exp(best.log_prob)), 3)    # 0.4 x 0.9 > 0.5 x 0.25
    ([1, 2], 0.36)
    """
    _check_int("beam_width", beam_width, 1)
    _check_int("max_length", max_length, 1)
    if not alpha >= 0:
        raise ValueError(f"alpha is {alpha!r}, expected a number >= 0 (0: no length normalization, 1: the mean)")
    # the live beam: parallel lists, best first
    prefixes, log_probs, states = [[]], np.zeros(1), [state]
    finished = []                                       # (tokens, log_prob)
    for t in range(1, max_length + 1):
        k = len(prefixes)
        probs, new_states = _step(step, [p[-1] if p else bos for p in prefixes], states)
        V = probs.shape[1]
        with np.errstate(divide="ignore"):              # log 0 = -inf: such a candidate ranks last
            candidates = (log_probs[:, None] + np.log(probs)).ravel()     # (k V,): row i = hypothesis i
        # only the best B + k can matter (at most k of them end in eos); keep every tie of the cut-off value
        keep = min(beam_width + k, candidates.size)
        cut = np.partition(candidates, candidates.size - keep)[candidates.size - keep]
        index = np.flatnonzero(candidates >= cut)
        hyp, token = np.divmod(index, V)
        index = index[np.lexsort((hyp, token, -candidates[index]))]    # log_prob down, then token, then beam rank
        live = []
        for rank, i in enumerate(index):
            h, v = divmod(int(i), V)
            if v == eos:
                if rank < beam_width:                   # an eos candidate among the B best finishes
                    finished.append((prefixes[h] + [v], candidates[i]))
            elif len(live) < beam_width:
                live.append(i)
        prefixes = [prefixes[i // V] + [int(i % V)] for i in live]
        log_probs = candidates[live]
        states = [new_states[i // V] for i in live]
        if len(finished) >= beam_width or not live:
            break
    if t == max_length:                                 # max_length reached: the live ones count as finished
        finished += zip(prefixes, log_probs)
    hypotheses = [Hypothesis(tokens, float(lp), float(lp) / len(tokens) ** alpha) for tokens, lp in finished]
    hypotheses.sort(key=lambda h: -h.score)             # stable: equal scores keep the order they finished in
    return hypotheses[:beam_width]
