"""Chapter 15: beam search's time per sentence against the beam width B, on a synthetic step function.

The step function is a random first-order Markov model over V = 11 tokens
(the size of the date translator's output vocabulary): a (V + 1, V) table of
Dirichlet(1) rows, the last row for bos, one fancy-indexing lookup for all k
live hypotheses at once (``P[tokens]``, vectorized with NumPy).  Without eos,
every sentence has exactly T = 10 tokens, so every variant decodes the same
number of positions:

- ``dlkit.decoding.greedy_search`` (**reference**): one hypothesis, 10 calls of the step function;
- ``dlkit.decoding.beam_search`` with B = 1, 3, 5, 10 (alpha 0.7): 10 calls each, with up to B rows.

With so cheap a step function the ratios measure the search's own
bookkeeping (ranking k V candidates, copying prefixes and states); with a
neural decoder the step dominates and a batched B-row step costs little more
than one row.  Before timing, B = 1 must give greedy search's tokens and log
probability exactly, and every variant's best log probability must be the sum
of the table's logs along its tokens (to 1e-12 relative).

The second workload translates a few dates of ``load_dates`` with a
``DateTranslator`` (random weights from ``seed``: the time does not depend on
training) on the CPU:

- ``translate`` with beam_width=1 (**reference**): greedy, all dates in one batch;
- ``beam_search`` B = 1 over ``step_function``, one date at a time (must give the greedy tokens);
- ``translate`` with B = 3, 5, 10, one beam search per date.

Here one decoder step (attention + LSTM cell, a torch call) dominates; the
ratios show what decoding sentence by sentence costs against one batch, and
how little a B-row step costs more than a one-row step.
"""

import numpy as np

from _timing import time_workload
from dlkit.decoding import beam_search, greedy_search

try:
    import torch
    from dlkit.data import load_dates
    from dlkit.torch.models import DateTranslator, translate
except ImportError:                                      # the torch extra of dlkit
    torch = None

FULL = {"V": 11, "T": 10, "beam_widths": [1, 3, 5, 10], "dates": 20, "repeat": 5, "min_time": 0.05}
QUICK = {"V": 11, "T": 10, "beam_widths": [1, 3, 5, 10], "dates": 2, "repeat": 1, "min_time": 0.0}


def _markov(V, rng):
    P = rng.dirichlet(np.ones(V), size=V + 1)            # (V + 1, V): row V is bos
    return P, lambda tokens, states: (P[tokens], states)


def _log_prob(P, bos, tokens):
    previous = [bos] + tokens[:-1]
    return float(np.sum(np.log(P[previous, tokens])))


def _translator(sizes, seed):
    """Rows of the translator workload: batched greedy, then one beam search per date."""
    torch.manual_seed(seed)
    model = DateTranslator().eval()
    X = load_dates(m=sizes["dates"], seed=seed).X
    greedy = translate(model, X)

    def beam_one_by_one():
        found = []
        for x in X:
            step, state = model.step_function(x)
            found.append(list(beam_search(step, state, bos=model.n_y, beam_width=1, max_length=model.T_y)[0].tokens))
        return found

    variants = {"translate, greedy batch (reference)": (lambda: translate(model, X), None),
                "beam_search B=1 per date": (beam_one_by_one, lambda found: found == greedy)}
    for B in sizes["beam_widths"][1:]:
        variants[f"translate B={B}"] = (lambda B=B: translate(model, X, beam_width=B),
                                        lambda found: len(found) == len(X) and all(len(t) == model.T_y for t in found))
    workload = f"translate {len(X)} dates, DateTranslator on cpu"
    return time_workload(workload, variants, sizes["repeat"], sizes["min_time"])


def run(quick=False, seed=0):
    """Check, then time greedy search and each beam width, on the Markov model and the translator.  Returns (sizes, rows)."""
    sizes = QUICK if quick else FULL
    V, T = sizes["V"], sizes["T"]
    P, step = _markov(V, np.random.default_rng(seed))
    greedy = greedy_search(step, None, bos=V, max_length=T)
    variants = {"greedy_search (reference)": (lambda: greedy_search(step, None, bos=V, max_length=T), None)}
    for B in sizes["beam_widths"]:
        def check(found, B=B):
            best = found[0]
            return ((B > 1 or (best.tokens, best.log_prob) == greedy) and len(found) == B
                    and all(len(h.tokens) == T for h in found)
                    and np.isclose(best.log_prob, _log_prob(P, V, best.tokens), rtol=1e-12, atol=0))
        variants[f"beam_search B={B}"] = (lambda B=B: beam_search(step, None, bos=V, beam_width=B, max_length=T),
                                          check)
    workload = f"decode one sentence, Markov model V = {V}, T = {T}"
    rows = time_workload(workload, variants, sizes["repeat"], sizes["min_time"])
    return sizes, rows + (_translator(sizes, seed) if torch is not None else [])
