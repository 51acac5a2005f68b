"""Golden checks of what each figure draws (its data, not its pixels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.cluster.hierarchy import dendrogram as scipy_dendrogram
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA

from shoal import OPTICS, AgglomerativeClustering, KMeans, k_distance
from shoal.metrics import silhouette_score
from shoal.plot import (
    cluster_profiles,
    dendrogram_layout,
    plot_clusters,
    plot_dendrogram,
    plot_k_distance,
    plot_profiles,
    plot_reachability,
    plot_selection,
    plot_silhouette,
)
from shoal.select import select_k


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _blobs(n=200, d=2, k=3, seed=3):
    return make_blobs(n, centers=k, n_features=d, cluster_std=0.6, center_box=(-15, 15),
                      random_state=seed)[0]  # fmt: skip


def test_dendrogram_matches_scipy_layout():
    X = _blobs(12)
    Z = AgglomerativeClustering(2, linkage="average").fit(X).linkage_matrix_
    lay = dendrogram_layout(Z)
    ref = scipy_dendrogram(Z, no_plot=True)
    assert lay["order"].tolist() == ref["leaves"]
    # scipy places leaf i at x = 10 i + 5; the same U shapes, as sets.
    ours = {
        tuple(np.round(np.r_[10 * x + 5, y], 9)) for x, y in zip(lay["x"], lay["y"], strict=True)
    }
    theirs = {
        tuple(np.round(np.r_[x, y], 9)) for x, y in zip(ref["icoord"], ref["dcoord"], strict=True)
    }
    assert ours == theirs
    ax = plot_dendrogram(Z, cut=3.0)
    assert len(ax.lines) == 12  # 11 merges + the cut
    assert ax.lines[-1].get_ydata()[0] == 3.0


def test_dendrogram_by_hand():
    # Samples 0 and 1 merge at 1, 2 joins at 3: leaves 0, 1, 2 left to right.
    Z = np.array([[0, 1, 1.0, 2], [2, 3, 3.0, 3]])
    lay = dendrogram_layout(Z)
    assert lay["order"].tolist() == [2, 0, 1]
    np.testing.assert_array_equal(lay["x"], [[1, 1, 2, 2], [0, 0, 1.5, 1.5]])
    np.testing.assert_array_equal(lay["y"], [[0, 1, 1, 0], [0, 3, 3, 1]])


def test_selection_and_silhouette_plots():
    X = _blobs()
    res = select_k(KMeans(random_state=0), X, range(2, 6), ["elbow", "silhouette"])
    ax = plot_selection(res, "silhouette")
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 3, 4, 5])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), res.scores["silhouette"])
    assert ax.lines[1].get_xdata()[0] == res.chosen["silhouette"] == 3
    with pytest.raises(ValueError, match="criterion"):
        plot_selection(res, "gap")
    labels = KMeans(3, random_state=0).fit_predict(X)
    ax = plot_silhouette(X, labels)
    assert len(ax.collections) == 3
    assert ax.lines[0].get_xdata()[0] == pytest.approx(silhouette_score(X, labels))


def test_reachability_k_distance_clusters_profiles():
    X = _blobs(150, d=4)
    op = OPTICS(min_samples=5).fit(X)
    ax = plot_reachability(op)
    heights = np.array([p.get_height() for p in ax.patches])
    reach = op.reachability_[op.ordering_]
    finite = np.isfinite(reach)
    np.testing.assert_allclose(heights[finite], reach[finite])
    assert np.all(heights[~finite] == reach[finite].max())
    kd = k_distance(X, k=5)
    ax = plot_k_distance(kd)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), kd.distances)
    assert ax.lines[1].get_ydata()[0] == kd.eps
    km = KMeans(3, random_state=0).fit(X)
    ax = plot_clusters(X, km.labels_, km.cluster_centers_)
    P = ax.collections[0].get_offsets()
    ref = PCA(2).fit_transform(X)
    np.testing.assert_allclose(np.abs(P), np.abs(ref), atol=1e-8)  # PCA up to sign
    means, z = cluster_profiles(X, km.labels_)
    np.testing.assert_allclose(means[1], X[km.labels_ == 1].mean(axis=0))
    np.testing.assert_allclose(z, (means - X.mean(0)) / X.std(0))
    ax = plot_profiles(X, km.labels_, ["a", "b", "c", "d"])
    np.testing.assert_allclose(ax.images[0].get_array(), z)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
