from __future__ import annotations

import kmedoids
import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.exceptions import ConvergenceWarning

import shoal.centroid.kmedoids as kmedoids_module
from shoal import KMeans, KMedoids

SCIPY_METRIC = {"euclidean": "euclidean", "sqeuclidean": "sqeuclidean",
                "manhattan": "cityblock", "cosine": "cosine"}  # fmt: skip


def _data(n=60, d=3, k=4, seed=0, std=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-5, 5, (k, d))
    y = rng.integers(0, k, n)
    return centers[y] + std * rng.standard_normal((n, d)), y


def _loss(D, medoids, w=None):
    w = np.ones(D.shape[0]) if w is None else w
    return float(np.dot(w, D[:, medoids].min(axis=1)))


def _brute_pam(D, k, w=None):
    """PAM by definition: greedy BUILD, then the best of all k (n - k) swaps while it helps."""
    n = D.shape[0]
    medoids: list[int] = []
    for _ in range(k):
        rest = [c for c in range(n) if c not in medoids]
        medoids.append(min(rest, key=lambda c: (_loss(D, [*medoids, c], w), c)))
    loss = _loss(D, medoids, w)
    while True:
        best = (loss, None)
        for c in range(n):
            if c in medoids:
                continue
            for i in range(k):
                trial = medoids.copy()
                trial[i] = c
                value = _loss(D, trial, w)
                if value < best[0] - 1e-12 * loss:
                    best = (value, trial)
        if best[1] is None:
            return sorted(medoids), loss
        loss, medoids = best


def _no_improving_swap(D, medoids, w=None):
    loss = _loss(D, medoids, w)
    for c in set(range(D.shape[0])) - set(medoids):
        for i in range(len(medoids)):
            trial = list(medoids)
            trial[i] = c
            assert _loss(D, trial, w) >= loss * (1 - 1e-12), (c, i)


def test_hand_example():
    X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [4.0, 2.0], [4.0, 4.0], [4.0, 0.0]])
    km = KMedoids(n_clusters=2, method="pam", init="build").fit(X)
    # Medoids (1, 2) and (4, 2); every other point is at distance 2: loss 4 * 2 = 8.
    assert sorted(km.medoid_indices_.tolist()) == [0, 3]
    assert km.inertia_ == 8.0
    np.testing.assert_array_equal(km.cluster_centers_, X[km.medoid_indices_])
    assert km.labels_.tolist() == [0, 0, 0, 1, 1, 1]


def test_an_outlier_moves_the_mean_but_not_the_medoid():
    """The seeds' argument: one far outlier drags a k-means centre, not a medoid."""
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    X_out = np.vstack([X, [[1000.0]]])
    mean_shift = abs(KMeans(1, n_init=1).fit(X_out).cluster_centers_[0, 0] - 2.0)
    medoid = KMedoids(1).fit(X_out).cluster_centers_[0, 0]
    assert mean_shift > 150
    assert medoid == 2.0


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "sqeuclidean"])
@pytest.mark.parametrize(("n", "k", "seed"), [(30, 3, 0), (45, 4, 1), (40, 5, 2)])
def test_pam_equals_brute_force_pam(metric, n, k, seed):
    X, _ = _data(n=n, k=k, seed=seed, std=2.0)
    D = cdist(X, X, SCIPY_METRIC[metric])
    medoids, loss = _brute_pam(D, k)
    km = KMedoids(k, metric=metric, method="pam", init="build").fit(X)
    assert sorted(km.medoid_indices_.tolist()) == medoids
    assert km.inertia_ == pytest.approx(loss, rel=1e-10)
    _no_improving_swap(D, km.medoid_indices_)


