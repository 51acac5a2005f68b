from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import MeanShift as SKMeanShift
from sklearn.cluster import estimate_bandwidth as sk_estimate_bandwidth
from sklearn.cluster import get_bin_seeds as sk_get_bin_seeds
from sklearn.metrics import adjusted_rand_score

from shoal import MeanShift, estimate_bandwidth
from shoal.mode import get_bin_seeds


def _data(n=600, d=2, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-6, 6, (4, d))
    return centers[rng.integers(0, 4, n)] + 0.6 * rng.standard_normal((n, d))


def test_the_seeds_examples():
    ms = MeanShift(bandwidth=2).fit(np.array([[1.0], [2.0], [3.0], [6.0], [7.0], [8.0]]))
    assert sorted(ms.cluster_centers_.ravel().tolist()) == [2.0, 7.0]
    X = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [10.0, 10.0]])
    ms = MeanShift(bandwidth=3).fit(X)
    np.testing.assert_allclose(ms.cluster_centers_, [[2.0, 2.0], [10.0, 10.0]])
    assert ms.labels_.tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize(("d", "bin_seeding", "cluster_all"), [
    (1, False, True), (2, False, True), (2, True, True), (3, True, False), (5, False, True),
    (5, True, False),
])  # fmt: skip
def test_equals_scikit_learn(d, bin_seeding, cluster_all):
    X = _data(d=d, seed=d)
    bw = sk_estimate_bandwidth(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MeanShift(bandwidth=bw, bin_seeding=bin_seeding, cluster_all=cluster_all).fit(X)
        ref = SKMeanShift(bandwidth=bw, bin_seeding=bin_seeding, cluster_all=cluster_all).fit(X)
    assert ours.cluster_centers_.shape == ref.cluster_centers_.shape
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-6)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_array_equal(ours.predict(X[:20]), ref.predict(X[:20]))


@pytest.mark.parametrize(("quantile", "n_samples"), [(0.3, None), (0.1, None), (0.5, 200)])
def test_estimate_bandwidth_equals_scikit_learn(quantile, n_samples):
    X = _data(n=500, d=3, seed=4)
    ours = estimate_bandwidth(X, quantile=quantile, n_samples=n_samples, random_state=0)
    ref = sk_estimate_bandwidth(X, quantile=quantile, n_samples=n_samples, random_state=0)
    if n_samples is None:
        assert ours == pytest.approx(ref, rel=1e-12)
    else:  # different random subsets; same scale
        assert ours == pytest.approx(ref, rel=0.2)


def test_bin_seeds_equal_scikit_learn():
    X = _data(n=400, seed=5)
    for size, freq in ((1.0, 1), (0.5, 3)):
        ours = get_bin_seeds(X, size, freq)
        ref = sk_get_bin_seeds(X, size, freq)
        assert {tuple(r) for r in ours} == {tuple(r) for r in ref}


def test_given_seeds_and_default_bandwidth():
    X = _data(n=300, seed=6)
    ms = MeanShift(seeds=X[::10]).fit(X)
    ref = SKMeanShift(seeds=X[::10]).fit(X)
    np.testing.assert_allclose(ms.cluster_centers_, ref.cluster_centers_, atol=1e-6)
    assert adjusted_rand_score(ref.labels_, ms.labels_) == 1.0


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({"bandwidth": 0.0}, _data(20), "bandwidth=0.0"),
        ({"bandwidth": -1.0}, _data(20), "bandwidth=-1.0"),
        ({"min_bin_freq": 0}, _data(20), "min_bin_freq=0"),
        ({}, np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN"),
        ({}, np.ones((10, 2)), "bandwidth"),
        ({"seeds": np.zeros((3, 5))}, _data(20), "seeds have 5 features"),
        ({"bandwidth": 0.01, "seeds": [[100.0, 100.0]]}, _data(20), "No point"),
    ],
)
def test_bad_input_is_refused_clearly(params, X, match):
    with pytest.raises(ValueError, match=match):
        MeanShift(**params).fit(X)


