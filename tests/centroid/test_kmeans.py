from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.metrics import adjusted_rand_score

from shoal import KMeans, kmeans_plusplus

ALGOS = ["lloyd", "elkan", "hamerly"]


def _data(n=2000, d=6, k=8, seed=0, std=2.0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centers[y] + std * rng.standard_normal((n, d))


@pytest.mark.parametrize("algorithm", ALGOS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_same_init_parity_with_sklearn(algorithm, dtype, weighted):
    X = _data().astype(dtype)
    rng = np.random.default_rng(1)
    w = rng.uniform(0.5, 2.0, X.shape[0]).astype(dtype) if weighted else None
    init = X[rng.choice(X.shape[0], 8, replace=False)]
    ours = KMeans(8, init=init, n_init=1, algorithm=algorithm, tol=0, max_iter=100)
    ours.fit(X, sample_weight=w)
    ref = SKKMeans(8, init=init, n_init=1, algorithm="lloyd", tol=0, max_iter=100)
    ref.fit(X, sample_weight=w)
    assert adjusted_rand_score(ours.labels_, ref.labels_) == 1.0
    assert np.array_equal(ours.labels_, ref.labels_)
    rtol = 1e-6 if dtype == np.float64 else 1e-4
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=rtol)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=rtol, atol=rtol)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.cluster_centers_.dtype == dtype


@pytest.mark.parametrize("algorithm", ALGOS)
def test_parity_with_tolerance_and_few_iterations(algorithm):
    X = _data(n=3000, d=5, k=20, std=4.0, seed=3)
    init = X[:20].copy()
    for max_iter, tol in [(3, 0.0), (300, 1e-4)]:
        ours = KMeans(20, init=init, n_init=1, algorithm=algorithm, tol=tol, max_iter=max_iter)
        ref = SKKMeans(20, init=init, n_init=1, tol=tol, max_iter=max_iter).fit(X)
        ours.fit(X)
        assert np.array_equal(ours.labels_, ref.labels_)
        assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)
        assert ours.n_iter_ == ref.n_iter_


def test_seven_point_worked_example():
    # The seeds' 7 individuals, k=2 starting from the two farthest individuals (1 and 4).
    X = np.array(
        [[1.0, 1.0], [1.5, 2.0], [3.0, 4.0], [5.0, 7.0], [3.5, 5.0], [4.5, 5.0], [3.5, 4.5]]
    )
    for algorithm in ALGOS:
        km = KMeans(2, init=X[[0, 3]], n_init=1, algorithm=algorithm).fit(X)
        assert km.labels_.tolist() == [0, 0, 1, 1, 1, 1, 1]
        np.testing.assert_allclose(km.cluster_centers_, [[1.25, 1.5], [3.9, 5.1]])
        # By hand: {A, B} around (1.25, 1.5): 2 * (0.25^2 + 0.5^2) = 0.625;
        # {C..G} around (3.9, 5.1): x part 2.7 + y part 5.2 = 7.9; total 8.525.
        assert km.inertia_ == pytest.approx(8.525)


def test_empty_cluster_is_relocated():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [10.0, 10.0], [10.1, 10.0], [50.0, 50.0]])
    # The third centre is far from every sample: its cluster is empty after the first step.
    init = np.array([[0.0, 0.0], [10.0, 10.0], [1000.0, 1000.0]])
    for algorithm in ALGOS:
        km = KMeans(3, init=init, n_init=1, algorithm=algorithm).fit(X)
        ref = SKKMeans(3, init=init, n_init=1).fit(X)
        assert np.bincount(km.labels_, minlength=3).min() >= 1
        assert adjusted_rand_score(km.labels_, ref.labels_) == 1.0
        assert km.inertia_ == pytest.approx(ref.inertia_)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_predict_transform_score_match_fit(algorithm):
    X = _data(seed=5)
    km = KMeans(8, random_state=0, algorithm=algorithm).fit(X)
    assert np.array_equal(km.predict(X), km.labels_)
    D = km.transform(X)
    assert D.shape == (X.shape[0], 8)
    assert np.array_equal(D.argmin(axis=1), km.labels_)
    np.testing.assert_allclose(D, np.linalg.norm(X[:, None] - km.cluster_centers_, axis=2))
    assert km.score(X) == pytest.approx(-km.inertia_, rel=1e-9)
    assert np.array_equal(KMeans(8, random_state=0).fit_predict(X), km.labels_)
    np.testing.assert_allclose(KMeans(8, random_state=0).fit_transform(X), D)


