from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.cluster import OPTICS as SKOPTICS
from sklearn.cluster import cluster_optics_dbscan as sk_cluster_optics_dbscan
from sklearn.cluster import cluster_optics_xi as sk_cluster_optics_xi

from shoal import DBSCAN, OPTICS
from shoal.density import cluster_optics_dbscan, cluster_optics_xi


def _data(n=1500, d=2, seed=0, k=5):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-8, 8, (k, d))
    scales = rng.uniform(0.2, 1.0, k)
    y = rng.integers(0, k, n)
    X = centers[y] + scales[y, None] * rng.standard_normal((n, d))
    return np.vstack([X, rng.uniform(-10, 10, (n // 20, d))])


def _same_graph(ours, ref):
    np.testing.assert_array_equal(ours.ordering_, ref.ordering_)
    np.testing.assert_allclose(ours.reachability_, ref.reachability_, rtol=1e-10)
    np.testing.assert_allclose(ours.core_distances_, ref.core_distances_, rtol=1e-10)
    np.testing.assert_array_equal(ours.predecessor_, ref.predecessor_)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


def test_hand_example():
    X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]], dtype=float)
    op = OPTICS(min_samples=2).fit(X)
    assert op.labels_.tolist() == [0, 0, 0, 1, 1, 1]
    assert op.ordering_.tolist() == [0, 1, 2, 5, 3, 4]
    np.testing.assert_allclose(op.core_distances_, [np.sqrt(10), np.sqrt(2), np.sqrt(2), 1, 1,
                                                    np.sqrt(17)])  # fmt: skip


# Every combination runs in the slow set; the default run keeps a Latin square of them (each
# dimension, min_samples and max_eps value appears), since scikit-learn's OPTICS takes seconds
# per case.
_DEFAULT_CASES = {(2, 3, np.inf), (3, 10, 2.0), (6, 0.02, 0.7), (2, 10, 0.7), (3, 0.02, np.inf),
                  (6, 3, 2.0)}  # fmt: skip


@pytest.mark.parametrize(
    ("d", "min_samples", "max_eps"),
    [pytest.param(d, m, e, marks=() if (d, m, e) in _DEFAULT_CASES else pytest.mark.slow)
     for d in (2, 3, 6) for m in (3, 10, 0.02) for e in (np.inf, 2.0, 0.7)],
)  # fmt: skip
def test_equals_scikit_learn(max_eps, min_samples, d):
    X = _data(n=1200, d=d, seed=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SKOPTICS(min_samples=min_samples, max_eps=max_eps).fit(X)
        ours = OPTICS(min_samples=min_samples, max_eps=max_eps).fit(X)
    _same_graph(ours, ref)
    np.testing.assert_array_equal(ours.cluster_hierarchy_, ref.cluster_hierarchy_)


@pytest.mark.parametrize(("xi", "mcs", "corr"), [(0.01, None, True), (0.1, 20, False),
                                                   (0.3, 0.05, True)])  # fmt: skip
def test_xi_extraction_equals_scikit_learn(xi, mcs, corr):
    X = _data(n=2000, seed=11)
    ref = SKOPTICS(min_samples=8, xi=xi, min_cluster_size=mcs, predecessor_correction=corr)
    ref.fit(X)
    ours = OPTICS(min_samples=8, xi=xi, min_cluster_size=mcs, predecessor_correction=corr).fit(X)
    _same_graph(ours, ref)
    np.testing.assert_array_equal(ours.cluster_hierarchy_, ref.cluster_hierarchy_)
    labels, clusters = cluster_optics_xi(reachability=ref.reachability_,
                                         predecessor=ref.predecessor_, ordering=ref.ordering_,
                                         min_samples=8, xi=0.2)  # fmt: skip
    ref_labels, ref_clusters = sk_cluster_optics_xi(reachability=ref.reachability_,
                                                    predecessor=ref.predecessor_,
                                                    ordering=ref.ordering_, min_samples=8,
                                                    xi=0.2)  # fmt: skip
    np.testing.assert_array_equal(labels, ref_labels)
    np.testing.assert_array_equal(clusters, ref_clusters)


def test_euclidean_name_matches_up_to_scikit_learns_rounding():
    """With metric='euclidean' scikit-learn measures by the norm expansion (errors ~1e-8), so
    near-ties in the ordering may fall the other way; the plot and the clusters agree."""
    from sklearn.metrics import adjusted_rand_score

    X = _data(n=800, d=3, seed=4)
    ours = OPTICS(min_samples=6, metric="euclidean").fit(X)
    ref = SKOPTICS(min_samples=6, metric="euclidean").fit(X)
    np.testing.assert_allclose(ours.core_distances_, ref.core_distances_, rtol=1e-10)
    finite = np.isfinite(ref.reachability_)
    assert np.isfinite(ours.reachability_).sum() == finite.sum()
    assert np.mean(ours.reachability_[np.isfinite(ours.reachability_)]) == pytest.approx(
        np.mean(ref.reachability_[finite]), rel=1e-3
    )
    assert adjusted_rand_score(ref.labels_, ours.labels_) > 0.95


@pytest.mark.parametrize("metric", ["manhattan", "chebyshev", "minkowski"])
def test_other_metrics_and_p(metric):
    X = _data(n=800, d=3, seed=4)
    _same_graph(OPTICS(min_samples=6, metric=metric).fit(X),
                SKOPTICS(min_samples=6, metric=metric).fit(X))  # fmt: skip
    _same_graph(OPTICS(min_samples=6, p=3).fit(X), SKOPTICS(min_samples=6, p=3).fit(X))


def test_precomputed():
    X = _data(n=700, seed=5)
    D = cdist(X, X)
    _same_graph(OPTICS(min_samples=7, metric="precomputed").fit(D),
                SKOPTICS(min_samples=7, metric="precomputed").fit(D))  # fmt: skip
    _same_graph(OPTICS(min_samples=7, metric="precomputed", max_eps=1.5).fit(D),
                SKOPTICS(min_samples=7, metric="precomputed", max_eps=1.5).fit(D))  # fmt: skip


@pytest.mark.parametrize("eps", [0.3, 0.6, 1.2])
def test_dbscan_extraction_at_any_eps(eps):
    X = _data(n=1500, seed=6)
    op = OPTICS(min_samples=6, max_eps=2.0).fit(X)
    ref = SKOPTICS(min_samples=6, max_eps=2.0, cluster_method="dbscan", eps=eps).fit(X)
    np.testing.assert_array_equal(op.extract_dbscan(eps), ref.labels_)
    ref2 = sk_cluster_optics_dbscan(reachability=op.reachability_,
                                    core_distances=op.core_distances_, ordering=op.ordering_,
                                    eps=eps)  # fmt: skip
    np.testing.assert_array_equal(
        cluster_optics_dbscan(reachability=op.reachability_, core_distances=op.core_distances_,
                              ordering=op.ordering_, eps=eps), ref2)  # fmt: skip
    # Core samples get exactly DBSCAN's partition.
    db = DBSCAN(eps=eps, min_samples=6).fit(X)
    core = db.core_sample_indices_
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(db.labels_[core], op.extract_dbscan(eps)[core]) == 1.0
    assert (op.extract_dbscan(eps)[core] >= 0).all()


def test_float32_input_and_unchanged_input():
    X = _data(n=600, seed=7).astype(np.float32)
    X0 = X.copy()
    ours = OPTICS(min_samples=5).fit(X)
    _same_graph(ours, SKOPTICS(min_samples=5).fit(X))
    np.testing.assert_array_equal(X, X0)


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({"min_samples": 0}, np.random.default_rng(0).random((10, 2)), "min_samples"),
        ({"min_samples": 20}, np.random.default_rng(0).random((10, 2)), "min_samples=20"),
        ({"max_eps": 0.0}, np.random.default_rng(0).random((10, 2)), "max_eps"),
        ({"xi": 1.5}, np.random.default_rng(0).random((10, 2)), "xi=1.5"),
        ({"cluster_method": "hdbscan"}, np.random.default_rng(0).random((10, 2)),
         "cluster_method"),
        ({"eps": 2.0, "max_eps": 1.0}, np.random.default_rng(0).random((10, 2)), "eps=2.0"),
        ({}, np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]), "NaN"),
        ({"min_samples": 2}, np.ones((10, 2)), "identical"),
        ({"metric": "precomputed"}, np.random.default_rng(0).random((10, 3)), "square"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly(params, X, match):
    with pytest.raises(ValueError, match=match):
        OPTICS(**params).fit(X)
