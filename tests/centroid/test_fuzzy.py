from __future__ import annotations

import numpy as np
import pytest
import skfuzzy
from sklearn.metrics import adjusted_rand_score

from shoal import FuzzyCMeans, KMeans
from shoal.metrics import fuzzy_partition_coefficient, partition_entropy


def _data(n=2000, d=3, k=4, seed=0, std=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-5, 5, (k, d))
    y = rng.integers(0, k, n)
    return centers[y] + std * rng.standard_normal((n, d)), y


@pytest.mark.parametrize("m", [1.5, 2.0, 3.0])
def test_same_iterates_as_scikit_fuzzy(m):
    X, _ = _data()
    rng = np.random.default_rng(1)
    u0 = rng.random((4, X.shape[0]))
    u0 /= u0.sum(axis=0)
    cntr, u, _, _, jm, p, fpc = skfuzzy.cluster.cmeans(X.T, 4, m, error=1e-5, maxiter=200,
                                                       init=u0)  # fmt: skip
    fcm = FuzzyCMeans(4, m=m, tol=1e-5, max_iter=200, u_init=u0.T).fit(X)
    assert fcm.n_iter_ == p
    np.testing.assert_allclose(fcm.cluster_centers_, cntr, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fcm.membership_, u.T, atol=1e-12)
    np.testing.assert_allclose(fcm.objective_, jm, rtol=1e-10)
    assert fcm.partition_coefficient_ == pytest.approx(fpc, rel=1e-12)
    assert fuzzy_partition_coefficient(fcm.membership_) == pytest.approx(fpc, rel=1e-12)


def test_memberships_are_valid_and_predictions_consistent():
    X, _ = _data(seed=2)
    fcm = FuzzyCMeans(4, tol=1e-9, max_iter=500, random_state=0).fit(X)
    u = fcm.membership_
    assert u.min() >= 0 and u.max() <= 1
    np.testing.assert_allclose(u.sum(axis=1), 1.0)
    # After convergence, the memberships to the final centres are the training memberships.
    np.testing.assert_allclose(fcm.predict_proba(X), u, atol=1e-6)
    np.testing.assert_array_equal(fcm.predict(X), fcm.predict_proba(X).argmax(axis=1))
    np.testing.assert_array_equal(fcm.labels_, u.argmax(axis=1))
    # The objective never increases (alternating optimisation).
    assert np.all(np.diff(fcm.objective_) <= 1e-9 * fcm.objective_[:-1])


def test_small_fuzzifier_approaches_kmeans():
    X, _ = _data(seed=3, std=0.6)
    fcm = FuzzyCMeans(4, m=1.05, tol=1e-10, max_iter=500, n_init=5, random_state=0).fit(X)
    km = KMeans(4, random_state=0).fit(X)
    assert adjusted_rand_score(fcm.labels_, km.labels_) == 1.0
    np.testing.assert_allclose(fcm.cluster_centers_, km.cluster_centers_, atol=5e-3)
    assert fcm.partition_coefficient_ > 0.99
    assert partition_entropy(fcm.membership_) < 0.05


def test_integer_weights_equal_repeated_rows():
    X, _ = _data(n=300, seed=4)
    wi = np.random.default_rng(0).integers(1, 4, X.shape[0])
    init = X[:4].copy()
    a = FuzzyCMeans(4, init=init, tol=1e-10, max_iter=300).fit(X, sample_weight=wi)
    b = FuzzyCMeans(4, init=init, tol=1e-10, max_iter=300).fit(np.repeat(X, wi, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.objective_, b.objective_, rtol=1e-9)


def test_partition_indices_by_hand():
    hard = np.eye(3)[[0, 1, 2, 0]]
    assert fuzzy_partition_coefficient(hard) == 1.0
    assert partition_entropy(hard) == 0.0
    flat = np.full((5, 4), 0.25)
    assert fuzzy_partition_coefficient(flat) == pytest.approx(0.25)
    assert partition_entropy(flat) == pytest.approx(np.log(4))
    with pytest.raises(ValueError, match="sum to 1"):
        fuzzy_partition_coefficient([[0.5, 0.6]])


def test_float32_keeps_centres_float32():
    X, _ = _data(seed=5)
    a = FuzzyCMeans(4, random_state=0, tol=1e-8).fit(X.astype(np.float32))
    b = FuzzyCMeans(4, random_state=0, tol=1e-8).fit(X)
    assert a.cluster_centers_.dtype == np.float32
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, atol=1e-4)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"m": 1.0}, "m=1.0 must be > 1.0"),
        ({"m": 0.5}, "m=0.5"),
        ({"n_clusters": 5000}, "n_clusters=5000 must be <= n_samples=2000"),
        ({"init": "kmeans"}, "init='kmeans'"),
        ({"n_init": 0}, "n_init=0"),
        ({"u_init": np.ones((10, 3))}, "u_init has shape"),
        ({"u_init": -np.ones((2000, 3))}, "negative"),
        ({"tol": -1.0}, "tol=-1.0"),
    ],
)
def test_bad_parameters_name_the_value(params, match):
    X, _ = _data()
    with pytest.raises((ValueError, TypeError), match=match):
        FuzzyCMeans(**params).fit(X)


def test_bad_input():
    X, _ = _data(n=100)
    bad = X.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FuzzyCMeans(2).fit(bad)
    fcm = FuzzyCMeans(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        fcm.predict_proba(X[:, :2])


def test_identical_rows_are_refused():
    with pytest.raises(ValueError, match="identical"):
        FuzzyCMeans(3).fit(np.ones((10, 2)))
    assert FuzzyCMeans(1).fit(np.ones((10, 2))).membership_.min() == 1.0