@pytest.mark.parametrize("init", ["k-medoids++", "random", "build"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fasterpam_reaches_a_swap_local_optimum(init, seed):
    X, _ = _data(n=50, k=4, seed=seed, std=2.5)
    km = KMedoids(4, method="fasterpam", init=init, random_state=seed).fit(X)
    D = cdist(X, X)
    _no_improving_swap(D, km.medoid_indices_)
    assert km.inertia_ == pytest.approx(_loss(D, km.medoid_indices_), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_pam_equals_the_kmedoids_package(seed):
    X, _ = _data(n=400, d=4, k=6, seed=seed, std=1.5)
    D = cdist(X, X)
    ref = kmedoids.pam(D, 6, init="build")
    km = KMedoids(6, method="pam", init="build").fit(X)
    assert sorted(km.medoid_indices_.tolist()) == sorted(ref.medoids.tolist())
    assert km.inertia_ == pytest.approx(float(ref.loss), rel=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fasterpam_from_the_same_start_matches_the_kmedoids_package_loss(seed):
    X, _ = _data(n=500, d=4, k=8, seed=seed, std=2.0)
    D = cdist(X, X)
    start = np.random.default_rng(seed).choice(500, 8, replace=False)
    ref = kmedoids.fasterpam(D, start.copy())
    km = KMedoids(8, metric="precomputed", init=start).fit(D)
    # Both stop at a swap local optimum; the visiting order differs, so the optimum may too.
    assert km.inertia_ <= float(ref.loss) * 1.02
    _no_improving_swap(D, km.medoid_indices_)


@pytest.mark.parametrize("seed", [0, 1])
def test_alternate_equals_the_kmedoids_package(seed):
    X, _ = _data(n=300, d=3, k=5, seed=seed, std=1.5)
    D = cdist(X, X)
    start = np.random.default_rng(seed).choice(300, 5, replace=False)
    ref = kmedoids.alternating(D, start.copy())
    km = KMedoids(5, method="alternate", init=start).fit(X)
    assert sorted(km.medoid_indices_.tolist()) == sorted(ref.medoids.tolist())
    assert km.inertia_ == pytest.approx(float(ref.loss), rel=1e-10)


@pytest.mark.parametrize("method", ["pam", "fasterpam", "alternate"])
def test_precomputed_and_on_the_fly_distances_agree_with_the_matrix(method, monkeypatch):
    X, _ = _data(n=200, k=4, seed=3, std=2.0)
    D = cdist(X, X)
    kw = dict(method=method, init="build")
    a = KMedoids(4, **kw).fit(X)
    b = KMedoids(4, metric="precomputed", **kw).fit(D)
    monkeypatch.setattr(kmedoids_module, "MATRIX_BUDGET", 0)
    c = KMedoids(4, **kw).fit(X)
    for other in (b, c):
        np.testing.assert_array_equal(other.medoid_indices_, a.medoid_indices_)
        np.testing.assert_array_equal(other.labels_, a.labels_)
        assert other.inertia_ == pytest.approx(a.inertia_, rel=1e-12)
    np.testing.assert_array_equal(b.predict(D[:7]), a.predict(X[:7]))
    np.testing.assert_allclose(b.transform(D[:7]), a.transform(X[:7]), rtol=1e-12)


def test_predict_and_transform():
    X, _ = _data(n=300, k=4, seed=4)
    km = KMedoids(4, random_state=0).fit(X)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    T = km.transform(X)
    np.testing.assert_allclose(T, cdist(X, X[km.medoid_indices_]), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(T.argmin(axis=1), km.labels_)
    assert km.inertia_ == pytest.approx(T.min(axis=1).sum(), rel=1e-12)


def test_float32_is_kept():
    X, _ = _data(n=200, k=3, seed=5)
    km = KMedoids(3, random_state=0).fit(X.astype(np.float32))
    ref = KMedoids(3, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == np.float32
    assert km.transform(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_array_equal(km.medoid_indices_, ref.medoid_indices_)


@pytest.mark.parametrize("method", ["pam", "fasterpam", "alternate"])
def test_integer_weights_act_as_repeated_samples(method):
    X, _ = _data(n=80, k=3, seed=6, std=2.0)
    w = np.random.default_rng(0).integers(0, 4, 80)
    Xr = np.repeat(X, w, axis=0)
    start = np.flatnonzero(w)[:3]
    starts_r = (np.cumsum(w) - w)[start]
    a = KMedoids(3, method=method, init=start).fit(X, sample_weight=w)
    b = KMedoids(3, method=method, init=starts_r).fit(Xr)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-10)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert w[a.medoid_indices_].min() > 0


def test_zero_weight_samples_never_become_medoids():
    X, _ = _data(n=100, k=3, seed=7)
    w = np.ones(100)
    w[::2] = 0.0
    for method in ("pam", "fasterpam", "alternate", "clara"):
        for init in ("build", "k-medoids++", "random"):
            km = KMedoids(3, method=method, init=init, random_state=0).fit(X, sample_weight=w)
            assert (w[km.medoid_indices_] > 0).all(), (method, init)


def test_clara_never_builds_the_full_matrix(monkeypatch):
    X, _ = _data(n=3000, d=2, k=5, seed=8)
    sizes = []
    real = kmedoids_module.select_backend(X).kernels.distance_matrix

    def spy(XT, code, out):
        sizes.append(out.shape)
        real(XT, code, out)

    monkeypatch.setattr(kmedoids_module.select_backend(X).kernels, "distance_matrix", spy)
    km = KMedoids(5, method="clara", random_state=0, sample_size=100).fit(X)
    assert sizes and max(s[0] for s in sizes) == 100
    full = KMedoids(5, method="fasterpam", init="build").fit(X)
    assert km.inertia_ <= full.inertia_ * 1.05


def test_clara_with_the_whole_data_as_sample_is_pam():
    X, _ = _data(n=60, k=3, seed=9, std=2.0)
    a = KMedoids(3, method="clara", init="build", sample_size=60).fit(X)
    b = KMedoids(3, method="pam", init="build").fit(X)
    assert sorted(a.medoid_indices_) == sorted(b.medoid_indices_)


def test_one_cluster_is_the_exact_medoid():
    X, _ = _data(n=90, k=3, seed=10)
    D = cdist(X, X)
    for method in ("pam", "fasterpam", "alternate", "clara"):
        km = KMedoids(1, method=method, random_state=0, sample_size=90).fit(X)
        assert km.medoid_indices_[0] == int(D.sum(axis=0).argmin())


def test_identical_rows_are_refused_and_duplicates_warn():
    with pytest.raises(ValueError, match="identical"):
        KMedoids(3).fit(np.ones((10, 2)))
    with pytest.raises(ValueError, match="identical"):
        KMedoids(3, metric="precomputed").fit(np.zeros((10, 10)))
    X = np.repeat([[0.0, 0.0], [5.0, 5.0]], 5, axis=0)
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        km = KMedoids(3, random_state=0).fit(X)
    assert km.inertia_ == 0.0
    assert np.unique(km.medoid_indices_).shape[0] == 3


def test_input_is_not_modified():
    X, _ = _data(n=100, k=3, seed=11)
    X0 = X.copy()
    w = np.ones(100)
    KMedoids(3, metric="cosine", random_state=0).fit(X, sample_weight=w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(w, 1.0)


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({"n_clusters": 20}, np.random.default_rng(0).random((10, 2)), "n_clusters=20"),
        ({"metric": "chebyshev"}, np.random.default_rng(0).random((10, 2)), "metric="),
        ({"method": "clarans"}, np.random.default_rng(0).random((10, 2)), "method="),
        ({"init": "heuristic"}, np.random.default_rng(0).random((10, 2)), "init="),
        ({"max_iter": 0}, np.random.default_rng(0).random((10, 2)), "max_iter=0"),
        ({"n_clusters": 2, "init": [0, 0]}, np.random.default_rng(0).random((10, 2)),
         "distinct"),
        ({"n_clusters": 2, "init": [0, 10]}, np.random.default_rng(0).random((10, 2)),
         r"\[0, 10\)"),
        ({"n_clusters": 2, "init": np.zeros((2, 3))}, np.random.default_rng(0).random((10, 2)),
         "shape"),
        ({"n_clusters": 2, "method": "clara", "init": [0, 1]},
         np.random.default_rng(0).random((10, 2)), "clara"),
        ({"metric": "precomputed", "n_clusters": 2}, np.random.default_rng(0).random((10, 3)),
         "square"),
        ({"metric": "precomputed", "n_clusters": 2}, np.random.default_rng(0).random((10, 10)),
         "symmetric"),
        ({"metric": "precomputed", "n_clusters": 2}, -np.ones((4, 4)), "negative"),
        ({"n_clusters": 2}, np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), "NaN"),
        ({"n_clusters": 2}, np.array([["a", "b"], ["c", "d"]]), "string"),
        ({"n_clusters": 1}, np.array([[1.0, 2.0]]), "n_samples=1"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly(params, X, match):
    with pytest.raises(ValueError, match=match):
        KMedoids(**params).fit(X)


def test_zero_weights_leave_too_few_candidates():
    X = np.random.default_rng(0).random((6, 2))
    with pytest.raises(ValueError, match="positive weight"):
        KMedoids(3).fit(X, sample_weight=[1, 1, 0, 0, 0, 0])


def test_wrong_features_at_predict():
    X, _ = _data(n=50, k=3)
    km = KMedoids(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        km.predict(X[:, :2])


def test_same_seed_same_result():
    X, _ = _data(n=400, k=5, seed=12, std=2.0)
    for method in ("fasterpam", "alternate", "clara"):
        a = KMedoids(5, method=method, random_state=3).fit(X)
        b = KMedoids(5, method=method, random_state=3).fit(X)
        np.testing.assert_array_equal(a.medoid_indices_, b.medoid_indices_)
