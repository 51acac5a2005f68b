"""Golden checks for the BIC curves, Gaussian ellipses and the condensed-tree icicle plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.datasets import make_blobs

from shoal import HDBSCAN, GaussianMixture
from shoal.density._hdbscan_tree import CondensedTree
from shoal.plot import (
    condensed_tree_layout,
    full_covariances,
    gaussian_ellipses,
    plot_bic,
    plot_clusters,
    plot_condensed_tree,
)
from shoal.select import mixture_sweep


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _three(seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, s, (120, 2)) for c, s in (((-6, 0), 0.6), ((0, 5), 1.0),
                                                           ((6, 0), 0.4))])  # fmt: skip
    return X


def test_mixture_sweep_bic_values_and_choice():
    X = _three()
    s = mixture_sweep(X, range(1, 6), ("full", "diag", "spherical"), random_state=0)
    assert s.k == 3
    assert s.bic.shape == (3, 5)
    # Each cell is the BIC of that mixture fitted directly with the same seed.
    seed = s.best_estimator.random_state
    for t, ct in enumerate(s.covariance_types):
        gm = GaussianMixture(4, covariance_type=ct, random_state=seed).fit(X)
        assert s.bic[t, 3] == pytest.approx(gm.bic(X), rel=1e-12)
        assert s.aic[t, 3] == pytest.approx(gm.aic(X), rel=1e-12)
    assert s.bic[s.covariance_types.index(s.covariance_type), 2] == s.bic.min()
    assert len(s.table()) == 15
    ax = plot_bic(s)
    assert len(ax.lines) == 4
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), s.bic[1])
    assert ax.lines[-1].get_xdata()[0] == 3
    ax = plot_bic(s, "aic")
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), s.aic[0])


def test_mixture_sweep_bad_input():
    X = _three()
    with pytest.raises(ValueError, match="covariance_types"):
        mixture_sweep(X, range(1, 3), ("fulll",))
    with pytest.raises(ValueError, match="criterion='bix'"):
        mixture_sweep(X, range(1, 3), criterion="bix")
    with pytest.raises(ValueError, match="k_range"):
        mixture_sweep(X, range(0, 3))


@pytest.mark.parametrize("ct", ["full", "tied", "diag", "spherical"])
def test_full_covariances(ct):
    X = _three()
    gm = GaussianMixture(3, covariance_type=ct, random_state=0).fit(X)
    S = full_covariances(gm)
    assert S.shape == (3, 2, 2)
    # The expanded covariances give the same densities as the model's own.
    from scipy.stats import multivariate_normal

    dens = sum(w * multivariate_normal(m, c).pdf(X[:5])
               for w, m, c in zip(gm.weights_, gm.means_, S, strict=True))  # fmt: skip
    np.testing.assert_allclose(np.log(dens), gm.score_samples(X[:5]), rtol=1e-9)


def test_gaussian_ellipses_axes_and_angle():
    cov = np.array([[[4.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 9.0]]])
    (_c0, w0, h0, a0), (_c1, w1, h1, a1) = gaussian_ellipses(np.zeros((2, 2)), cov, n_std=1.0)
    assert (w0, h0) == pytest.approx((4.0, 2.0))
    assert abs(a0) % 180 == pytest.approx(0.0, abs=1e-9)
    assert (w1, h1) == pytest.approx((6.0, 2.0))
    assert abs(a1) % 180 == pytest.approx(90.0)
    # Rotated by 30 degrees.
    th = np.radians(30)
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    ((_, w, h, a),) = gaussian_ellipses([[1.0, 2.0]], [R @ np.diag([4.0, 1.0]) @ R.T], n_std=2.0)
    assert (w, h) == pytest.approx((8.0, 4.0))
    assert a % 180 == pytest.approx(30.0)


def test_plot_clusters_draws_projected_ellipses():
    X, _y = make_blobs(300, centers=3, n_features=4, random_state=1)
    gm = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    ax = plot_clusters(X, gm.predict(X), mixture=gm)
    assert len(ax.patches) == 3
    # Direct projection: the PCA basis, then B' S B's eigenvalues.
    mean = X.mean(axis=0)
    B = np.linalg.svd(X - mean, full_matrices=False)[2][:2].T
    for patch, m, v in zip(ax.patches, gm.means_, gm.covariances_, strict=True):
        vals = np.linalg.eigvalsh(B.T @ np.diag(v) @ B)
        assert patch.width == pytest.approx(4 * np.sqrt(vals[1]))
        assert patch.height == pytest.approx(4 * np.sqrt(vals[0]))
        np.testing.assert_allclose(patch.center, (m - mean) @ B)
    np.testing.assert_allclose(ax.collections[1].get_offsets(), (gm.means_ - mean) @ B)


def _hand_tree():
    # 6 samples: 0 leaves the root at lambda 0.5; the root splits at 1 into {1,2,3} (id 7)
    # and {4,5} (id 8); those dissolve at 2 and 3.
    return CondensedTree(
        parent=np.array([6, 6, 6, 7, 7, 7, 8, 8]),
        child=np.array([0, 7, 8, 1, 2, 3, 4, 5]),
        lambda_val=np.array([0.5, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0]),
        child_size=np.array([1, 3, 2, 1, 1, 1, 1, 1]),
    )


def test_condensed_tree_layout_hand_example():
    lay = condensed_tree_layout(_hand_tree(), selected=[7, 8])
    assert lay["clusters"].tolist() == [6, 7, 8]
    assert lay["parent"].tolist() == [-1, 0, 0]
    np.testing.assert_allclose(lay["size"], [6, 3, 2])
    np.testing.assert_allclose(lay["birth"], [0, 1, 1])
    np.testing.assert_allclose(lay["death"], [1, 2, 3])
    np.testing.assert_allclose(lay["span"], [[0, 6], [1 / 3, 10 / 3], [11 / 3, 17 / 3]])
    np.testing.assert_allclose(lay["steps"][0], [[0, 6], [0.5, 5], [1, 2], [1, 0]])
    np.testing.assert_allclose(lay["steps"][2], [[1, 2], [3, 1], [3, 0]])
    assert lay["selected"].tolist() == [False, True, True]
    ax = plot_condensed_tree(_hand_tree(), selected=[7, 8])
    assert len(ax.collections) == 3 and len(ax.patches) == 2
    assert ax.patches[1].get_xy() == pytest.approx((14 / 3 - 1, 1.0))
    assert ax.patches[1].get_height() == pytest.approx(2.0)


def test_condensed_tree_layout_of_fitted_hdbscan():
    X = make_blobs(400, centers=4, cluster_std=0.7, random_state=5)[0]
    model = HDBSCAN(min_cluster_size=15).fit(X)
    lay = condensed_tree_layout(model)
    n_clusters = int(model.labels_.max()) + 1
    assert lay["selected"].sum() == n_clusters
    assert lay["size"][0] == X.shape[0]
    for i in range(1, lay["clusters"].shape[0]):
        p = lay["parent"][i]
        lo, hi = lay["span"][i]
        assert hi - lo == pytest.approx(lay["size"][i])
        assert lay["span"][p, 0] - 1e-9 <= lo and hi <= lay["span"][p, 1] + 1e-9
        assert lay["steps"][i][-1, 1] == pytest.approx(0.0)  # every sample eventually leaves
        assert lay["birth"][i] >= lay["birth"][p]
    # siblings never overlap
    for p in np.unique(lay["parent"][1:]):
        sib = np.sort(lay["span"][lay["parent"] == p], axis=0)
        assert np.all(sib[1:, 0] >= sib[:-1, 1] - 1e-9)
    # a selected cluster's size at birth is the number of samples labelled with it
    sizes = sorted(lay["size"][lay["selected"]].astype(int).tolist())
    assert sizes == sorted(np.bincount(model.labels_[model.labels_ >= 0]).tolist())
