"""Chapter 8: dlkit.metrics against scikit-learn, worked numbers, and bad input."""

import numpy as np
import pytest

from dlkit import metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn (the test extra) is not installed")


def _predictions(rng, K, m=200):
    y_true = rng.integers(K, size=m)
    y_pred = np.where(rng.random(m) < 0.7, y_true, rng.integers(K, size=m))   # right 70% of the time, or lucky
    return y_true, y_pred


@pytest.mark.parametrize("average", ["macro", "micro"])
@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_multiclass_scores_match_scikit_learn(name, average, rng):
    y_true, y_pred = _predictions(rng, K=5)
    y_pred[y_pred == 4] = 3                          # class 4 never predicted: a 0/0 precision
    ours = getattr(metrics, name)(y_true, y_pred, average=average)
    theirs = getattr(sklearn_metrics, f"{name}_score" if name != "f1" else "f1_score")(
        y_true, y_pred, average=average, zero_division=0)
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_binary_scores_match_scikit_learn(name, rng):
    y_true, y_pred = _predictions(rng, K=2)
    fn = getattr(sklearn_metrics, f"{name}_score")
    assert getattr(metrics, name)(y_true, y_pred) == pytest.approx(fn(y_true, y_pred), rel=1e-12)
    assert getattr(metrics, name)(y_true, y_pred, positive=0) == pytest.approx(fn(y_true, y_pred, pos_label=0))


def test_confusion_matrix_and_accuracy(rng):
    y_true, y_pred = _predictions(rng, K=4)
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), sklearn_metrics.confusion_matrix(y_true,
                                                                                                            y_pred))
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(sklearn_metrics.accuracy_score(y_true, y_pred))
    # single-label data: micro precision = micro recall = accuracy
    assert metrics.precision(y_true, y_pred, "micro") == pytest.approx(metrics.accuracy(y_true, y_pred))


def test_worked_example():
    """A cat classifier: 100 cats, 900 other images; it finds 90 cats and calls 60 non-cats cats."""
    y_true = np.r_[np.ones(100), np.zeros(900)]
    y_pred = np.r_[np.ones(90), np.zeros(10), np.ones(60), np.zeros(840)]
    assert metrics.precision(y_true, y_pred) == pytest.approx(90 / 150)
    assert metrics.recall(y_true, y_pred) == pytest.approx(0.9)
    assert metrics.f1(y_true, y_pred) == pytest.approx(2 * 0.6 * 0.9 / 1.5)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx((90 + 840) / 1000)


def test_train_dev_split():
    train, train_dev = metrics.train_dev_split(100, 20, seed=1)
    assert len(train) == 80 and len(train_dev) == 20 and not set(train) & set(train_dev)
    assert sorted(np.r_[train, train_dev]) == list(range(100))


def test_bad_inputs():
    with pytest.raises(ValueError, match="one per example"):
        metrics.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="average is 'weighted'"):
        metrics.f1([0, 1], [0, 1], average="weighted")
    with pytest.raises(ValueError, match="needs two classes, got 3"):
        metrics.precision([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="non-integer"):
        metrics.accuracy([0.5], [0])