def test_kmeans_plusplus_first_center_and_distinct():
    X = _data(n=500, d=3, k=5, seed=2)
    centers, idx = kmeans_plusplus(X, 5, random_state=0)
    assert len(set(idx.tolist())) == 5
    np.testing.assert_array_equal(centers, X[idx])
    # Weight zero samples are never chosen.
    w = np.zeros(X.shape[0])
    w[:50] = 1.0
    _, idx = kmeans_plusplus(X, 5, sample_weight=w, random_state=0)
    assert np.all(idx < 50)


def _greedy_kmeanspp_reference(X, k, seed):
    """Brute-force greedy k-means++ in float64 with exact differences and the same draws."""
    trials = 2 + int(np.log(k))
    rng = np.random.RandomState(seed)
    n = X.shape[0]
    first = rng.choice(n, p=np.full(n, 1.0 / n))
    chosen = [int(first)]
    closest = ((X - X[first]) ** 2).sum(1)
    for _ in range(1, k):
        total = closest.sum()
        u = rng.uniform(size=trials) * total
        cand = np.searchsorted(np.cumsum(closest), u, side="right")
        cand = np.minimum(cand, n - 1)
        d = ((X[None, :, :] - X[cand][:, None, :]) ** 2).sum(2)
        pots = np.minimum(closest[None, :], d).sum(1)
        b = int(np.argmin(pots))
        chosen.append(int(cand[b]))
        closest = np.minimum(closest, d[b])
    return chosen


def test_kmeans_plusplus_matches_unpruned_greedy_reference():
    # The pruning and the float32 working copy must not change a choice.
    X = _data(n=400, d=3, k=6, seed=4)
    _, idx = kmeans_plusplus(X, 6, random_state=7)
    assert idx.tolist() == _greedy_kmeanspp_reference(X, 6, 7)
    X = _data(n=3000, d=16, k=40, seed=5, std=4.0)
    for seed in range(3):
        _, idx = kmeans_plusplus(X, 40, random_state=seed)
        assert idx.tolist() == _greedy_kmeanspp_reference(X, 40, seed)


def test_kmeans_plusplus_switches_to_float64_when_float32_is_too_coarse():
    # Clusters of radius 1e-3 spread over +-1e4: float32 rounds distances by ~1e-3, as much as
    # the within-cluster distances that decide the later draws. The seeding must notice and
    # finish in float64, choosing exactly what the float64 reference chooses.
    rng = np.random.default_rng(0)
    C = rng.uniform(-1e4, 1e4, (10, 2))
    X = C[rng.integers(0, 10, 3000)] + 1e-3 * rng.standard_normal((3000, 2))
    for seed in range(5):
        _, idx = kmeans_plusplus(X, 30, random_state=seed)
        assert idx.tolist() == _greedy_kmeanspp_reference(X, 30, seed)


def test_kmeans_plusplus_quality_not_worse_than_sklearn():
    # Inertia after convergence, averaged over 10 seeds, on overlapping blobs.
    X = _data(n=3000, d=8, k=25, seed=11, std=3.0)
    ours, ref = [], []
    for seed in range(10):
        ours.append(KMeans(25, random_state=seed, n_init=1).fit(X).inertia_)
        ref.append(SKKMeans(25, random_state=seed, n_init=1).fit(X).inertia_)
    assert np.mean(ours) <= np.mean(ref) * 1.01


def test_random_init_and_n_init_auto():
    X = _data(seed=6)
    km = KMeans(8, init="random", random_state=0).fit(X)
    ref = SKKMeans(8, init="random", random_state=0).fit(X)
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=0.05)
    assert adjusted_rand_score(km.labels_, ref.labels_) > 0.9


