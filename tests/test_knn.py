"""Appendix A: kNN distances, votes and cross-validation against scipy's cdist and sklearn's KNeighborsClassifier."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.neighbors import KNeighborsClassifier

from dlkit.numpy import knn
from dlkit.testing import rel_error

L2_VERSIONS = (knn.compute_distances_two_loops, knn.compute_distances_one_loop, knn.compute_distances_no_loops)


def _data(rng, n_x=6, m_train=40, m_test=15, K=4):
    """Continuous random points: no two distances are equal, so the neighbours are unambiguous."""
    return rng.standard_normal((n_x, m_train)), rng.integers(K, size=m_train), rng.standard_normal((n_x, m_test))


def test_the_three_l2_versions_agree_with_each_other_and_with_cdist(rng):
    X_train, _, X_test = _data(rng)
    expected = cdist(X_test.T, X_train.T, "euclidean")          # cdist takes one example per row
    for version in L2_VERSIONS:
        D = version(X_test, X_train)
        assert D.shape == (15, 40), version.__name__
        assert rel_error(D, expected) < 1e-12, version.__name__


def test_l1_distances_agree_with_cdist_cityblock_across_chunks(rng, monkeypatch):
    X_train, _, X_test = _data(rng)
    expected = cdist(X_test.T, X_train.T, "cityblock")
    assert rel_error(knn.l1_distances(X_test, X_train), expected) < 1e-12
    monkeypatch.setattr(knn, "_CHUNK_ENTRIES", 4 * 40 * 6)       # blocks of 4 test rows: 15 = 4 + 4 + 4 + 3
    assert rel_error(knn.l1_distances(X_test, X_train), expected) < 1e-12


def test_no_loops_distance_of_a_point_to_itself_is_zero_not_nan(rng):
    X = rng.standard_normal((7, 50))
    sq = np.sum(X * X, axis=0)
    assert np.any(np.diag(sq[:, None] + sq[None, :] - 2 * X.T @ X) < 0)  # roundoff: some D^2 of x to x is below 0
    D = knn.compute_distances_no_loops(X, X)
    assert not np.isnan(D).any()
    assert np.all(np.diag(D) < 1e-4)


@pytest.mark.parametrize("k", [1, 3, 5, 8, 40])
def test_predict_labels_matches_sklearn_brute_force_knn(rng, k):
    X_train, y_train, X_test = _data(rng)
    expected = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X_train.T, y_train).predict(X_test.T)
    for distances in (knn.compute_distances_no_loops, knn.compute_distances_one_loop):
        got = knn.predict_labels(distances(X_test, X_train), y_train, k)
        assert got.shape == (15,) and got.dtype.kind == "i"
        np.testing.assert_array_equal(got, expected)


def test_l1_knn_matches_sklearn_manhattan(rng):
    X_train, y_train, X_test = _data(rng)
    expected = KNeighborsClassifier(n_neighbors=5, algorithm="brute", metric="manhattan").fit(
        X_train.T, y_train).predict(X_test.T)
    np.testing.assert_array_equal(knn.predict_labels(knn.l1_distances(X_test, X_train), y_train, 5), expected)


def test_vote_ties_go_to_the_smallest_label_and_distance_ties_to_the_lower_index():
    dists = np.array([[0.1, 0.2, 0.3, 0.4, 0.9],                 # k = 4: labels 2, 1, 1, 2: a 2-2 tie -> 1
                      [0.5, 0.5, 0.5, 0.1, 0.2]])               # k = 4: 0.1, 0.2, then 0.5 at index 0 and 1
    y_train = np.array([2, 1, 1, 2, 0])
    np.testing.assert_array_equal(knn.predict_labels(dists, y_train, k=4), [1, 2])
    # k = 3 on the second row: the neighbours are indices 3, 4 and 0 (not 1 or 2): labels 2, 0, 2 -> 2
    assert knn.predict_labels(dists[1:], y_train, k=3)[0] == 2
    # k = 1, two training examples at the same distance: the lower index wins
    assert knn.predict_labels(np.array([[0.3, 0.3]]), np.array([1, 0]), k=1)[0] == 1


def test_labels_as_a_row_vector_are_accepted(rng):
    X_train, y_train, X_test = _data(rng)
    D = knn.compute_distances_no_loops(X_test, X_train)
    np.testing.assert_array_equal(knn.predict_labels(D, y_train[None, :], 3), knn.predict_labels(D, y_train, 3))


def test_bad_inputs_raise_value_errors_that_name_the_problem(rng):
    X_train, y_train, X_test = _data(rng)
    D = knn.compute_distances_no_loops(X_test, X_train)
    for k in (0, 41, 2.0):
        with pytest.raises(ValueError, match=r"k is .*, expected an int from 1 to m_train = 40"):
            knn.predict_labels(D, y_train, k)
    for version in L2_VERSIONS + (knn.l1_distances,):
        with pytest.raises(ValueError, match=r"X_test has shape \(5, 15\) and X_train \(6, 40\)"):
            version(X_test[:5], X_train)
    with pytest.raises(ValueError, match=r"y_train has shape \(39,\), expected \(m,\) or \(1, m\) with m = 40"):
        knn.predict_labels(D, y_train[:39], 3)
    with pytest.raises(ValueError, match=r"y_train holds labels from -1"):
        knn.predict_labels(D, y_train - 1, 3)
    with pytest.raises(ValueError, match="non-integer"):
        knn.predict_labels(D, y_train + 0.5, 3)
    with pytest.raises(ValueError, match="distance is 'cosine', expected one of"):
        knn.cross_validate_knn(X_train, y_train, [1], distance="cosine")


def test_k_fold_split_uses_every_index_once_as_validation_and_trains_on_the_rest():
    m, n_folds = 23, 5
    splits = knn.k_fold_split(m, n_folds, seed=3)
    assert len(splits) == n_folds
    val = np.concatenate([v for _, v in splits])
    np.testing.assert_array_equal(np.sort(val), np.arange(m))    # each index in exactly one fold
    assert sorted(len(v) for _, v in splits) == [4, 4, 5, 5, 5]  # nearly equal: array_split
    for train, v in splits:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, v])), np.arange(m))
    again = knn.k_fold_split(m, n_folds, seed=3)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(splits, knn.k_fold_split(m, n_folds, seed=4)))


@pytest.mark.parametrize("n_folds", [1, 24])
def test_k_fold_split_rejects_too_few_or_too_many_folds(n_folds):
    with pytest.raises(ValueError, match=r"n_folds is \d+, expected an int from 2 to m = 23"):
        knn.k_fold_split(23, n_folds)


@pytest.mark.parametrize("distance", ["l1", "l2"])
def test_cross_validate_knn_on_two_separated_clusters(distance):
    """Clusters around 0 and 10 on a line, 4 points each; 4 folds of 2 leave 6 training points.

    k = 1: the nearest neighbour is always in the right cluster, accuracy 1.
    k = 6: every training point votes, so each fold predicts the majority
    label of its 6 training points (0 on a 3-3 tie) for both its examples.
    """
    X = np.array([[0.0, 0.1, 0.2, 0.3, 10.0, 10.1, 10.2, 10.3]])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    acc = knn.cross_validate_knn(X, y, [1, 6], n_folds=4, seed=1, distance=distance)
    assert acc.shape == (2, 4)
    np.testing.assert_array_equal(acc[0], np.ones(4))
    for f, (train, val) in enumerate(knn.k_fold_split(8, 4, seed=1)):
        majority = int(np.sum(y[train] == 1) > np.sum(y[train] == 0))
        assert acc[1, f] == np.mean(y[val] == majority)
    assert acc[1].min() < 1                                     # some fold has a majority of the other cluster


def test_cross_validate_knn_sorts_once_but_agrees_with_predict_labels_per_fold(rng):
    X, y = rng.standard_normal((6, 60)), rng.integers(3, size=60)
    ks = [7, 1, 4]
    accuracies = knn.cross_validate_knn(X, y, ks, n_folds=4, seed=5)
    for f, (train_idx, val_idx) in enumerate(knn.k_fold_split(60, 4, seed=5)):
        dists = knn.compute_distances_no_loops(X[:, val_idx], X[:, train_idx])
        for row, k in enumerate(ks):
            assert accuracies[row, f] == np.mean(knn.predict_labels(dists, y[train_idx], k) == y[val_idx])
    with pytest.raises(ValueError, match="k is 46, expected an int from 1 to m_train = 45"):
        knn.cross_validate_knn(X, y, [1, 46], n_folds=4)


def test_torch_twin_keeps_device_and_dtype(device, rng):
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    from dlkit.torch import knn as tknn
    X_train, y_train, X_test = _data(rng)
    A = torch.tensor(X_test, dtype=torch.float32, device=device)
    B = torch.tensor(X_train, dtype=torch.float32, device=device)
    D = tknn.compute_distances_no_loops(A, B)
    assert D.dtype == torch.float32 and D.device.type == device
    labels = tknn.predict_labels(D, torch.as_tensor(y_train, device=device), 5)
    assert labels.dtype == torch.int64 and labels.device.type == device
    expected = knn.predict_labels(knn.compute_distances_no_loops(X_test, X_train), y_train, 5)
    np.testing.assert_array_equal(labels.cpu().numpy(), expected)
