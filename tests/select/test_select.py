from __future__ import annotations

import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs

from shoal import GaussianMixture, KMeans, SpectralClustering
from shoal.select import SelectionResult, elbow_point, select_k


def _blobs(k=4, n=400, seed=0):
    return make_blobs(n, centers=k, n_features=2, cluster_std=0.6, center_box=(-15, 15),
                      random_state=seed)  # fmt: skip


@pytest.mark.parametrize("method", ["elbow", "silhouette", "calinski_harabasz",
                                    "davies_bouldin", "gap", "stability"])  # fmt: skip
@pytest.mark.parametrize("k", [3, 4])
def test_every_criterion_finds_well_separated_blobs(method, k):
    X, _ = _blobs(k, seed={3: 3, 4: 7}[k])  # nearest centres 9.8 and 11.0 apart (std 0.6)
    res = select_k(KMeans(random_state=0, n_init=3), X, range(2, 8), method, n_refs=5,
                   n_boot=4, random_state=0)  # fmt: skip
    assert res.k == k, res.scores
    assert res.chosen == {method: k}
    assert res.best_estimator.n_clusters == k
    assert len(res.table()) == 6 and res.table()[0]["k"] == 2


def test_mixture_criteria_and_auto():
    X, _ = _blobs(4, seed=1)
    gm = GaussianMixture(random_state=0)
    for m in ("bic", "aic", "icl"):
        assert select_k(gm, X, range(1, 8), m).k == 4
    res = select_k(KMeans(random_state=0), X, range(2, 9))
    assert res.k == 4 and res.method == "auto"
    assert set(res.chosen) == {"elbow", "silhouette", "calinski_harabasz", "davies_bouldin"}
    assert res.explanation.startswith("k=4: chosen by")
    auto_gm = select_k(gm, X, range(2, 8))
    assert "bic" in auto_gm.chosen and auto_gm.k == 4


def test_any_estimator_and_eigengap():
    X, _ = _blobs(3, seed=2)
    res = select_k(SKKMeans(n_init=3, random_state=0), X, range(2, 7), "silhouette")
    assert res.k == 3 and isinstance(res, SelectionResult)
    sc = SpectralClustering(affinity="rbf", gamma=0.5, random_state=0)
    assert select_k(sc, X, range(2, 8), "eigengap").k == 3
    with pytest.raises(ValueError, match="eigengap"):
        select_k(KMeans(), X, range(2, 5), "eigengap")


def test_elbow_point_by_hand():
    # Inertia falls steeply to k=3, then slowly: the chord from (2, 100) to (6, 0) is furthest
    # above the curve at k=3.
    assert elbow_point([2, 3, 4, 5, 6], [100.0, 20.0, 12.0, 6.0, 0.0]) == 3
    assert elbow_point([2, 3, 4], [5.0, 5.0, 5.0]) == 2


def test_estimator_left_alone_and_bad_input():
    X, _ = _blobs(3)
    km = KMeans(random_state=0)
    select_k(km, X, range(2, 5), "silhouette")
    assert not hasattr(km, "labels_") and km.n_clusters == 8
    with pytest.raises(ValueError, match="method"):
        select_k(km, X, range(2, 5), "magic")
    with pytest.raises(ValueError, match="k_range"):
        select_k(km, X, [3])
    with pytest.raises(ValueError, match="k_range"):
        select_k(km, X, range(2, 1000))
    with pytest.raises(ValueError, match="bic"):
        select_k(km, X, range(2, 4), "bic")
