from __future__ import annotations

import warnings

import numpy as np
import pytest
from _battery import load_battery
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture as SKGaussianMixture

from shoal import GaussianMixture

TYPES = ["full", "tied", "diag", "spherical"]


def _data(n=1500, d=3, k=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-5, 5, (k, d))
    y = rng.integers(0, k, n)
    return centers[y] + rng.standard_normal((n, d)) * rng.uniform(0.5, 1.5, (n, 1)), y


def _same_init(X, k, ct):
    ref = SKGaussianMixture(k, covariance_type=ct, random_state=0, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X)
    return dict(weights_init=ref.weights_, means_init=ref.means_, precisions_init=ref.precisions_)


@pytest.mark.parametrize("ct", TYPES)
def test_every_em_step_matches_sklearn(ct):
    X, _ = _data()
    init = _same_init(X, 4, ct)
    kw = dict(covariance_type=ct, tol=0.0, max_iter=25, **init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = GaussianMixture(4, **kw).fit(X)
        ref = SKGaussianMixture(4, **kw).fit(X)
    np.testing.assert_allclose(ours.lower_bounds_, ref.lower_bounds_, rtol=1e-6)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-6, atol=1e-9)
    assert ours.bic(X) == pytest.approx(ref.bic(X), rel=1e-9)
    assert ours.aic(X) == pytest.approx(ref.aic(X), rel=1e-9)
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-9)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("init_params", ["random", "random_from_data", "k-means++", "kmeans"])
def test_init_params_match_sklearn_for_the_same_seed(init_params):
    X, _ = _data(seed=1)
    kw = dict(init_params=init_params, random_state=3, n_init=2)
    ours = GaussianMixture(4, **kw).fit(X)
    ref = SKGaussianMixture(4, **kw).fit(X)
    assert ours.lower_bound_ == pytest.approx(ref.lower_bound_, rel=1e-6)
    assert ours.n_iter_ == ref.n_iter_
    assert adjusted_rand_score(ours.predict(X), ref.predict(X)) == 1.0
    # 'kmeans' numbers components by shoal's KMeans clusters: compare as sets.
    order = lambda m: m[np.lexsort(m.T[::-1])]  # noqa: E731
    np.testing.assert_allclose(order(ours.means_), order(ref.means_), rtol=1e-6, atol=1e-9)


def test_six_point_worked_example():
    # Two groups of three points stacked vertically at x=1 and x=10: each component is its
    # group's mean, with variance 0 across and ((-2)^2 + 0 + 2^2) / 3 = 8/3 along (reg_covar =
    # 1e-6 added to both).
    X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    gm = GaussianMixture(2, random_state=0).fit(X)
    order = np.argsort(gm.means_[:, 0])
    np.testing.assert_allclose(gm.means_[order], [[1.0, 2.0], [10.0, 2.0]])
    np.testing.assert_allclose(gm.weights_, [0.5, 0.5])
    for j in order:
        np.testing.assert_allclose(
            gm.covariances_[j], [[1e-6, 0.0], [0.0, 8.0 / 3.0 + 1e-6]], atol=1e-9
        )
    np.testing.assert_array_equal(gm.predict(X), gm.fit_predict(X))
    assert len(set(gm.predict(X[:3]))) == 1 and gm.predict(X[:1])[0] != gm.predict(X[3:4])[0]


@pytest.mark.parametrize("ct", TYPES)
def test_integer_weights_equal_repeated_rows(ct):
    X, _ = _data(n=400, seed=2)
    wi = np.random.default_rng(0).integers(1, 4, X.shape[0])
    init = _same_init(X, 4, ct)
    kw = dict(covariance_type=ct, tol=0.0, max_iter=15, **init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = GaussianMixture(4, **kw).fit(X, sample_weight=wi)
        b = GaussianMixture(4, **kw).fit(np.repeat(X, wi, axis=0))
    np.testing.assert_allclose(a.lower_bounds_, b.lower_bounds_, rtol=1e-10)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9, atol=1e-12)


def test_icl_is_bic_plus_twice_the_assignment_entropy():
    X, _ = _data(seed=4)
    gm = GaussianMixture(4, random_state=0).fit(X)
    t = gm.predict_proba(X)
    entropy = -np.sum(t * np.log(np.where(t > 0, t, 1.0)))
    assert gm.icl(X) == pytest.approx(gm.bic(X) + 2 * entropy, rel=1e-9)
    assert gm.icl(X) >= gm.bic(X)


