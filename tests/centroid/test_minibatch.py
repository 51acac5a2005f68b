from __future__ import annotations

import warnings

import numpy as np
import pytest
from _battery import load_battery
from sklearn.cluster import MiniBatchKMeans as SKMiniBatchKMeans

from shoal import KMeans, MiniBatchKMeans


def _data(n=6000, d=5, k=10, seed=0, std=1.5):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centers[y] + std * rng.standard_normal((n, d))


def _assert_same(ours, ref, dtype, labels=True):
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    assert ours.n_steps_ == ref.n_steps_
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=rtol, atol=rtol)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=rtol)
    if labels:
        assert np.array_equal(ours.labels_, ref.labels_)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"init": "random"},  # n_init='auto' is 3 for 'random'
        {"n_init": 2, "reassignment_ratio": 0.2},
        {"tol": 1e-3, "max_no_improvement": None},
        {"max_no_improvement": None, "max_iter": 2, "init_size": 500},
    ],
)
def test_same_random_state_gives_sklearns_run(dtype, weighted, params):
    # shoal draws the same batches and reassignments from the same generator, so the whole
    # run (steps, centres, stopping step) is scikit-learn's.
    X = _data().astype(dtype)
    w = np.random.default_rng(1).uniform(0.2, 3.0, X.shape[0]).astype(dtype) if weighted else None
    kw = dict(n_clusters=10, batch_size=256, random_state=3, **params)
    ours = MiniBatchKMeans(**kw).fit(X, sample_weight=w)
    ref = SKMiniBatchKMeans(**kw).fit(X, sample_weight=w)
    _assert_same(ours, ref, dtype)
    assert ours.cluster_centers_.dtype == dtype


def test_array_init_and_compute_labels_false_match_sklearn():
    X = _data(seed=4)
    init = X[:10].copy()
    kw = dict(n_clusters=10, init=init, batch_size=200, random_state=0, compute_labels=False)
    ours = MiniBatchKMeans(**kw).fit(X)
    ref = SKMiniBatchKMeans(**kw).fit(X)
    _assert_same(ours, ref, np.float64, labels=False)
    assert not hasattr(ours, "labels_")
    np.testing.assert_array_equal(init, X[:10])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_partial_fit_sequence_matches_sklearn(dtype):
    X = _data(n=3000, seed=5).astype(dtype)
    ours = MiniBatchKMeans(10, random_state=0)
    ref = SKMiniBatchKMeans(10, random_state=0)
    rng = np.random.default_rng(0)
    for start in range(0, 3000, 300):
        w = rng.uniform(0.5, 2.0, 300).astype(dtype)
        ours.partial_fit(X[start : start + 300], sample_weight=w)
        ref.partial_fit(X[start : start + 300], sample_weight=w)
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=rtol, atol=rtol)
    assert np.array_equal(ours.labels_, ref.labels_)
    assert ours.n_steps_ == ref.n_steps_ == 10
    assert ours.cluster_centers_.dtype == dtype


def test_learning_rate_worked_example():
    # Centres 0 and 10; batch {1, 2, 9}: centre 0 takes 1 and 2 -> (0*0 + 1 + 2) / 2 = 1.5 with
    # count 2, centre 1 takes 9 -> 9 with count 1. Then batch {3}: centre 0 -> (1.5*2 + 3) / 3
    # = 2, count 3; centre 1 untouched.
    mbk = MiniBatchKMeans(2, init=np.array([[0.0], [10.0]]), reassignment_ratio=0.0)
    mbk.partial_fit(np.array([[1.0], [2.0], [9.0]]))
    np.testing.assert_allclose(mbk.cluster_centers_.ravel(), [1.5, 9.0])
    assert mbk.inertia_ == pytest.approx(0.25 + 0.25 + 0.0)  # labels against the new centres
    mbk.partial_fit(np.array([[3.0], [11.0]]), sample_weight=[1.0, 0.0])
    np.testing.assert_allclose(mbk.cluster_centers_.ravel(), [2.0, 9.0])
    np.testing.assert_allclose(mbk._counts, [3.0, 1.0])


def test_reassignment_moves_a_dead_centre():
    # One initial centre is far from every sample: it never wins a sample, so it is moved onto
    # a batch sample; without reassignment it stays where it was.
    X = _data(n=4000, d=2, k=3, seed=6)
    init = np.vstack([X[:2], [[1e3, 1e3]]])
    moved = MiniBatchKMeans(3, init=init, batch_size=100, random_state=0).fit(X)
    stuck = MiniBatchKMeans(3, init=init, batch_size=100, random_state=0, reassignment_ratio=0.0)
    stuck.fit(X)
    assert np.abs(moved.cluster_centers_).max() < 50
    np.testing.assert_array_equal(stuck.cluster_centers_[2], [1e3, 1e3])
    assert np.bincount(moved.labels_, minlength=3).min() > 0
    ref = SKMiniBatchKMeans(3, init=init, batch_size=100, random_state=0).fit(X)
    np.testing.assert_allclose(moved.cluster_centers_, ref.cluster_centers_, rtol=1e-9)


