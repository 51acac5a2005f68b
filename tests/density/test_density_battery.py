"""Density family on the benchmark battery (../shared/datasets; skipped when absent), slow.

DBSCAN: labels identical to scikit-learn's with ``eps`` at the k-distance knee. HDBSCAN:
against the hdbscan package (exact tree) with min_samples=2 in scikit-learn's convention (1 in
hdbscan's), where the minimum spanning tree has no tied weights ("ties aside"): ARI >= 0.999
and probabilities / GLOSH scores within 1e-6.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _battery import DATASETS, load_battery
from sklearn.cluster import DBSCAN as SKDBSCAN
from sklearn.metrics import adjusted_rand_score

from shoal import DBSCAN, HDBSCAN, k_distance


def _sets(max_n: int) -> list[tuple[str, np.ndarray]]:
    out = []
    for f in sorted(DATASETS.glob("*/*.data.gz")):
        X, _ = load_battery(f.parent.name, f.name.removesuffix(".data.gz"))
        if X.shape[0] <= max_n and np.unique(X, axis=0).shape[0] > 20:
            out.append((f.name, X))
    if not out:
        pytest.skip(f"benchmark battery not found at {DATASETS}")
    return out


@pytest.mark.slow
def test_dbscan_equals_scikit_learn_on_the_battery():
    checked = 0
    for name, X in _sets(20_000):
        k = 2 * X.shape[1]
        eps = k_distance(X, k=k).eps
        if not eps > 0:
            continue
        ours = DBSCAN(eps=eps, min_samples=k).fit(X)
        ref = SKDBSCAN(eps=eps, min_samples=k).fit(X)
        np.testing.assert_array_equal(ours.labels_, ref.labels_, err_msg=name)
        checked += 1
    assert checked >= 20


@pytest.mark.slow
def test_hdbscan_equals_the_hdbscan_package_on_the_battery():
    import hdbscan

    checked = 0
    for name, X in _sets(10_000):
        X = np.unique(X, axis=0)  # duplicates make zero-weight ties
        ours = HDBSCAN(min_cluster_size=10, min_samples=2).fit(X)
        w = ours.minimum_spanning_tree_[:, 2]
        if np.unique(w).size != w.size:
            continue  # ties: the tree is not unique
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = hdbscan.HDBSCAN(min_cluster_size=10, min_samples=1,
                                  approx_min_span_tree=False).fit(X)  # fmt: skip
        assert adjusted_rand_score(ref.labels_, ours.labels_) >= 0.999, name
        np.testing.assert_allclose(ours.probabilities_, ref.probabilities_, atol=1e-6,
                                   err_msg=name)  # fmt: skip
        np.testing.assert_allclose(ours.outlier_scores_, ref.outlier_scores_, atol=1e-6,
                                   err_msg=name)  # fmt: skip
        checked += 1
    assert checked >= 10
