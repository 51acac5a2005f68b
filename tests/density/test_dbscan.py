from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial.distance import cdist
from sklearn.cluster import DBSCAN as SKDBSCAN
from sklearn.neighbors import radius_neighbors_graph

from shoal import DBSCAN, dbscan, k_distance
from shoal.density import knee_point


def _blobs(n=3000, d=2, k=6, seed=0, noise=0.1, std=0.4):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-6, 6, (k, d))
    X = centers[rng.integers(0, k, n)] + std * rng.standard_normal((n, d))
    m = int(noise * n)
    return np.vstack([X, rng.uniform(-8, 8, (m, d))])


def _same(ours, ref):
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_array_equal(ours.core_sample_indices_, ref.core_sample_indices_)


def test_hand_example():
    X = np.array([[1, 2], [2, 2], [2, 3], [8, 7], [8, 8], [25, 80]], dtype=float)
    db = DBSCAN(eps=3, min_samples=2).fit(X)
    assert db.labels_.tolist() == [0, 0, 0, 1, 1, -1]
    assert db.core_sample_indices_.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(db.components_, X[:5])


def test_border_point_joins_the_lower_numbered_cluster():
    # Two cores groups; sample 6 is within eps of a core of each, but core of neither.
    X = np.array([[0.0], [0.1], [0.2], [2.0], [2.1], [2.2], [1.1]])
    ours = DBSCAN(eps=0.95, min_samples=3).fit(X)
    ref = SKDBSCAN(eps=0.95, min_samples=3).fit(X)
    _same(ours, ref)
    assert ours.labels_[6] == 0
    perm = np.array([3, 4, 5, 6, 0, 1, 2])  # now the right-hand group is numbered first
    ours = DBSCAN(eps=0.95, min_samples=3).fit(X[perm])
    _same(ours, SKDBSCAN(eps=0.95, min_samples=3).fit(X[perm]))
    assert ours.labels_[3] == 0


@pytest.mark.parametrize("algorithm", ["auto", "grid", "kd_tree", "brute"])
@pytest.mark.parametrize(("d", "eps"), [(1, 0.05), (2, 0.25), (3, 0.4)])
@pytest.mark.parametrize("min_samples", [1, 5, 12])
def test_equals_scikit_learn_low_dimensions(algorithm, d, eps, min_samples):
    X = _blobs(n=2000, d=d, seed=d + min_samples)
    ours = DBSCAN(eps=eps, min_samples=min_samples, algorithm=algorithm).fit(X)
    _same(ours, SKDBSCAN(eps=eps, min_samples=min_samples).fit(X))


@pytest.mark.parametrize(("d", "eps"), [(5, 0.8), (8, 1.1), (24, 2.2)])
def test_equals_scikit_learn_higher_dimensions(d, eps):
    X = _blobs(n=2000, d=d, seed=d)
    ours = DBSCAN(eps=eps, min_samples=5).fit(X)
    assert ours.algorithm_ == ("kd_tree" if d <= 16 else "brute")
    _same(ours, SKDBSCAN(eps=eps, min_samples=5).fit(X))


@pytest.mark.parametrize(
    ("metric", "eps", "kw"),
    [("manhattan", 0.35, {}), ("chebyshev", 0.2, {}), ("minkowski", 0.25, {"p": 3}),
     ("minkowski", 0.3, {"metric_params": {"p": 1.5}}), ("cosine", 0.002, {}),
     ("sqeuclidean", 0.06, {}), ("l1", 0.35, {}), ("cityblock", 0.35, {})],
)  # fmt: skip
@pytest.mark.parametrize("algorithm", ["auto", "kd_tree", "brute"])
def test_equals_scikit_learn_other_metrics(metric, eps, kw, algorithm):
    X = _blobs(n=1500, d=3, seed=3) + 10.0  # away from the origin for cosine
    ours = DBSCAN(eps=eps, min_samples=4, metric=metric, algorithm=algorithm, **kw).fit(X)
    _same(ours, SKDBSCAN(eps=eps, min_samples=4, metric=metric, **kw).fit(X))


def test_float32_and_weights():
    X = _blobs(n=2000, d=2, seed=5)
    w = np.random.default_rng(0).uniform(0, 3, X.shape[0])
    ours = DBSCAN(eps=0.2, min_samples=6).fit(X.astype(np.float32), sample_weight=w)
    ref = SKDBSCAN(eps=0.2, min_samples=6).fit(X.astype(np.float32), sample_weight=w)
    _same(ours, ref)
    assert ours.components_.dtype == np.float32