def test_small_data_runs_full_batch_kmeans():
    # n <= batch_size: every batch would be all of X, so the result is KMeans's.
    X = _data(n=500, seed=7)
    w = np.random.default_rng(2).uniform(0.5, 2.0, 500)
    ours = MiniBatchKMeans(10, random_state=4, n_init=2).fit(X, sample_weight=w)
    km = KMeans(10, random_state=4, n_init=2, algorithm="lloyd", tol=0.0, max_iter=100)
    km.fit(X, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, km.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, km.cluster_centers_)
    assert ours.inertia_ == pytest.approx(km.inertia_)
    # ... and weights act exactly as repeated samples.
    wi = np.random.default_rng(3).integers(1, 4, 500)
    rep = MiniBatchKMeans(10, random_state=0, n_init=20).fit(np.repeat(X, wi, axis=0))
    wtd = MiniBatchKMeans(10, random_state=0, n_init=20).fit(X, sample_weight=wi)
    np.testing.assert_allclose(rep.cluster_centers_, wtd.cluster_centers_, rtol=1e-9)


@pytest.mark.parametrize("name", ["s1", "a1"])
def test_battery_inertia_not_worse_than_sklearn(name):
    X, labels = load_battery("sipu", name)
    k = len(np.unique(labels[0][labels[0] > 0]))
    ours, ref = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(5):
            kw = dict(n_clusters=k, batch_size=256, random_state=seed)
            ours.append(MiniBatchKMeans(**kw).fit(X).inertia_)
            ref.append(SKMiniBatchKMeans(**kw).fit(X).inertia_)
    assert np.mean(ours) <= np.mean(ref) * (1 + 1e-9)


def test_input_not_modified_and_dtype_kept():
    X = _data(n=3000).astype(np.float32)
    X0 = X.copy()
    w = np.ones(3000, dtype=np.float32)
    mbk = MiniBatchKMeans(5, batch_size=100, random_state=0).fit(X, sample_weight=w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(w, 1.0)
    assert mbk.cluster_centers_.dtype == np.float32
    assert mbk.transform(X).dtype == np.float32
    assert mbk.labels_.dtype == np.int64


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"batch_size": 0}, "batch_size=0"),
        ({"reassignment_ratio": -0.1}, "reassignment_ratio=-0.1"),
        ({"max_no_improvement": -1}, "max_no_improvement=-1"),
        ({"init_size": 0}, "init_size=0"),
        ({"max_iter": 0}, "max_iter=0"),
        ({"tol": -1.0}, "tol=-1.0"),
        ({"n_init": 0}, "n_init=0"),
        ({"init": "kmeans"}, "init='kmeans'"),
        ({"compute_labels": "yes"}, "compute_labels='yes'"),
        ({"n_clusters": 3000}, "n_clusters=3000 must be <= n_samples=2000"),
    ],
)
def test_bad_parameters_name_the_value(params, match):
    X = _data(n=2000)
    with pytest.raises((ValueError, TypeError), match=match):
        MiniBatchKMeans(**params).fit(X)


def test_bad_input():
    X = _data(n=2000)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MiniBatchKMeans(3).fit(bad)
    with pytest.raises(ValueError, match="n_samples=1"):
        MiniBatchKMeans(1).fit(X[:1])
    mbk = MiniBatchKMeans(3, batch_size=100, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        mbk.predict(X[:, :3])
    with pytest.raises(ValueError, match="features"):
        mbk.partial_fit(X[:, :3])
    with pytest.raises(ValueError, match="shape of the initial centers"):
        MiniBatchKMeans(3, init=X[:2]).fit(X)
    with pytest.warns(RuntimeWarning, match="init_size=2 should be larger than n_clusters=3"):
        MiniBatchKMeans(3, init_size=2, batch_size=100, random_state=0).fit(X)


def test_common_checks_on_the_mini_batch_path():
    # tests/test_common.py runs every check with data small enough for the full-batch path;
    # this runs them through the mini-batch steps too (scikit-learn's own test parameters).
    # Weights there are sampling probabilities, so fitting with integer weights and with
    # repeated rows draws different batches: the equivalence checks are for the full-batch
    # path, where they pass.
    from sklearn.utils.estimator_checks import check_estimator

    reason = "mini-batch draws differ between weights and repeated rows"
    check_estimator(
        MiniBatchKMeans(n_clusters=2, n_init=2, max_iter=5, batch_size=10),
        expected_failed_checks={
            "check_sample_weight_equivalence_on_dense_data": reason,
        },
    )