def test_callable_init_and_array_init_warning():
    X = _data(seed=7)

    def first_rows(X, k, random_state):
        return X[:k]

    km = KMeans(8, init=first_rows, n_init=1).fit(X)
    assert km.cluster_centers_.shape == (8, X.shape[1])
    with pytest.warns(RuntimeWarning, match="n_init=3"):
        KMeans(8, init=X[:8], n_init=3).fit(X)


def test_spherical_kmeans_unit_centres_and_cosine_inertia():
    rng = np.random.default_rng(0)
    dirs = rng.standard_normal((4, 10))
    y = rng.integers(0, 4, 800)
    X = (dirs[y] + 0.2 * rng.standard_normal((800, 10))) * rng.uniform(0.5, 5, (800, 1))
    km = KMeans(4, metric="cosine", random_state=0).fit(X)
    np.testing.assert_allclose(np.linalg.norm(km.cluster_centers_, axis=1), 1.0)
    assert adjusted_rand_score(km.labels_, y) > 0.99
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    cos = (U * km.cluster_centers_[km.labels_]).sum(1)
    assert km.inertia_ == pytest.approx((1 - cos).sum(), rel=1e-6)
    # Each sample's label is its most similar centre.
    assert np.array_equal(km.labels_, (U @ km.cluster_centers_.T).argmax(1))
    with pytest.raises(ValueError, match="zero row"):
        KMeans(2, metric="cosine").fit(np.vstack([X[:5], np.zeros((1, 10))]))


def test_float32_stays_float32():
    X = _data().astype(np.float32)
    km = KMeans(8, random_state=0).fit(X)
    assert km.cluster_centers_.dtype == np.float32
    assert km.transform(X).dtype == np.float32
    assert km.labels_.dtype == np.int64


def test_input_not_modified_and_copy_x_false_restores():
    X = _data()
    before = X.copy()
    KMeans(8, random_state=0).fit(X)
    assert np.array_equal(X, before)
    KMeans(8, random_state=0, copy_x=False).fit(X)
    np.testing.assert_allclose(X, before, rtol=0, atol=1e-12)


def test_sample_weight_equals_repetition():
    X = _data(n=300, seed=8)
    rep = np.random.default_rng(0).integers(1, 4, X.shape[0])
    init = X[:8]
    a = KMeans(8, init=init, n_init=1, tol=0).fit(X, sample_weight=rep)
    b = KMeans(8, init=init, n_init=1, tol=0).fit(np.repeat(X, rep, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-10)
    assert a.inertia_ == pytest.approx(b.inertia_)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_clusters": 0}, "n_clusters=0 must be >= 1"),
        ({"n_clusters": 20}, "n_clusters=20 must be <= n_samples=10"),
        ({"n_clusters": 2.5}, "n_clusters=2.5 must be an integer"),
        ({"init": "kmeans"}, "init='kmeans' is not valid"),
        ({"n_init": 0}, "n_init=0 must be >= 1"),
        ({"max_iter": -1}, "max_iter=-1 must be >= 1"),
        ({"tol": -0.1}, "tol=-0.1 must be >= 0"),
        ({"algorithm": "fast"}, "algorithm='fast' is not valid"),
        ({"metric": "manhattan"}, "metric='manhattan' is not valid"),
        ({"init": np.zeros((3, 2))}, "does not match the number of clusters"),
    ],
)
def test_bad_parameters(params, match):
    X = np.random.default_rng(0).standard_normal((10, 2))
    params = {"n_clusters": 2, **params}
    with pytest.raises((ValueError, TypeError), match=match):
        KMeans(**params).fit(X)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([[1.0, np.nan], [2.0, 3.0], [1.0, 1.0]]), "NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0], [1.0, 1.0]]), "infinity"),
        (np.empty((0, 3)), "empty"),
        (np.array([[1.0, 2.0]]), "n_samples=1"),
        (np.array([1.0, 2.0, 3.0]), "2-D"),
        (np.array([["a", "b"], ["c", "d"]]), "numeric"),
        (np.array([[1 + 1j, 2], [3, 4]]), "Complex"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        KMeans(2).fit(X)


def test_predict_wrong_n_features():
    X = _data(d=4)
    km = KMeans(3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 4"):
        km.predict(X[:, :3])


def test_fewer_distinct_points_than_clusters_warns():
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        KMeans(3, random_state=0).fit(X)
