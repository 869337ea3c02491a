"""Chapter 8, what to work on next: the error-rate gaps and error analysis (backend-neutral: numbers in, numbers out).

Ordered error rates of one model (fractions or percents, the same unit throughout):

    human-level  <=  train  <=  train-dev  <=  dev  <=  test

Each gap between neighbours names a problem and its remedies:

    avoidable bias       = train     - human-level   (bigger model, train longer, better optimizer)
    variance             = train-dev - train         (more data, regularization)
    data mismatch        = dev       - train-dev     (make training data more like dev: collect, synthesize)
    overfitting to dev   = test      - dev           (a bigger dev set)

Human-level error stands in for the Bayes error, the lowest error possible.
Without a train-dev set the variance is measured as dev - train, which
mixes variance with any data mismatch.
"""

import numpy as np

REMEDIES = {
    "avoidable bias": "a bigger model, training longer or with a better optimizer, another architecture",
    "variance": "more training data, regularization (L2, dropout, augmentation), another architecture",
    "data mismatch": "training data more like the dev/test data: collect it, or synthesize it (error analysis first)",
    "overfitting to dev": "a bigger dev set",
}


def _rate(name, value):
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} error is {value!r}, expected a non-negative error rate")
    return value


def error_gaps(human, train, dev, train_dev=None, test=None):
    """{"avoidable bias": train - human, "variance": ..., "data mismatch": ..., "overfitting to dev": ...}.

    The gaps that the given rates allow: data mismatch needs train_dev,
    overfitting to dev needs test; variance is train_dev - train, or dev -
    train without a train-dev set.

    >>> error_gaps(human=1, train=8, dev=10)
    {'avoidable bias': 7.0, 'variance': 2.0}
    """
    human, train, dev = _rate("human", human), _rate("train", train), _rate("dev", dev)
    gaps = {"avoidable bias": train - human}
    if train_dev is None:
        gaps["variance"] = dev - train
    else:
        train_dev = _rate("train_dev", train_dev)
        gaps["variance"] = train_dev - train
        gaps["data mismatch"] = dev - train_dev
    if test is not None:
        gaps["overfitting to dev"] = _rate("test", test) - dev
    return gaps


def main_problem(gaps):
    """The name of the largest gap of ``error_gaps``: the problem to work on first (ties: the earlier one)."""
    if not gaps:
        raise ValueError("gaps is empty, expected the dict of error_gaps")
    return max(gaps, key=lambda name: gaps[name])


def error_analysis(tags, categories, dev_error):
    """Count the misclassified dev examples in each category, and the error left if that category were fixed.

    tags: (n, K) booleans, tags[i, k] = example i of the n examined mistakes
    shows problem k (an example may show several, or none); categories: K
    names; dev_error: the dev error rate.  Per category, with count c_k:

        share_k          = c_k / n               of the mistakes, the fraction in category k
        error_if_fixed_k = dev_error (1 - share_k)  the best dev error that fixing k alone can give

    Returns {category: {"count", "share", "error_if_fixed"}}, largest count first.

    >>> error_analysis([[1, 0], [1, 1], [0, 0], [1, 0]], ["dogs", "blurry"], 10.0)["dogs"]
    {'count': 3, 'share': 0.75, 'error_if_fixed': 2.5}
    """
    tags = np.asarray(tags)
    if tags.ndim != 2 or tags.shape[1] != len(categories) or tags.shape[0] == 0:
        raise ValueError(f"tags has shape {tags.shape}, expected (n, {len(categories)}): "
                         "one row per examined mistake, one column per category")
    if not np.isin(tags, (0, 1)).all():
        raise ValueError("tags holds values other than True/False (or 1/0)")
    dev_error = _rate("dev", dev_error)
    counts = tags.astype(bool).sum(axis=0)
    order = sorted(range(len(categories)), key=lambda k: -counts[k])
    shares = counts / tags.shape[0]
    return {categories[k]: {"count": int(counts[k]), "share": float(shares[k]),
                            "error_if_fixed": dev_error * (1 - float(shares[k]))} for k in order}
