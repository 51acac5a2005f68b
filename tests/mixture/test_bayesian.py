from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture as SKBayesianGaussianMixture

from shoal import BayesianGaussianMixture

TYPES = ["full", "tied", "diag", "spherical"]
PRIORS = ["dirichlet_process", "dirichlet_distribution"]


def _data(n=1500, d=3, k=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-5, 5, (k, d))
    y = rng.integers(0, k, n)
    return centers[y] + rng.standard_normal((n, d)) * rng.uniform(0.5, 1.5, (n, 1))


def _bounds(model):
    # scikit-learn's tied lower bounds are 1-element arrays.
    return np.array([float(np.ravel(v)[0]) for v in model.lower_bounds_])


def _fit_both(X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = BayesianGaussianMixture(n_components=6, **kw).fit(X)
        ref = SKBayesianGaussianMixture(n_components=6, **kw).fit(X)
    return ours, ref


@pytest.mark.parametrize("prior", PRIORS)
@pytest.mark.parametrize("ct", TYPES)
@pytest.mark.parametrize("init", ["random", "random_from_data"])
def test_every_variational_step_matches_sklearn(prior, ct, init):
    X = _data()
    kw = dict(covariance_type=ct, weight_concentration_prior_type=prior, init_params=init,
              random_state=0, tol=0.0, max_iter=30)  # fmt: skip
    ours, ref = _fit_both(X, **kw)
    np.testing.assert_allclose(_bounds(ours), _bounds(ref), rtol=1e-6)
    for name in ("weights_", "means_", "covariances_", "precisions_", "mean_precision_",
                 "degrees_of_freedom_"):  # fmt: skip
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.score_samples(X), ref.score_samples(X), rtol=1e-9)
    # Variational EM never lowers its bound.
    b = _bounds(ours)
    assert np.all(np.diff(b) >= -1e-9 * np.abs(b[1:]))


def test_explicit_priors_match_sklearn():
    X = _data(seed=1)
    d = X.shape[1]
    for ct, cov_prior in [("full", 2.0 * np.eye(d)), ("diag", np.full(d, 0.5)), ("spherical", 3.0)]:
        kw = dict(covariance_type=ct, weight_concentration_prior=0.05, mean_precision_prior=0.3,
                  mean_prior=np.ones(d), degrees_of_freedom_prior=d + 2.5,
                  covariance_prior=cov_prior, init_params="random", random_state=2, tol=0.0,
                  max_iter=20)  # fmt: skip
        ours, ref = _fit_both(X, **kw)
        np.testing.assert_allclose(_bounds(ours), _bounds(ref), rtol=1e-6)
        np.testing.assert_allclose(ours.means_, ref.means_, rtol=1e-6, atol=1e-9)
        assert ours.covariance_prior_ == pytest.approx(ref.covariance_prior_)


def test_small_concentration_switches_off_unneeded_components():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(c, 0.5, (300, 2)) for c in ([0, 0], [10, 0], [0, 10])])
    bgm = BayesianGaussianMixture(n_components=8, weight_concentration_prior=1e-3,
                                  random_state=0, max_iter=500).fit(X)  # fmt: skip
    assert bgm.effective_n_components() == 3
    assert np.sort(bgm.weights_)[-3:].sum() > 0.99
    assert bgm.effective_n_components(threshold=0.0) >= 3


def test_integer_weights_equal_repeated_rows():
    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(c, 0.7, (100, 2)) for c in ([0, 0], [8, 0], [0, 8])])
    wi = rng.integers(1, 4, X.shape[0])
    kw = dict(n_components=3, random_state=0, tol=0.0, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = BayesianGaussianMixture(**kw).fit(X, sample_weight=wi)
        b = BayesianGaussianMixture(**kw).fit(np.repeat(X, wi, axis=0))
    np.testing.assert_allclose(a.lower_bounds_, b.lower_bounds_, rtol=1e-8)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.covariance_prior_, b.covariance_prior_, rtol=1e-10)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"weight_concentration_prior": 0.0}, "weight_concentration_prior=0.0"),
        ({"mean_precision_prior": -1.0}, "mean_precision_prior=-1.0"),
        ({"degrees_of_freedom_prior": 1.5}, "degrees_of_freedom_prior=1.5 must be > "),
        ({"weight_concentration_prior_type": "pitman"}, "weight_concentration_prior_type="),
        ({"mean_prior": np.zeros(2)}, "mean_prior has shape"),
        ({"covariance_prior": np.eye(2)}, "covariance_prior has shape"),
        ({"covariance_prior": -np.eye(3)}, "not symmetric positive definite"),
        ({"covariance_prior": -1.0, "covariance_type": "spherical"}, "must be a positive"),
        ({"n_components": 5000}, "n_components=5000 must be <= n_samples=1500"),
    ],
)
def test_bad_parameters_name_the_value(params, match):
    X = _data()
    with pytest.raises((ValueError, TypeError), match=match):
        BayesianGaussianMixture(**params).fit(X)