@pytest.mark.parametrize("ct", TYPES)
def test_sample_moments_match_the_model(ct):
    X, _ = _data(seed=5)
    gm = GaussianMixture(4, covariance_type=ct, random_state=0).fit(X)
    S, y = gm.sample(60_000)
    assert S.shape == (60_000, 3)
    np.testing.assert_allclose(np.bincount(y, minlength=4) / 60_000, gm.weights_, atol=0.01)
    for j in range(4):
        np.testing.assert_allclose(S[y == j].mean(axis=0), gm.means_[j], atol=0.06)
    cov0 = {"full": gm.covariances_[0], "tied": gm.covariances_}.get(ct)
    if cov0 is not None:
        np.testing.assert_allclose(np.cov(S[y == 0].T), cov0, atol=0.08)


def test_float32_end_to_end():
    X, _ = _data(seed=6)
    a = GaussianMixture(4, random_state=0).fit(X.astype(np.float32))
    b = GaussianMixture(4, random_state=0).fit(X)
    assert a.means_.dtype == np.float32 and a.covariances_.dtype == np.float32
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-3, atol=1e-3)
    assert a.lower_bound_ == pytest.approx(b.lower_bound_, rel=1e-4)


def test_warm_start_continues_and_max_iter_zero_keeps_the_init():
    X, _ = _data(seed=7)
    gm = GaussianMixture(4, random_state=0, max_iter=3, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
        first = gm.lower_bound_
        gm.fit(X)
    assert gm.lower_bound_ >= first - 1e-12
    init = _same_init(X, 4, "diag")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm0 = GaussianMixture(4, covariance_type="diag", max_iter=0, **init).fit(X)
    np.testing.assert_allclose(gm0.means_, init["means_init"])
    np.testing.assert_allclose(gm0.precisions_, init["precisions_init"])


def test_collapsed_component_names_it_and_reg_covar():
    X = np.vstack([np.zeros((5, 2)), np.random.default_rng(0).standard_normal((50, 2)) + 5])
    with pytest.raises(ValueError, match=r"component \d+ .*reg_covar \(now 0.0\)"):
        GaussianMixture(2, reg_covar=0.0, random_state=0).fit(X)
    GaussianMixture(2, random_state=0).fit(X)  # the default reg_covar copes


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_components": 0}, "n_components=0"),
        ({"n_components": 2000}, "n_components=2000 must be <= n_samples=1500"),
        ({"reg_covar": -1.0}, "reg_covar=-1.0"),
        ({"covariance_type": "banded"}, "covariance_type='banded'"),
        ({"init_params": "zeros"}, "init_params='zeros'"),
        ({"weights_init": [0.5, 0.6, 0.0, 0.0]}, "weights_init must be in"),
        ({"means_init": np.zeros((3, 3))}, "means_init has shape"),
        ({"precisions_init": -np.ones((4, 3)), "covariance_type": "diag"}, "positive"),
        (
            {"precisions_init": np.tile(np.diag([1.0, -1.0, 1.0]), (4, 1, 1))},
            r"precisions_init\[0\] is not symmetric positive definite",
        ),
        ({"tol": -1.0}, "tol=-1.0"),
        ({"max_iter": -1}, "max_iter=-1"),
    ],
)
def test_bad_parameters_name_the_value(params, match):
    X, _ = _data()
    with pytest.raises((ValueError, TypeError), match=match):
        GaussianMixture(4 if "n_components" not in params else params.pop("n_components"),
                        **params).fit(X)  # fmt: skip


def test_bad_input():
    X, _ = _data(n=100)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture(2).fit(bad)
    gm = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        gm.predict(X[:, :2])
    with pytest.raises(ValueError, match="n_samples=0"):
        gm.sample(0)


@pytest.mark.parametrize("name", ["s1", "a1"])
def test_battery_ari_not_worse_than_sklearn(name):
    X, labels = load_battery("sipu", name)
    y = labels[0]
    k = len(np.unique(y[y > 0]))
    X = (X - X.mean(0)) / X.std(0)
    ours, ref = [], []
    for seed in range(3):
        ours.append(adjusted_rand_score(y, GaussianMixture(k, random_state=seed).fit_predict(X)))
        ref.append(adjusted_rand_score(y, SKGaussianMixture(k, random_state=seed).fit_predict(X)))
    assert np.mean(ours) >= np.mean(ref) - 0.01
