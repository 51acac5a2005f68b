from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.cluster import BisectingKMeans as SKBisectingKMeans
from sklearn.metrics import adjusted_rand_score

from shoal import BisectingKMeans


def _data(n=4000, d=5, k=12, seed=0, std=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centers[y] + std * rng.standard_normal((n, d))


def _sorted_rows(C):
    return C[np.lexsort(C.T[::-1])]


@pytest.mark.parametrize("strategy", ["biggest_inertia", "largest_cluster"])
@pytest.mark.parametrize(
    ("init", "dtype", "weighted"),
    [
        ("random", np.float64, False),
        ("random", np.float64, True),
        ("random", np.float32, False),
        ("random", np.float32, True),
        ("k-means++", np.float64, False),
        ("k-means++", np.float64, True),
    ],
)
def test_same_random_state_gives_sklearns_tree(strategy, init, dtype, weighted):
    # Same draws, same 2-means runs, same choice of the leaf to split: the same partition, the
    # same centres and the same tree (predict agrees on new points too).
    X = _data().astype(dtype)
    w = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0]).astype(dtype) if weighted else None
    for seed in range(3):
        kw = dict(n_clusters=12, random_state=seed, init=init, bisecting_strategy=strategy)
        ours = BisectingKMeans(**kw).fit(X, sample_weight=w)
        ref = SKBisectingKMeans(**kw).fit(X, sample_weight=w)
        assert adjusted_rand_score(ours.labels_, ref.labels_) == 1.0
        rtol = 1e-9 if dtype == np.float64 else 1e-5
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=rtol)
        np.testing.assert_allclose(
            _sorted_rows(ours.cluster_centers_), _sorted_rows(ref.cluster_centers_),
            rtol=rtol, atol=rtol * 10,
        )  # fmt: skip
        new = np.random.default_rng(seed).uniform(-15, 15, (500, X.shape[1])).astype(dtype)
        assert adjusted_rand_score(ours.predict(new), ref.predict(new)) == 1.0
        assert ours.cluster_centers_.dtype == dtype


def _strategy_data():
    # A: two points 10 apart (sum of squares 50, 2 samples); B: ten points 0.1 apart on a line
    # at x=100 (sum of squares 0.01 * sum((i - 4.5)^2) = 0.825, 10 samples).
    A = np.array([[0.0, 0.0], [0.0, 10.0]])
    B = np.column_stack([100.0 + 0.1 * np.arange(10), np.zeros(10)])
    return np.vstack([A, B])


def test_strategy_decides_which_cluster_is_split():
    X = _strategy_data()
    # The first split separates A from B. 'biggest_inertia' then splits A (50 > 0.825):
    # inertia 0 + 0.825.
    bi = BisectingKMeans(3, n_init=10, random_state=0).fit(X)
    assert bi.labels_[0] != bi.labels_[1]
    assert len(set(bi.labels_[2:].tolist())) == 1
    assert bi.inertia_ == pytest.approx(0.825)
    # 'largest_cluster' splits B (10 > 2 samples) into its halves (0.01 * 10 each):
    # inertia 50 + 0.1 + 0.1.
    lc = BisectingKMeans(3, n_init=10, random_state=0, bisecting_strategy="largest_cluster")
    lc.fit(X)
    assert lc.labels_[0] == lc.labels_[1]
    assert np.bincount(lc.labels_[2:]).tolist().count(5) == 2
    assert lc.inertia_ == pytest.approx(50.2)


