"""dlkit.strategy: the error-rate gaps of chapter 8 and error analysis by counting."""

import numpy as np
import pytest

from dlkit.strategy import REMEDIES, error_analysis, error_gaps, main_problem


def test_gaps_of_the_classic_cases():
    # high variance: train 1%, dev 11% against human 0%
    gaps = error_gaps(human=0, train=1, dev=11)
    assert gaps == pytest.approx({"avoidable bias": 1, "variance": 10}) and main_problem(gaps) == "variance"
    # high bias: the model does not even fit the training set
    assert main_problem(error_gaps(human=0.5, train=15, dev=16)) == "avoidable bias"
    # the same errors with a human level of 7.5%: bias is no longer the problem
    assert main_problem(error_gaps(human=7.5, train=8, dev=10)) == "variance"
    # train-dev separates variance from data mismatch
    gaps = error_gaps(human=0, train=1, train_dev=1.5, dev=10, test=10.5)
    assert gaps == pytest.approx({"avoidable bias": 1, "variance": 0.5, "data mismatch": 8.5,
                                  "overfitting to dev": 0.5})
    assert main_problem(gaps) == "data mismatch"
    assert set(gaps) <= set(REMEDIES)


def test_main_problem_and_bad_rates():
    assert main_problem({"avoidable bias": 2.0, "variance": 2.0}) == "avoidable bias"   # ties: the earlier
    with pytest.raises(ValueError, match="empty"):
        main_problem({})
    with pytest.raises(ValueError, match="train error is -1.0"):
        error_gaps(human=0, train=-1, dev=3)
    with pytest.raises(ValueError, match="test error is nan"):
        error_gaps(human=0, train=1, dev=3, test=float("nan"))


def test_error_analysis_counts_shares_and_ceilings():
    rng = np.random.default_rng(0)
    tags = rng.random((100, 3)) < [0.08, 0.43, 0.61]
    table = error_analysis(tags, ["dogs", "great cats", "blurry"], dev_error=10.0)
    assert list(table) == ["blurry", "great cats", "dogs"]              # largest count first
    for k, name in enumerate(["dogs", "great cats", "blurry"]):
        c = int(tags[:, k].sum())
        assert table[name]["count"] == c
        assert table[name]["share"] == pytest.approx(c / 100)
        assert table[name]["error_if_fixed"] == pytest.approx(10.0 * (1 - c / 100))


def test_error_analysis_bad_input():
    with pytest.raises(ValueError, match=r"tags has shape \(4, 2\), expected \(n, 3\)"):
        error_analysis(np.zeros((4, 2), bool), ["a", "b", "c"], 5.0)
    with pytest.raises(ValueError, match="other than True/False"):
        error_analysis([[2, 0]], ["a", "b"], 5.0)