def test_precomputed_dense_and_sparse():
    X = _blobs(n=800, d=2, seed=6)
    D = cdist(X, X)
    ref = SKDBSCAN(eps=0.3, min_samples=5).fit(X)
    _same(DBSCAN(eps=0.3, min_samples=5, metric="precomputed").fit(D), ref)
    G = radius_neighbors_graph(X, 0.45, mode="distance")  # stored entries only, no diagonal
    ours = DBSCAN(eps=0.3, min_samples=5, metric="precomputed").fit(G)
    _same(ours, SKDBSCAN(eps=0.3, min_samples=5, metric="precomputed").fit(G))
    _same(ours, ref)
    # A sparse graph missing some pairs: only stored entries are neighbours.
    G2 = radius_neighbors_graph(X, 0.2, mode="distance")
    _same(DBSCAN(eps=0.3, min_samples=5, metric="precomputed").fit(sparse.csr_matrix(G2)),
          SKDBSCAN(eps=0.3, min_samples=5, metric="precomputed").fit(G2))  # fmt: skip


def test_function_api_and_fit_predict():
    X = _blobs(n=500, seed=7)
    core, labels = dbscan(X, eps=0.3, min_samples=5)
    est = DBSCAN(eps=0.3, min_samples=5)
    np.testing.assert_array_equal(est.fit_predict(X), labels)
    np.testing.assert_array_equal(est.core_sample_indices_, core)


def test_label_invariance_to_sample_order_up_to_renumbering():
    from sklearn.metrics import adjusted_rand_score

    X = _blobs(n=1500, seed=8, noise=0.0)
    perm = np.random.default_rng(1).permutation(X.shape[0])
    a = DBSCAN(eps=0.3, min_samples=3).fit(X).labels_
    b = DBSCAN(eps=0.3, min_samples=3).fit(X[perm]).labels_
    assert adjusted_rand_score(a[perm], b) == pytest.approx(1.0)


def test_input_not_modified():
    X = _blobs(n=300, seed=9)
    X0 = X.copy()
    DBSCAN(eps=0.3, metric="cosine").fit(X)
    np.testing.assert_array_equal(X, X0)


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({"eps": 0.0}, np.random.default_rng(0).random((10, 2)), "eps=0.0"),
        ({"eps": -1.0}, np.random.default_rng(0).random((10, 2)), "eps=-1.0"),
        ({"min_samples": 0}, np.random.default_rng(0).random((10, 2)), "min_samples=0"),
        ({"metric": "hamming"}, np.random.default_rng(0).random((10, 2)), "metric="),
        ({"metric": lambda a, b: 0.0}, np.random.default_rng(0).random((10, 2)), "callable"),
        ({"algorithm": "grid"}, np.random.default_rng(0).random((10, 5)), "at most 3"),
        ({"metric": "minkowski", "p": 0.5}, np.random.default_rng(0).random((10, 2)), "p=0.5"),
        ({}, np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN"),
        ({}, np.ones((10, 2)), "identical"),
        ({"metric": "precomputed"}, np.random.default_rng(0).random((10, 3)), "square"),
        ({"metric": "precomputed"}, -np.ones((3, 3)), "negative"),
        ({"metric": "cosine"}, np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 1.0]]), "zero"),
    ],
)
def test_bad_input_is_refused_clearly(params, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        DBSCAN(**params).fit(X)


@pytest.mark.parametrize(("d", "metric", "kw"), [(2, "euclidean", {}), (3, "manhattan", {}),
                                                  (5, "minkowski", {"p": 3}),
                                                  (20, "euclidean", {}), (4, "cosine", {}),
                                                  (3, "chebyshev", {})])  # fmt: skip
@pytest.mark.parametrize("k", [1, 5, 17])
def test_k_distance_equals_nearest_neighbours(d, metric, kw, k):
    from sklearn.neighbors import NearestNeighbors

    X = _blobs(n=1200, d=d, seed=k) + 3.0
    kd = k_distance(X, k=k, metric=metric, **kw)
    ref = NearestNeighbors(n_neighbors=k, metric=metric, **kw).fit(X).kneighbors(X)[0][:, -1]
    # atol: scikit-learn's brute force uses the norm expansion (self-distances ~1e-7, not 0)
    np.testing.assert_allclose(kd.distances, np.sort(ref), rtol=1e-9, atol=1e-5)
    assert kd.eps == kd.distances[kd.knee_index]


def test_k_distance_knee_gives_a_working_eps():
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 6.0]])
    y = rng.integers(0, 3, 1500)
    X = np.vstack([centers[y] + 0.3 * rng.standard_normal((1500, 2)), rng.uniform(-3, 8, (60, 2))])
    kd = k_distance(X, k=8)
    assert 0.05 < kd.eps < 1.0
    labels = DBSCAN(eps=kd.eps, min_samples=8).fit(X).labels_[:1500]
    assert adjusted_rand_score(y, labels) > 0.95


def test_knee_point_of_a_hockey_stick():
    y = np.concatenate([np.linspace(0, 1, 90), np.linspace(1, 50, 11)[1:]])
    assert 85 <= knee_point(y) <= 91
    assert knee_point(np.ones(10)) == 9


def test_k_distance_bad_input():
    X = np.random.default_rng(0).random((10, 2))
    with pytest.raises(ValueError, match="k=11"):
        k_distance(X, k=11)
    with pytest.raises(ValueError, match="metric="):
        k_distance(X, metric="precomputed")
    with pytest.raises(ValueError, match="NaN"):
        k_distance(np.array([[np.nan, 1.0]]))
