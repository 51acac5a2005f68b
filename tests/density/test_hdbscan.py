"""HDBSCAN against the hdbscan package (exact tree) and scikit-learn.

Equal mutual reachability distances (ties) can be merged in any order, and the references
themselves disagree there; the exact comparisons use settings whose minimum spanning tree has
no tied weights (asserted), the rest compare partitions with ARI.
"""

from __future__ import annotations

import warnings

import hdbscan
import numpy as np
import pytest
from scipy.cluster.hierarchy import linkage as scipy_linkage
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist
from sklearn.cluster import HDBSCAN as SKHDBSCAN
from sklearn.metrics import adjusted_rand_score

from shoal import HDBSCAN


def _data(n=1500, d=2, seed=0, k=5):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-8, 8, (k, d))
    scales = rng.uniform(0.2, 1.0, k)
    y = rng.integers(0, k, n)
    X = centers[y] + scales[y, None] * rng.standard_normal((n, d))
    return np.vstack([X, rng.uniform(-10, 10, (n // 20, d))])


def _reference(X, mcs, ms, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms - 1,
                               approx_min_span_tree=False, gen_min_span_tree=True,
                               **kw).fit(X)  # fmt: skip


def _mutual_reachability(X, k, alpha=1.0):
    D = cdist(X, X)
    core = np.sort(D, axis=1)[:, k - 1]
    return np.maximum(np.maximum(D / alpha, core[:, None]), core[None, :])


@pytest.mark.parametrize(("n", "d", "seed"), [(1200, 2, 0), (1500, 3, 1), (900, 5, 2)])
@pytest.mark.parametrize(("mcs", "method", "single", "eps"), [
    (10, "eom", False, 0.0), (25, "eom", False, 0.0), (15, "leaf", False, 0.0),
    (40, "eom", True, 0.0), (12, "eom", False, 0.8), (12, "leaf", False, 0.5),
])  # fmt: skip
def test_equals_hdbscan_without_ties(n, d, seed, mcs, method, single, eps):
    X = _data(n=n, d=d, seed=seed)
    ours = HDBSCAN(min_cluster_size=mcs, min_samples=2, cluster_selection_method=method,
                   allow_single_cluster=single, cluster_selection_epsilon=eps).fit(X)  # fmt: skip
    w = ours.minimum_spanning_tree_[:, 2]
    assert np.unique(w).size == w.size  # no ties: the tree is unique
    ref = _reference(X, mcs, 2, cluster_selection_method=method,
                     allow_single_cluster=single, cluster_selection_epsilon=eps)  # fmt: skip
    assert adjusted_rand_score(ref.labels_, ours.labels_) == pytest.approx(1.0)
    np.testing.assert_array_equal(ours.labels_ == -1, ref.labels_ == -1)
    np.testing.assert_allclose(ours.probabilities_, ref.probabilities_, atol=1e-6)
    np.testing.assert_allclose(ours.outlier_scores_, ref.outlier_scores_, atol=1e-6)


@pytest.mark.parametrize(("mcs", "ms"), [(10, None), (20, 5), (15, 8)])
def test_close_to_the_references_with_ties(mcs, ms):
    X = _data(n=2000, d=2, seed=3)
    ours = HDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(X)
    ref = _reference(X, mcs, ms or mcs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SKHDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(X)
    # The references differ from each other on tie order as much as from shoal.
    assert adjusted_rand_score(ref.labels_, ours.labels_) > 0.95
    assert adjusted_rand_score(sk.labels_, ours.labels_) > 0.95


@pytest.mark.parametrize("algorithm", ["auto", "prims"])  # Borůvka on the KD-tree, Prim
@pytest.mark.parametrize(("d", "k", "alpha"), [(2, 5, 1.0), (4, 3, 1.0), (3, 6, 1.7),
                                               (20, 4, 1.0)])  # fmt: skip
def test_mst_weight_equals_a_brute_force_mst(d, k, alpha, algorithm):
    X = _data(n=600, d=d, seed=d)
    ours = HDBSCAN(min_cluster_size=10, min_samples=k, alpha=alpha, algorithm=algorithm).fit(X)
    M = _mutual_reachability(X, k, alpha)
    ref = minimum_spanning_tree(M + 1e-300).toarray()  # offset: zero weights are kept
    assert ours.minimum_spanning_tree_[:, 2].sum() == pytest.approx(ref.sum(), rel=1e-12)
    assert np.all(np.diff(ours.minimum_spanning_tree_[:, 2]) >= 0)


def test_single_linkage_tree_is_scipy_linkage_of_the_mutual_reachability():
    X = _data(n=300, d=2, seed=4)
    ours = HDBSCAN(min_cluster_size=5, min_samples=1).fit(X)  # core distance 0: plain distances
    Z = scipy_linkage(X, method="single")
    np.testing.assert_allclose(ours.single_linkage_tree_[:, 2], Z[:, 2], rtol=1e-12)
    np.testing.assert_array_equal(ours.single_linkage_tree_[:, 3], Z[:, 3])


def test_precomputed_and_metrics():
    X = _data(n=700, d=3, seed=5)
    a = HDBSCAN(min_cluster_size=10, min_samples=2).fit(X)
    b = HDBSCAN(min_cluster_size=10, min_samples=2, metric="precomputed").fit(cdist(X, X))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_allclose(a.probabilities_, b.probabilities_, atol=1e-12)
    for metric in ("manhattan", "chebyshev"):
        ours = HDBSCAN(min_cluster_size=10, min_samples=2, metric=metric).fit(X)
        ref = _reference(X, 10, 2, metric=metric)
        assert adjusted_rand_score(ref.labels_, ours.labels_) > 0.99


def test_condensed_tree_matches_hdbscans():
    X = _data(n=800, d=2, seed=6)
    ours = HDBSCAN(min_cluster_size=15, min_samples=2).fit(X)
    ref = _reference(X, 15, 2).condensed_tree_.to_numpy()
    t = ours.condensed_tree_.to_numpy()
    assert t.shape == ref.shape
    # Same lambdas leaving the tree per sample, and the same cluster sizes.
    pts, rpts = t[t["child_size"] == 1], ref[ref["child_size"] == 1]
    ours_l = pts["lambda_val"][np.argsort(pts["child"])]
    np.testing.assert_allclose(ours_l, rpts["lambda_val"][np.argsort(rpts["child"])], rtol=1e-12)
    np.testing.assert_array_equal(np.sort(t["child_size"][t["child_size"] > 1]),
                                  np.sort(ref["child_size"][ref["child_size"] > 1]))  # fmt: skip


def test_dbscan_clustering_cut():
    X = _data(n=1000, d=2, seed=7)
    ours = HDBSCAN(min_cluster_size=10, min_samples=5).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SKHDBSCAN(min_cluster_size=10, min_samples=5).fit(X)
    for cut in (0.3, 0.6):
        a = ours.dbscan_clustering(cut, min_cluster_size=10)
        b = sk.dbscan_clustering(cut, min_cluster_size=10)
        assert adjusted_rand_score(a, b) > 0.99
        np.testing.assert_array_equal(a == -1, b == -1)


def test_max_cluster_size_and_centers():
    X = _data(n=1200, d=2, seed=8, k=3)
    big = HDBSCAN(min_cluster_size=20, min_samples=2).fit(X)
    sizes = np.bincount(big.labels_[big.labels_ >= 0])
    capped = HDBSCAN(min_cluster_size=20, min_samples=2, max_cluster_size=int(sizes.max()) - 1,
                     store_centers="both").fit(X)  # fmt: skip
    ref = _reference(X, 20, 2, max_cluster_size=int(sizes.max()) - 1)
    assert adjusted_rand_score(ref.labels_, capped.labels_) == pytest.approx(1.0)
    k = capped.labels_.max() + 1
    assert capped.centroids_.shape == (k, 2) and capped.medoids_.shape == (k, 2)


def test_outliers_score_high():
    X = np.vstack([_data(n=600, d=2, seed=9, k=2), [[30.0, 30.0]]])
    hd = HDBSCAN(min_cluster_size=15).fit(X)
    assert hd.labels_[-1] == -1
    assert hd.outlier_scores_[-1] > 0.9
    assert hd.outlier_scores_[-1] == hd.outlier_scores_.max()


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({"min_cluster_size": 1}, np.random.default_rng(0).random((10, 2)), "min_cluster_size=1"),
        ({"min_samples": 0}, np.random.default_rng(0).random((10, 2)), "min_samples=0"),
        ({"min_samples": 50}, np.random.default_rng(0).random((10, 2)), "min_samples=50"),
        ({"alpha": 0.0}, np.random.default_rng(0).random((10, 2)), "alpha=0.0"),
        ({"cluster_selection_epsilon": -1.0}, np.random.default_rng(0).random((10, 2)),
         "cluster_selection_epsilon"),
        ({"cluster_selection_method": "best"}, np.random.default_rng(0).random((10, 2)),
         "cluster_selection_method"),
        ({}, np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]]), "NaN"),
        ({}, np.ones((10, 2)), "identical"),
        ({"metric": "precomputed"}, np.random.default_rng(0).random((10, 3)), "square"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly(params, X, match):
    with pytest.raises(ValueError, match=match):
        HDBSCAN(**params).fit(X)


def test_approximate_predict_agrees_with_fit_and_with_hdbscan():
    rng = np.random.default_rng(10)
    centers = [(0, 0), (5, 5), (0, 6)]
    X = np.vstack([rng.normal(size=(400, 2)) * 0.4 + c for c in centers]
                  + [rng.uniform(-3, 8, (40, 2))])  # fmt: skip
    hd = HDBSCAN(min_cluster_size=15, min_samples=5).fit(X)
    labels, probs = hd.approximate_predict(X)
    clustered = hd.labels_ >= 0
    assert (labels[clustered] == hd.labels_[clustered]).mean() > 0.99
    assert ((probs >= 0) & (probs <= 1)).all()
    Q = np.vstack([rng.normal(size=(150, 2)) * 0.4 + c for c in centers] + [[[30.0, 30.0]]])
    lq, pq = hd.approximate_predict(Q)
    assert lq[-1] == -1 and pq[-1] == 0.0
    ref = _reference(X, 15, 5, prediction_data=True)
    rl, _ = hdbscan.approximate_predict(ref, Q)
    assert adjusted_rand_score(rl, lq) > 0.99
    with pytest.raises(ValueError, match="features"):
        hd.approximate_predict(Q[:, :1])
    pre = HDBSCAN(min_cluster_size=15, metric="precomputed").fit(cdist(X, X))
    with pytest.raises(ValueError, match="precomputed"):
        pre.approximate_predict(cdist(Q, X))


def _column_map(ours_labels, ref_labels, k):
    return [int(np.bincount(ref_labels[ours_labels == c]).argmax()) for c in range(k)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_all_points_membership_vectors_equal_hdbscans(seed):
    """Equal to the hdbscan package's soft clustering, except for samples whose branch meets
    two clusters at the same height: there both pick the first cluster by id, and sibling
    clusters may be numbered the other way round (a tie in the tree, not a difference)."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(300, 2)) * 0.5 + c for c in [(0, 0), (3, 3), (0, 4)]]
                  + [rng.uniform(-3, 6, (40, 2))])  # fmt: skip
    ours = HDBSCAN(min_cluster_size=15, min_samples=2).fit(X)
    w = ours.minimum_spanning_tree_[:, 2]
    assert np.unique(w).size == w.size
    ref = _reference(X, 15, 2, prediction_data=True)
    A = ours.all_points_membership_vectors()
    B = hdbscan.all_points_membership_vectors(ref)
    cols = _column_map(ours.labels_, ref.labels_, A.shape[1])
    model = ours._soft()
    h = model.heights(model.point_cluster, model.point_lambda)
    top2 = np.sort(h, axis=1)[:, -2:]
    clear = top2[:, 1] > top2[:, 0]
    assert clear.mean() > 0.5
    np.testing.assert_allclose(A[clear], B[clear][:, cols], atol=1e-9)
    assert np.all(A.sum(axis=1) <= 1 + 1e-9)
    # The strongest membership points at the sample's own cluster.
    lab = ours.labels_ >= 0
    assert (A[lab].argmax(axis=1) == ours.labels_[lab]).mean() > 0.95
    # New samples: close to the package's membership_vector (its core distances for new
    # samples count one neighbour more, so values differ slightly).
    Q = np.vstack([rng.normal(size=(40, 2)) * 0.5 + c for c in [(0, 0), (3, 3)]])
    mv = ours.membership_vector(Q)
    ref_mv = hdbscan.membership_vector(ref, Q)[:, cols]
    assert mv.shape == ref_mv.shape
    assert np.abs(mv - ref_mv).mean() < 0.05
    assert (mv.argmax(axis=1) == ref_mv.argmax(axis=1)).mean() > 0.95


def test_sample_weight_acts_as_repeated_samples():
    rng = np.random.default_rng(11)
    X = np.vstack([rng.normal(size=(250, 2)) * 0.5 + c for c in [(0, 0), (3, 3), (0, 4)]]
                  + [rng.uniform(-3, 6, (30, 2))])  # fmt: skip
    plain = HDBSCAN(min_cluster_size=15, min_samples=5).fit(X)
    ones = HDBSCAN(min_cluster_size=15, min_samples=5).fit(X, sample_weight=np.ones(len(X)))
    np.testing.assert_array_equal(plain.labels_, ones.labels_)
    np.testing.assert_allclose(plain.probabilities_, ones.probabilities_, atol=1e-12)
    w = rng.integers(1, 4, len(X))
    weighted = HDBSCAN(min_cluster_size=15, min_samples=5).fit(X, sample_weight=w)
    repeated = HDBSCAN(min_cluster_size=15, min_samples=5).fit(np.repeat(X, w, axis=0))
    assert adjusted_rand_score(repeated.labels_, np.repeat(weighted.labels_, w)) > 0.99
    # Weight is size: with weights of 3 a cluster of 10 samples reaches min_cluster_size=25.
    small = np.vstack([rng.normal(size=(10, 2)) * 0.05 + (10, 10), X])
    w2 = np.concatenate([np.full(10, 3.0), np.ones(len(X))])
    assert len(set(HDBSCAN(min_cluster_size=25, min_samples=3).fit(small).labels_[:10])) == 1
    lab = HDBSCAN(min_cluster_size=25, min_samples=3).fit(small, sample_weight=w2).labels_
    assert lab[0] >= 0 and len(set(lab[:10])) == 1 and lab[0] not in set(lab[10:])
    with pytest.raises(ValueError, match="sample_weight"):
        HDBSCAN().fit(X, sample_weight=-np.ones(len(X)))


def test_float32_input():
    X = _data(n=800, d=3, seed=12).astype(np.float32)
    a = HDBSCAN(min_cluster_size=10).fit(X)
    b = HDBSCAN(min_cluster_size=10).fit(X.astype(np.float64))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_allclose(a.probabilities_, b.probabilities_, atol=1e-12)


def _walk_predict(hd, X):
    """approximate_predict by a plain walk of the condensed tree, one query at a time (its
    definition: start where the mutual-reachability nearest training sample leaves the tree,
    climb while the query's lambda is below the cluster's birth)."""
    train, core, k, _, _, selected = hd._prediction  # Euclidean: cdist below
    t = hd.condensed_tree_
    parent_of = {int(c): (int(p), float(lv)) for p, c, lv in zip(t.parent, t.child, t.lambda_val)}
    d = cdist(X, train)
    own = max(k - 2, 0)
    core_x = np.sort(d, axis=1)[:, own] if k > 1 else np.zeros(X.shape[0])
    mr = np.maximum(np.maximum(core[None, :], core_x[:, None]), d / hd.alpha)
    deaths = {}
    for p, lv in zip(t.parent, t.lambda_val):
        deaths[int(p)] = max(deaths.get(int(p), 0.0), float(lv))

    def selected_above(c):
        while True:
            if c in selected:
                return c
            if c not in parent_of:
                return None
            c = parent_of[c][0]

    labels, probs = [], []
    for i in range(X.shape[0]):
        j = int(np.argmin(mr[i]))
        lam = 1.0 / mr[i, j] if mr[i, j] > 0 else np.finfo(float).max
        cluster, leave = parent_of[j]
        if leave > lam:
            while cluster in parent_of and parent_of[cluster][1] >= lam:
                cluster = parent_of[cluster][0]
        top = selected_above(cluster)
        if top is None:
            labels.append(-1)
            probs.append(0.0)
        else:
            labels.append(list(selected).index(top))
            max_l = deaths[top]
            probs.append(min(max_l, lam) / max_l if max_l > 0 else 1.0)
    return np.array(labels), np.array(probs)


@pytest.mark.parametrize("method", ["eom", "leaf"])
def test_approximate_predict_equals_a_plain_tree_walk(method):
    # Nested clusters (two pairs of close blobs, a far blob, noise) give a condensed tree with
    # several levels; selected clusters answer for their sub-clusters.
    rng = np.random.default_rng(4)
    centers = [(0, 0), (1.6, 0), (10, 0), (11.6, 0), (5, 9)]
    X = np.vstack([rng.normal(size=(150, 2)) * 0.35 + c for c in centers]
                  + [rng.uniform(-3, 14, (60, 2))])  # fmt: skip
    hd = HDBSCAN(min_cluster_size=10, min_samples=5, cluster_selection_method=method).fit(X)
    t = hd.condensed_tree_
    sub = t.child >= len(X)
    with_subclusters = [s for s in hd._prediction[5] if ((t.parent == s) & sub).any()]
    assert len(with_subclusters) == (2 if method == "eom" else 0)  # the pairs of blobs
    Q = np.vstack([X[::7] + 0.05 * rng.standard_normal(X[::7].shape),
                   rng.uniform(-5, 16, (200, 2))])  # fmt: skip
    labels, probs = hd.approximate_predict(Q)
    ref_labels, ref_probs = _walk_predict(hd, Q)
    np.testing.assert_array_equal(labels, ref_labels)
    np.testing.assert_allclose(probs, ref_probs, rtol=1e-12)
    assert (labels >= 0).any() and (labels == -1).any()
    # A second call uses the cached maps; a refit drops them.
    np.testing.assert_array_equal(hd.approximate_predict(Q)[0], labels)
    hd.fit(X[:400])
    assert hd.approximate_predict(Q)[0].max() <= hd.labels_.max()
