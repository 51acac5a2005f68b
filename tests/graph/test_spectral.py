from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import laplacian as scipy_laplacian
from sklearn.cluster import SpectralClustering as SKSpectral
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import kneighbors_graph

from shoal import KMeans, SpectralClustering
from shoal.graph import cluster_qr, eigengap, graph_laplacian, spectral_embedding


def _blobs(n=600, d=3, k=4, seed=0, std=1.0):
    return make_blobs(n, centers=k, n_features=d, cluster_std=std, center_box=(-12, 12),
                      random_state=seed)  # fmt: skip


@pytest.mark.parametrize("kw", [
    {"affinity": "rbf", "gamma": 0.5},
    {"affinity": "nearest_neighbors", "n_neighbors": 10},
    {"affinity": "nearest_neighbors", "assign_labels": "discretize"},
    {"affinity": "rbf", "gamma": 0.5, "assign_labels": "cluster_qr"},
    {"affinity": "nearest_neighbors", "eigen_solver": "lobpcg"},
    {"affinity": "laplacian", "gamma": 0.2},
    {"affinity": "poly", "gamma": 0.01, "degree": 2},
])  # fmt: skip
def test_labels_equal_scikit_learn(kw):
    X, _ = _blobs(seed=3, std=1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = SpectralClustering(4, random_state=0, **kw).fit(X)
        ref = SKSpectral(4, random_state=0, **kw).fit(X)
    assert adjusted_rand_score(ref.labels_, ours.labels_) >= 0.99


def test_amg_solver_equals_scikit_learn():
    pytest.importorskip("pyamg")
    X, _ = make_blobs(1500, centers=4, n_features=3, cluster_std=1.5, random_state=3)
    ours = SpectralClustering(4, affinity="nearest_neighbors", eigen_solver="amg",
                              random_state=0).fit(X)  # fmt: skip
    ref = SKSpectral(4, affinity="nearest_neighbors", eigen_solver="amg", random_state=0).fit(X)
    assert adjusted_rand_score(ref.labels_, ours.labels_) >= 0.99
    with pytest.warns(RuntimeWarning, match="ARPACK"):  # dense affinity: ARPACK instead
        SpectralClustering(4, eigen_solver="amg", random_state=0).fit(X[:200])


def test_nearest_neighbors_graph_and_precomputed_forms():
    X, _ = _blobs(500, 5, seed=1)
    ours = SpectralClustering(4, affinity="nearest_neighbors", n_neighbors=8, random_state=0)
    ours.fit(X)
    G = kneighbors_graph(X, 8, include_self=True)
    expect = 0.5 * (G + G.T)
    assert sparse.issparse(ours.affinity_matrix_)  # never a dense n x n
    assert abs(sparse.csr_array(expect) - ours.affinity_matrix_).max() == 0
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    pre = SpectralClustering(4, affinity="precomputed_nearest_neighbors", n_neighbors=8,
                             random_state=0).fit(D)  # fmt: skip
    assert adjusted_rand_score(ours.labels_, pre.labels_) == 1.0
    W = np.exp(-0.1 * D**2)
    a = SpectralClustering(4, affinity="precomputed", random_state=0).fit(W)
    b = SpectralClustering(4, affinity="precomputed", random_state=0).fit(sparse.csr_array(W))
    ref = SKSpectral(4, affinity="precomputed", random_state=0).fit(W)
    assert adjusted_rand_score(ref.labels_, a.labels_) >= 0.99
    assert adjusted_rand_score(a.labels_, b.labels_) >= 0.99


def test_moons_and_circles_where_kmeans_fails():
    for X, y in (make_moons(400, noise=0.05, random_state=0),
                 make_circles(400, noise=0.03, factor=0.4, random_state=0)):  # fmt: skip
        km = KMeans(2, random_state=0).fit(X)
        sc = SpectralClustering(2, affinity="nearest_neighbors", random_state=0).fit(X)
        assert adjusted_rand_score(y, km.labels_) < 0.5
        assert adjusted_rand_score(y, sc.labels_) == 1.0


@pytest.mark.parametrize("k", [3, 5, 7])
def test_eigengap_picks_the_number_of_blobs(k):
    X, y = make_blobs(700, centers=k, n_features=4, cluster_std=0.5, center_box=(-20, 20),
                      random_state=1)  # fmt: skip
    sc = SpectralClustering("auto", affinity="rbf", gamma=0.1, random_state=0).fit(X)
    assert sc.n_clusters_ == k
    assert sc.eigenvalues_.shape == (11,) and np.all(np.diff(sc.eigenvalues_) >= -1e-9)
    assert adjusted_rand_score(y, sc.labels_) == 1.0


def test_eigengap_picks_two_circles():
    X, y = make_circles(500, noise=0.03, factor=0.4, random_state=0)
    for kw in ({"affinity": "nearest_neighbors"}, {"affinity": "rbf", "gamma": 50.0}):
        sc = SpectralClustering("auto", random_state=0, **kw).fit(X)
        assert sc.n_clusters_ == 2
        assert adjusted_rand_score(y, sc.labels_) == 1.0
    # The classic absolute gap is fooled by the ring's slowly growing spectrum.
    vals = SpectralClustering("auto", affinity="nearest_neighbors", random_state=0).fit(X)
    assert eigengap(vals.eigenvalues_, scale="linear") != 2
    assert eigengap([0.0, 0.0, 0.0, 0.5, 0.6]) == 3


def test_laplacians_match_their_definitions():
    rng = np.random.default_rng(2)
    S = rng.uniform(0, 1, (7, 7))
    S = S + S.T
    S[rng.uniform(size=(7, 7)) < 0.3] = 0
    S = np.maximum(S, S.T)
    np.fill_diagonal(S, 0.7)  # self-loops are ignored
    S0 = S.copy()
    np.fill_diagonal(S0, 0)
    d = S0.sum(axis=1)
    D = np.diag(d)
    Dm = np.diag(1 / np.sqrt(d))
    expect = {"unnormalized": D - S0, "symmetric": np.eye(7) - Dm @ S0 @ Dm,
              "random_walk": np.eye(7) - np.diag(1 / d) @ S0}  # fmt: skip
    for kind, ref in expect.items():
        for form in (S, sparse.csr_array(S)):
            L, deg = graph_laplacian(form, kind)
            L = L.toarray() if sparse.issparse(L) else L
            np.testing.assert_allclose(L, ref, atol=1e-12)
            np.testing.assert_allclose(deg, d)
    Ls = scipy_laplacian(S, normed=True)
    np.testing.assert_allclose(graph_laplacian(S, "symmetric")[0], Ls, atol=1e-12)


@pytest.mark.parametrize("kind", ["unnormalized", "symmetric", "random_walk"])
def test_embeddings_are_eigenvectors(kind):
    X, _ = _blobs(300, 2, k=3, seed=4, std=2.0)
    W = np.exp(-0.3 * ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    for form in (W, sparse.csr_array(np.where(W > 1e-3, W, 0.0))):
        emb, vals = spectral_embedding(form, 4, laplacian=kind, random_state=0)
        dense = form.toarray() if sparse.issparse(form) else form
        L = graph_laplacian(dense, "random_walk" if kind == "random_walk" else kind)[0]
        lam = np.linalg.eigvals(L)
        ref = np.sort(lam.real)[:4]
        np.testing.assert_allclose(vals, ref, atol=1e-8)
        if kind == "symmetric":  # scikit-learn's embedding: D^-1/2 x, so L_rw u = lambda u
            L = graph_laplacian(dense, "random_walk")[0]
        np.testing.assert_allclose(L @ emb, emb * vals[None, :], atol=1e-7)
        if kind != "symmetric":
            np.testing.assert_allclose(np.linalg.norm(emb, axis=0), 1.0, atol=1e-9)


def test_disconnected_graph_keeps_every_component():
    # Lanczos alone misses copies of a repeated eigenvalue; the component vectors do not.
    X, y = make_blobs(2000, centers=8, n_features=6, cluster_std=0.5, center_box=(-30, 30),
                      random_state=5)  # fmt: skip
    with pytest.warns(UserWarning, match="not fully connected"):
        sc = SpectralClustering(8, affinity="nearest_neighbors", random_state=0).fit(X)
    assert np.allclose(sc.eigenvalues_, 0.0, atol=1e-10)
    assert adjusted_rand_score(y, sc.labels_) == 1.0


def test_cluster_qr_and_discretize_on_a_clean_embedding():
    labels = np.repeat(np.arange(3), 40)
    emb = np.eye(3)[labels] + 0.01 * np.random.default_rng(0).standard_normal((120, 3))
    assert adjusted_rand_score(labels, cluster_qr(emb)) == 1.0
    from shoal.graph import discretize

    assert adjusted_rand_score(labels, discretize(emb, random_state=0)) == 1.0


def test_bad_input():
    X, _ = _blobs(60, 2)
    for kw, match in [({"n_neighbors": 60, "affinity": "nearest_neighbors"}, "n_neighbors"),
                      ({"gamma": -1.0}, "gamma"), ({"n_init": 0}, "n_init"),
                      ({"laplacian": "normalized"}, "laplacian"),
                      ({"assign_labels": "qr"}, "assign_labels"),
                      ({"eigen_solver": "eig"}, "eigen_solver"),
                      ({"affinity": "chi3"}, "affinity"),
                      ({"n_clusters": 61}, "n_clusters")]:  # fmt: skip
        with pytest.raises(ValueError, match=match):
            SpectralClustering(**{"n_clusters": 3, **kw}).fit(X)
    with pytest.raises(TypeError, match="n_clusters"):
        SpectralClustering("three").fit(X)
    with pytest.raises(ValueError, match="square"):
        SpectralClustering(affinity="precomputed").fit(X)
    A = np.abs(np.random.default_rng(0).normal(size=(20, 20)))
    with pytest.raises(ValueError, match="symmetric"):
        SpectralClustering(2, affinity="precomputed").fit(A)
    with pytest.raises(ValueError, match="negative"):
        SpectralClustering(2, affinity="precomputed").fit(-(A + A.T))
    with pytest.raises(TypeError, match="sparse"):
        SpectralClustering(2).fit(sparse.csr_array(X))
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SpectralClustering(2).fit(bad)