def _kde(X, y, h, gaussian):
    r2 = ((X - y) ** 2).sum(axis=1) / (h * h)
    if gaussian:
        return np.exp(-0.5 * r2).sum()
    return (0.5 * np.clip(1.0 - r2, 0.0, None) ** 2).sum()  # the profile whose shadow is 1 - r^2


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_smooth_kernels_climb_the_density_to_a_stationary_point(kernel):
    """The seeds' convergence claim: the density estimate never decreases along a
    trajectory, and a mode is a stationary point (mean shift vector ~ 0)."""
    X = _data(n=500, seed=8)
    h = 1.0
    gaussian = kernel == "gaussian"
    ms = MeanShift(bandwidth=h, kernel=kernel).fit(X)
    for c in ms.cluster_centers_:
        diff = X - c
        r2 = (diff**2).sum(axis=1)
        w = np.exp(-0.5 * r2) if gaussian else np.clip(1.0 - r2, 0.0, None)
        assert np.linalg.norm((w[:, None] * diff).sum(axis=0) / w.sum()) <= 2e-3 * h
    seed = X[:1] + 0.7
    values = []
    for steps in range(12):
        y = MeanShift(bandwidth=h, kernel=kernel, seeds=seed, max_iter=steps).fit(X)
        values.append(_kde(X, y.cluster_centers_[0], h, gaussian))
    assert np.all(np.diff(values) >= -1e-9 * abs(values[-1]))
    assert values[-1] > values[0]


def test_kernel_is_validated():
    with pytest.raises(ValueError, match="kernel="):
        MeanShift(kernel="cosine").fit(_data(20))


def test_adaptive_bandwidth_climbs_the_variable_bandwidth_density():
    """Comaniciu, Ramesh & Meer (2001): with per-sample bandwidths h_j and weights
    h_j^-(d+2) g(.), the estimate sum_j h_j^-d k(|y - x_j|^2 / h_j^2) never decreases."""
    rng = np.random.default_rng(9)
    X = np.vstack([rng.normal(size=(300, 2)) * 0.3, rng.normal(size=(150, 2)) * 1.5 + 6])
    k = 25
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    hs = np.sqrt(np.sort(d2, axis=1)[:, k - 1])

    def density(y):
        r2 = ((X - y) ** 2).sum(axis=1) / hs**2
        return (hs**-2.0 * np.exp(-0.5 * r2)).sum()

    fixed = MeanShift(bandwidth=0.5, kernel="gaussian").fit(X)
    adaptive = MeanShift(bandwidth=0.5, kernel="gaussian", adaptive_k=k).fit(X)
    assert adaptive.cluster_centers_.shape[0] < fixed.cluster_centers_.shape[0]
    assert adaptive.cluster_centers_.shape[0] == 2
    seed = X[310:311]
    values = [density(MeanShift(bandwidth=0.5, kernel="gaussian", adaptive_k=k, seeds=seed,
                                max_iter=s).fit(X).cluster_centers_[0])
              for s in range(10)]  # fmt: skip
    assert np.all(np.diff(values) >= -1e-9 * values[-1])
    with pytest.raises(ValueError, match="adaptive_k"):
        MeanShift(adaptive_k=0).fit(X)


def test_medoid_shift():
    from shoal import MedoidShift

    X = np.array([[1.0], [2.0], [3.0], [6.0], [7.0], [8.0]])
    ms = MedoidShift(bandwidth=2).fit(X)
    assert ms.cluster_centers_.ravel().tolist() == [2.0, 7.0]
    assert ms.labels_.tolist() == [0, 0, 0, 1, 1, 1]
    rng = np.random.default_rng(0)
    centers = [(0, 0), (4, 4), (0, 5)]
    X = np.vstack([rng.normal(size=(300, 2)) * 0.6 + c for c in centers])
    y = np.repeat([0, 1, 2], 300)
    ms = MedoidShift(bandwidth=1.2, kernel="gaussian").fit(X)
    assert adjusted_rand_score(y, ms.labels_) > 0.95
    # Modes are samples, and each is its own pointer target.
    np.testing.assert_array_equal(ms.cluster_centers_, X[ms.medoid_indices_])
    assert (ms.next_[ms.medoid_indices_] == ms.medoid_indices_).all()
    # Each sample points at the sample nearest to its one-step weighted mean.
    diff = X[:, None, :] - X[None, :, :]
    w = np.exp(-0.5 * (diff**2).sum(-1) / 1.2**2)
    means = w @ X / w.sum(axis=1, keepdims=True)
    expected = ((means[:, None, :] - X[None, :, :]) ** 2).sum(-1).argmin(axis=1)
    assert (ms.next_ == expected).mean() > 0.99
