"""Chapter 7, sampling hyperparameters on the right scale (backend-neutral: it draws numbers, not tensors).

A learning rate between 1e-4 and 1 should be drawn uniformly in log10(alpha),
so that each decade gets the same share of trials; a momentum beta between
0.9 and 0.999 should be drawn with 1 - beta log-uniform, because the average
covers about 1 / (1 - beta) values and that is what changes fastest near 1.
"""

import numpy as np


def sample_log_uniform(low, high, size=None, seed=0):
    """10^u with u uniform on [log10(low), log10(high)].  0 < low < high.

    >>> x = sample_log_uniform(1e-4, 1, size=10_000)
    >>> round(float(np.mean(x < 1e-3)), 2)   # one decade of four: a quarter of the draws
    0.25
    """
    if not 0 < low < high:
        raise ValueError(f"low, high are {low!r}, {high!r}, expected 0 < low < high")
    rng = np.random.default_rng(seed)
    return 10 ** rng.uniform(np.log10(low), np.log10(high), size)


def sample_beta(low=0.9, high=0.999, size=None, seed=0):
    """beta = 1 - 10^u with 1 - beta log-uniform between 1 - high and 1 - low.  0 <= low < high < 1."""
    if not 0 <= low < high < 1:
        raise ValueError(f"low, high are {low!r}, {high!r}, expected 0 <= low < high < 1")
    return 1 - sample_log_uniform(1 - high, 1 - low, size, seed)
