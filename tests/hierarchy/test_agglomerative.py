from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster
from scipy.cluster.hierarchy import linkage as scipy_linkage
from scipy.spatial.distance import cdist, pdist, squareform
from sklearn.cluster import AgglomerativeClustering as SKAgglomerative
from sklearn.metrics import adjusted_rand_score

from shoal import AgglomerativeClustering
from shoal.hierarchy import cut_linkage

SCIPY = {"manhattan": "cityblock", "l1": "cityblock", "l2": "euclidean"}


def _data(n=250, d=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-6, 6, (5, d))
    return centers[rng.integers(0, 5, n)] + rng.standard_normal((n, d))


@pytest.mark.parametrize(("method", "metric"), [
    ("ward", "euclidean"), ("single", "euclidean"), ("complete", "euclidean"),
    ("average", "euclidean"), ("weighted", "euclidean"), ("single", "manhattan"),
    ("complete", "chebyshev"), ("average", "cosine"), ("single", "cosine"),
    ("weighted", "l1"),
])  # fmt: skip
@pytest.mark.parametrize("seed", [0, 1])
def test_linkage_matrix_equals_scipy(method, metric, seed):
    X = _data(seed=seed)
    Z = AgglomerativeClustering(n_clusters=3, linkage=method, metric=metric).fit(X)
    ref = scipy_linkage(X, method=method, metric=SCIPY.get(metric, metric))
    np.testing.assert_allclose(Z.linkage_matrix_[:, 2], ref[:, 2], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(Z.linkage_matrix_[:, 3], ref[:, 3])
    # Same merges: cutting both trees anywhere gives the same partitions.
    for k in (2, 5, 17):
        assert adjusted_rand_score(fcluster(ref, k, "maxclust"),
                                   cut_linkage(Z.linkage_matrix_, n_clusters=k)) == 1.0  # fmt: skip


@pytest.mark.parametrize("linkage", ["ward", "complete", "average", "single"])
@pytest.mark.parametrize("k", [2, 4, 9])
def test_labels_equal_scikit_learn(linkage, k):
    X = _data(n=300, seed=3)
    ours = AgglomerativeClustering(n_clusters=k, linkage=linkage).fit(X)
    ref = SKAgglomerative(n_clusters=k, linkage=linkage).fit(X)
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    assert ours.n_clusters_ == k and ours.labels_.max() == k - 1


def test_distance_threshold_and_distances():
    X = _data(n=200, seed=4)
    ours = AgglomerativeClustering(n_clusters=None, distance_threshold=6.0).fit(X)
    ref = SKAgglomerative(n_clusters=None, distance_threshold=6.0).fit(X)
    assert ours.n_clusters_ == ref.n_clusters_
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    np.testing.assert_allclose(np.sort(ours.distances_), np.sort(ref.distances_), rtol=1e-9)
    plain = AgglomerativeClustering(n_clusters=3).fit(X)
    assert not hasattr(plain, "distances_")
    assert hasattr(AgglomerativeClustering(3, compute_distances=True).fit(X), "distances_")


def test_precomputed():
    X = _data(n=150, seed=5)
    D = cdist(X, X)
    for method in ("single", "complete", "average"):
        a = AgglomerativeClustering(4, linkage=method, metric="precomputed").fit(D)
        ref = scipy_linkage(pdist(X), method=method)
        np.testing.assert_allclose(a.linkage_matrix_[:, 2], ref[:, 2], rtol=1e-12)


def test_a_hand_worked_dendrogram_cut():
    """Five points on a line: {0, 1}, {5, 6} and {20}. Cutting between the merge heights
    gives the three groups; single-linkage heights are the gaps 1, 1, 4 and 14."""
    X = np.array([[0.0], [1.0], [5.0], [6.0], [20.0]])
    model = AgglomerativeClustering(n_clusters=3, linkage="single").fit(X)
    np.testing.assert_allclose(model.linkage_matrix_[:, 2], [1.0, 1.0, 4.0, 14.0])
    assert model.labels_.tolist() == [0, 0, 1, 1, 2]
    assert cut_linkage(model.linkage_matrix_, height=4.5).tolist() == [0, 0, 0, 0, 1]
    assert cut_linkage(model.linkage_matrix_, height=3.0).tolist() == [0, 0, 1, 1, 2]


def test_children_format():
    X = _data(n=50, seed=6)
    model = AgglomerativeClustering(2).fit(X)
    assert model.children_.shape == (49, 2)
    assert model.children_.max() == 2 * 50 - 3
    assert model.n_leaves_ == 50
    Z = model.linkage_matrix_
    assert squareform(pdist(X)).shape == (50, 50)  # sanity for the reader
    assert (np.diff(Z[:, 2]) >= 0).all()


@pytest.mark.parametrize(
    ("params", "X", "match", "err"),
    [
        ({"n_clusters": None}, _data(20), "Exactly one", ValueError),
        ({"n_clusters": 3, "distance_threshold": 1.0}, _data(20), "Exactly one", ValueError),
        ({"n_clusters": 30}, _data(20), "n_clusters=30", ValueError),
        ({"linkage": "ward", "metric": "manhattan"}, _data(20), "ward", ValueError),
        ({"linkage": "best"}, _data(20), "linkage=", ValueError),
        ({}, np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN", ValueError),
        ({"metric": "precomputed", "linkage": "average"}, _data(20), "square", ValueError),
    ],
)
def test_bad_input_is_refused_clearly(params, X, match, err):
    with pytest.raises(err, match=match):
        AgglomerativeClustering(**params).fit(X)


def test_float32_input():
    X = _data(n=120, seed=7).astype(np.float32)
    a = AgglomerativeClustering(3).fit(X)
    b = AgglomerativeClustering(3).fit(X.astype(np.float64))
    np.testing.assert_array_equal(a.labels_, b.labels_)


def _merged_sets(Z):
    n = len(Z) + 1
    members = {i: frozenset([i]) for i in range(n)}
    for i, (a, b, _, _) in enumerate(Z):
        members[n + i] = members[int(a)] | members[int(b)]
    return {members[n + i] for i in range(n - 1)}


@pytest.mark.parametrize("method", ["centroid", "median"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_centroid_and_median_equal_scipy(method, seed):
    """Not reducible (inversions): merges stay in merge order, as scipy writes them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 3))
    X[:100] += 3
    model = AgglomerativeClustering(n_clusters=4, linkage=method).fit(X)
    ref = scipy_linkage(X, method=method)
    np.testing.assert_allclose(model.linkage_matrix_[:, 2], ref[:, 2], rtol=1e-9, atol=1e-12)
    assert _merged_sets(model.linkage_matrix_) == _merged_sets(ref)
    with pytest.raises(ValueError, match="euclidean"):
        AgglomerativeClustering(linkage=method, metric="manhattan").fit(X)


@pytest.mark.parametrize("k", [2, 5, 12])
def test_ward_with_grid_connectivity_equals_scikit_learn(k):
    from sklearn.feature_extraction.image import grid_to_graph

    rng = np.random.default_rng(k)
    img = rng.normal(size=(20, 20))
    img[5:15, 5:15] += 3.0
    X, G = img.reshape(-1, 1), grid_to_graph(20, 20)
    ours = AgglomerativeClustering(k, connectivity=G, compute_distances=True).fit(X)
    ref = SKAgglomerative(k, connectivity=G, compute_distances=True).fit(X)
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    np.testing.assert_allclose(np.sort(ours.distances_), np.sort(ref.distances_), rtol=1e-9)


def test_ward_with_a_disconnected_knn_graph():
    from sklearn.neighbors import kneighbors_graph

    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 20])
    G = kneighbors_graph(X, 4)
    with pytest.warns(UserWarning, match="connected components"):
        ours = AgglomerativeClustering(4, connectivity=G).fit(X)
    with pytest.warns(UserWarning):
        ref = SKAgglomerative(4, connectivity=G).fit(X)
    assert ours.n_connected_components_ == ref.n_connected_components_ == 2
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0


def test_connectivity_errors():
    X = _data(30)
    with pytest.raises(NotImplementedError, match="weighted"):
        AgglomerativeClustering(2, linkage="weighted", connectivity=np.eye(30)).fit(X)
    with pytest.raises(ValueError, match="connectivity has shape"):
        AgglomerativeClustering(2, connectivity=np.eye(20)).fit(X)


@pytest.mark.parametrize("linkage", ["complete", "average", "single"])
@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "precomputed"])
def test_graph_linkages_equal_scikit_learn(linkage, metric):
    from sklearn.neighbors import kneighbors_graph

    X = _data(300, 3, seed=11)
    G = kneighbors_graph(X, 6)
    data = squareform(pdist(X)) if metric == "precomputed" else X
    for k in (2, 5, 20):
        ours = AgglomerativeClustering(k, linkage=linkage, metric=metric, connectivity=G,
                                       compute_distances=True).fit(data)  # fmt: skip
        ref = SKAgglomerative(k, linkage=linkage, metric=metric, connectivity=G,
                              compute_distances=True).fit(data)  # fmt: skip
        assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
        # Same merges in the same order: the heights agree merge by merge.
        np.testing.assert_allclose(ours.distances_, ref.distances_, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("linkage", ["complete", "average", "single"])
def test_graph_linkages_on_a_disconnected_graph_and_a_grid(linkage):
    from sklearn.feature_extraction.image import grid_to_graph
    from sklearn.neighbors import kneighbors_graph

    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) + 15,
                   rng.normal(size=(40, 2)) - 15])  # fmt: skip
    G = kneighbors_graph(X, 3)
    with pytest.warns(UserWarning, match="connected components"):
        ours = AgglomerativeClustering(3, linkage=linkage, connectivity=G).fit(X)
    with pytest.warns(UserWarning):
        ref = SKAgglomerative(3, linkage=linkage, connectivity=G).fit(X)
    assert ours.n_connected_components_ == ref.n_connected_components_ >= 3
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    img = rng.normal(size=(18, 18))
    img[4:12, 6:16] += 4.0
    P, E = img.reshape(-1, 1), grid_to_graph(18, 18)
    ours = AgglomerativeClustering(4, linkage=linkage, connectivity=E, compute_distances=True)
    ref = SKAgglomerative(4, linkage=linkage, connectivity=E, compute_distances=True).fit(P)
    ours.fit(P)
    assert adjusted_rand_score(ref.labels_, ours.labels_) == 1.0
    np.testing.assert_allclose(ours.distances_, ref.distances_, rtol=1e-12)


def test_graph_single_linkage_is_the_minimum_spanning_forest():
    # Single linkage on a graph merges along the graph's minimum spanning tree: the heights
    # are that tree's edge lengths (Kruskal, brute force here).
    from sklearn.neighbors import kneighbors_graph

    X = np.random.default_rng(12).uniform(size=(120, 2))
    G = kneighbors_graph(X, 8).toarray()
    G = np.maximum(G, G.T)
    i, j = np.nonzero(np.triu(G))
    w = np.sqrt(((X[i] - X[j]) ** 2).sum(axis=1))
    parent = list(range(120))

    def root(a):
        while parent[a] != a:
            a = parent[a]
        return a

    tree = []
    for e in np.argsort(w, kind="stable"):
        ra, rb = root(int(i[e])), root(int(j[e]))
        if ra != rb:
            parent[ra] = rb
            tree.append(w[e])
    assert len(tree) == 119  # the 8-NN graph of this sample is connected
    ours = AgglomerativeClustering(2, linkage="single", connectivity=G, compute_distances=True)
    np.testing.assert_allclose(ours.fit(X).distances_, np.sort(tree), rtol=1e-12)