def test_predict_walks_down_the_tree():
    X = _data(n=3000, d=2, k=6, seed=3, std=2.0)
    ours = BisectingKMeans(6, random_state=0).fit(X)
    ref = SKBisectingKMeans(6, random_state=0).fit(X)
    np.testing.assert_array_equal(ours.predict(X), ours.labels_)
    new = np.random.default_rng(0).uniform(-40, 40, (5000, 2))
    tree = ours.predict(new)
    nearest = ((new[:, None, :] - ours.cluster_centers_[None]) ** 2).sum(2).argmin(1)
    # Far from the data, the nearer child at the top split is not always the side holding
    # the nearest leaf centre: the tree and the nearest centre disagree on some points ...
    assert (tree != nearest).any()
    # ... and shoal's tree answers like scikit-learn's.
    assert adjusted_rand_score(tree, ref.predict(new)) == 1.0
    # transform and score use the nearest final centre (like KMeans and scikit-learn), so
    # -score can only be below inertia_, which follows the tree.
    dist = ours.transform(new)
    np.testing.assert_allclose(dist.argmin(1), nearest)
    assert ours.score(X) == pytest.approx(ref.score(X), rel=1e-9)
    assert -ours.score(X) <= ours.inertia_ * (1 + 1e-12)


def test_pickle_keeps_the_tree():
    X = _data(n=1000, seed=4)
    bkm = BisectingKMeans(5, random_state=0).fit(X)
    again = pickle.loads(pickle.dumps(bkm))
    new = np.random.default_rng(1).uniform(-20, 20, (300, X.shape[1]))
    np.testing.assert_array_equal(again.predict(new), bkm.predict(new))


def test_all_algorithms_give_the_same_tree():
    X = _data(n=3000, seed=5)
    labels = [
        BisectingKMeans(8, random_state=1, algorithm=a).fit(X).labels_
        for a in ("lloyd", "elkan", "hamerly")
    ]
    np.testing.assert_array_equal(labels[0], labels[1])
    np.testing.assert_array_equal(labels[0], labels[2])


def test_input_not_modified_dtype_kept_and_copy_x_false_restores():
    X = _data(n=1000).astype(np.float32)
    X0 = X.copy()
    bkm = BisectingKMeans(4, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X0)
    assert bkm.cluster_centers_.dtype == np.float32
    assert bkm.labels_.dtype == np.int64
    Y = _data(n=1000)
    Y0 = Y.copy()
    a = BisectingKMeans(4, random_state=0, copy_x=False).fit(Y)
    np.testing.assert_allclose(Y, Y0, rtol=0, atol=1e-12)
    b = BisectingKMeans(4, random_state=0).fit(Y0)
    np.testing.assert_array_equal(a.labels_, b.labels_)


def test_duplicates_give_fewer_clusters_with_a_warning():
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0]]), 10, axis=0)
    with pytest.warns(Warning, match="Number of distinct clusters"):
        bkm = BisectingKMeans(4, random_state=0).fit(X)
    assert len(np.unique(bkm.labels_)) == 2
    assert bkm.inertia_ == 0.0


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"bisecting_strategy": "smallest"}, "bisecting_strategy='smallest'"),
        ({"algorithm": "auto"}, "algorithm='auto'"),
        ({"n_init": 0}, "n_init=0"),
        ({"max_iter": 0}, "max_iter=0"),
        ({"tol": -1.0}, "tol=-1.0"),
        ({"init": "kmeans"}, "init='kmeans'"),
        ({"init": np.zeros((3, 5))}, "init=array"),
        ({"n_clusters": 2000}, "n_clusters=2000 must be <= n_samples=1000"),
    ],
)
def test_bad_parameters_name_the_value(params, match):
    X = _data(n=1000)
    with pytest.raises((ValueError, TypeError), match=match):
        BisectingKMeans(**params).fit(X)


def test_bad_input():
    X = _data(n=500)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match=r"infinity|inf"):
        BisectingKMeans(3).fit(bad)
    with pytest.raises(ValueError, match="n_samples=1"):
        BisectingKMeans(1).fit(X[:1])
    bkm = BisectingKMeans(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        bkm.predict(X[:, :2])
    with pytest.raises(ValueError, match="string"):
        BisectingKMeans(2).fit(np.array([["a", "b"], ["c", "d"]]))
