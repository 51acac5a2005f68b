"""HDBSCAN: hierarchical density-based clustering (Campello, Moulavi & Sander 2013)."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._base import BaseClusterer, check_fitted
from .._kernels.numba_ import spatial
from .._kernels.numba_.hdbscan import condense, mst_boruvka, mst_prim, single_linkage
from .._validation import check_int, check_option, check_real, check_sample_weight, validate_X
from ._hdbscan_soft import SoftModel, all_points_memberships, new_point_memberships
from ._hdbscan_tree import CondensedTree, persistence, select_clusters
from ._index import (
    KDTREE_MAX_DIM,
    MINKOWSKI_METRICS,
    check_metric,
    precomputed_kth,
    resolve_metric,
    to_distance,
)

__all__ = ["HDBSCAN"]

SELECTION = ("eom", "leaf")
HDBSCAN_ALGORITHMS = ("auto", "brute", "kd_tree", "ball_tree", "prims")


def _query_knn(index: tuple, Q: np.ndarray, m: int, code: int,
               power: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The m nearest indexed samples of each query row (original indices, distances)."""
    kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = index
    nq = Q.shape[0]
    both = np.ascontiguousarray(np.vstack([Xs, Q]))
    # Queries are appended after the indexed samples; the walk only visits indexed ones.
    dist = np.empty((nq, m))
    idx = np.empty((nq, m), dtype=np.int64)
    spatial.knn_queries(kind, both, Xs.shape[0], lo, hi, ns, ne, child, code, power, dist, idx)
    return order[idx], to_distance(dist, code, power)


def _kth(dist: np.ndarray, idx: np.ndarray, w: np.ndarray | None, k: int) -> np.ndarray:
    """Per row, the (surrogate) distance at which the neighbours' weight reaches ``k``: the
    k-th column without weights; the last column when the weight never gets there."""
    if w is None:
        return dist[:, k - 1]
    reached = np.cumsum(w[idx], axis=1) >= k
    j = np.where(reached.any(axis=1), reached.argmax(axis=1), dist.shape[1] - 1)
    return dist[np.arange(dist.shape[0]), j]


def _blocks(n: int) -> int:
    import numba

    return int(max(1, min(n, 16 * numba.get_num_threads())))


class _PredictMaps(NamedTuple):
    """The fitted condensed tree as arrays indexed by node, for prediction on new samples."""

    knn_index: tuple  # the training samples' search index (spatial.build_kdtree / build_brute)
    leave_parent: np.ndarray  # (n,) the cluster each training sample falls out of
    leave_lambda: np.ndarray  # (n,) and the lambda at which it does
    up_parent: np.ndarray  # (nodes,) a cluster's parent cluster, -1 for the root
    up_lambda: np.ndarray  # (nodes,) the lambda at which it splits off its parent
    label_of: np.ndarray  # (nodes,) label of the selected cluster a cluster lies in, or -1
    top_of: np.ndarray  # (nodes,) that selected cluster, or -1
    deaths: np.ndarray  # (nodes,) largest lambda of each cluster's children


class HDBSCAN(BaseClusterer):
    """Hierarchical DBSCAN: clusters of varying density, no ``eps`` to choose.

    Builds the minimum spanning tree of the mutual reachability distance
    ``max(core(a), core(b), d(a, b) / alpha)`` (core: distance to the ``min_samples``-th
    nearest sample, itself included), its single-linkage tree, condenses it at
    ``min_cluster_size`` and keeps the most stable clusters (excess of mass) or the leaves.

    Parameters
    ----------
    min_cluster_size : int >= 2, default=5
        Smallest group counted as a cluster.
    min_samples : int >= 1, default=None
        Neighbourhood size for the core distance, the sample itself included (scikit-learn's
        convention; the hdbscan package's ``min_samples`` is this minus one). Default
        ``min_cluster_size``.
    cluster_selection_epsilon : float >= 0, default=0.0
        Clusters born below this distance are merged into their parent (Malzer & Baum 2020).
    max_cluster_size : int, default=None
        EOM refuses clusters larger than this (None: no limit).
    metric : str, default='euclidean'
        Minkowski family ('euclidean', 'manhattan', 'chebyshev', 'minkowski' with ``p`` in
        ``metric_params``) or 'precomputed' (dense square matrix).
    metric_params : dict, default=None
    alpha : float > 0, default=1.0
        Distance scaling in the mutual reachability.
    algorithm : {'auto', 'brute', 'kd_tree', 'ball_tree', 'prims'}, default='auto'
        How the exact minimum spanning tree is built: 'auto', 'kd_tree' and 'ball_tree' run
        Borůvka rounds on a KD-tree (up to 16 features), 'brute' and 'prims' (and
        'precomputed' or more features) Prim's algorithm over all pairs.
    leaf_size : int, default=40
        KD-tree leaf size for the core distances.
    n_jobs : int, default=None
        Accepted for compatibility.
    cluster_selection_method : {'eom', 'leaf'}, default='eom'
    allow_single_cluster : bool, default=False
        Let the whole data be one cluster.
    store_centers : {None, 'centroid', 'medoid', 'both'}, default=None
        Store the weighted centroid and/or medoid of every cluster.
    copy : bool, default=False
        Accepted for compatibility (the input is never modified).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), int64
        -1 for noise.
    probabilities_ : ndarray of shape (n_samples,)
        Strength of each sample's membership (0 for noise, 1 at the cluster's core).
    outlier_scores_ : ndarray of shape (n_samples,)
        GLOSH outlier scores (Campello et al. 2015): 0 inlier .. 1 outlier.
    minimum_spanning_tree_ : ndarray of shape (n_samples - 1, 3)
        ``[a, b, mutual reachability]``, sorted by weight.
    single_linkage_tree_ : ndarray of shape (n_samples - 1, 4)
        The single-linkage tree as a scipy linkage matrix ``Z``.
    condensed_tree_ : CondensedTree
        Arrays ``parent``, ``child``, ``lambda_val`` (1 / distance), ``child_size``.
    cluster_persistence_ : ndarray of shape (n_clusters,)
    centroids_, medoids_ : ndarray of shape (n_clusters, n_features)
        With ``store_centers``.
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Same labels, probabilities and GLOSH scores as the hdbscan package (with its
    ``min_samples`` one less, exact tree) and scikit-learn's HDBSCAN, up to how ties between
    equal mutual reachability distances are ordered (the references disagree there too).
    Borůvka on the KD-tree: O(log n) rounds of pruned nearest-other-component searches;
    Prim: O(n^2) distance evaluations. Both O(n) memory (plus the matrix for 'precomputed').

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import HDBSCAN
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.2, (30, 2)), rng.normal(4, 0.2, (30, 2)), [[10.0, -8.0]]])
    >>> hd = HDBSCAN(min_cluster_size=5).fit(X)
    >>> len(set(hd.labels_[:60])), int(hd.labels_[-1])
    (2, -1)
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        min_cluster_size: int = 5,
        min_samples: int | None = None,
        cluster_selection_epsilon: float = 0.0,
        max_cluster_size: int | None = None,
        metric: str = "euclidean",
        metric_params: dict | None = None,
        alpha: float = 1.0,
        algorithm: str = "auto",
        leaf_size: int = 40,
        n_jobs: int | None = None,
        cluster_selection_method: str = "eom",
        allow_single_cluster: bool = False,
        store_centers: str | None = None,
        copy: bool = False,
    ) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_epsilon = cluster_selection_epsilon
        self.max_cluster_size = max_cluster_size
        self.metric = metric
        self.metric_params = metric_params
        self.alpha = alpha
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.n_jobs = n_jobs
        self.cluster_selection_method = cluster_selection_method
        self.allow_single_cluster = allow_single_cluster
        self.store_centers = store_centers
        self.copy = copy

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.metric == "precomputed"
        return tags

    def _validate_params(self) -> None:
        check_int("min_cluster_size", self.min_cluster_size, low=2)
        check_int("min_samples", self.min_samples, low=1, allow_none=True)
        check_real("cluster_selection_epsilon", self.cluster_selection_epsilon, low=0.0)
        check_int("max_cluster_size", self.max_cluster_size, low=0, allow_none=True)
        check_metric("HDBSCAN", self.metric, MINKOWSKI_METRICS)
        check_real("alpha", self.alpha, low=0.0, low_inclusive=False)
        check_option("algorithm", self.algorithm, HDBSCAN_ALGORITHMS)
        check_int("leaf_size", self.leaf_size, low=1)
        check_option("cluster_selection_method", self.cluster_selection_method, SELECTION)
        if self.store_centers is not None:
            check_option("store_centers", self.store_centers, ("centroid", "medoid", "both"))

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> HDBSCAN:
        """Cluster the samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) with \
metric='precomputed'
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample (fast_hdbscan's meaning): the core distance is the distance
            at which the neighbours' weight, the sample's own included, reaches
            ``min_samples``, and cluster sizes (``min_cluster_size``, ``max_cluster_size``,
            stabilities) are total weights.

        Returns
        -------
        self : HDBSCAN
            The fitted estimator.
        """
        self._validate_params()
        X = validate_X(self, X, reset=True, min_samples=2)
        n = X.shape[0]
        precomputed = self.metric == "precomputed"
        if precomputed:
            if X.shape[1] != n:
                raise ValueError(
                    f"metric='precomputed' needs a square distance matrix; X has shape {X.shape}."
                )
            if (X < 0).any():
                raise ValueError("metric='precomputed': X has negative distances.")
        elif np.array_equal(X.min(axis=0), X.max(axis=0)):
            raise ValueError("All rows of X are identical; HDBSCAN cannot separate them.")
        k = self.min_cluster_size if self.min_samples is None else self.min_samples
        if k > n:
            raise ValueError(f"min_samples={k} must be <= n_samples={n}.")
        w = None if sample_weight is None else check_sample_weight(sample_weight, n, np.float64)
        # With weights, enough neighbours to reach a weight of k on average twice over.
        kq = int(k) if w is None else int(min(n, max(k, np.ceil(2 * k / w.mean()))))
        code, power = (spatial.EUCLIDEAN, 2.0) if precomputed else resolve_metric(
            self.metric, (self.metric_params or {}).get("p"), self.metric_params
        )  # fmt: skip
        boruvka = (not precomputed and X.shape[1] <= KDTREE_MAX_DIM
                   and self.algorithm not in ("brute", "prims"))  # fmt: skip
        edges = np.empty((n - 1, 3))
        if boruvka:
            index = spatial.build_kdtree(np.ascontiguousarray(X, dtype=np.float64),
                                         int(self.leaf_size))  # fmt: skip
            kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = index
            dist = np.empty((n, kq))
            idx = np.empty((n, kq), dtype=np.int64)
            spatial.knn(kind, Xs, lo, hi, ns, ne, child, code, power, dist, idx)
            core_s = to_distance(_kth(dist, idx, None if w is None else w[order], int(k)),
                                  code, power)  # fmt: skip
            mst_boruvka(Xs, lo, hi, ns, ne, child, core_s, idx, float(self.alpha), code, power,
                        edges, _blocks(n))  # fmt: skip
            edges[:, 0] = order[edges[:, 0].astype(np.int64)]
            edges[:, 1] = order[edges[:, 1].astype(np.int64)]
            core = np.empty(n)
            core[order] = core_s
        else:
            core = self._core_distances(X, int(k), kq, w, code, power, precomputed)
            if precomputed:
                XT, D = np.empty((0, n)), np.ascontiguousarray(X, dtype=np.float64)
            else:
                XT, D = np.ascontiguousarray(X.T, dtype=np.float64), np.empty((0, 0))
            mst_prim(XT, D, precomputed, core, float(self.alpha), code, power, edges)
        edges = edges[np.argsort(edges[:, 2], kind="stable")]
        Z = np.empty((n - 1, 4))
        single_linkage(edges, n, Z)
        size = 2 * n
        par, chi = np.empty(size, np.int64), np.empty(size, np.int64)
        lam, csz = np.empty(size), np.empty(size)
        m = condense(Z, np.ones(n) if w is None else w, float(self.min_cluster_size), par, chi,
                     lam, csz)  # fmt: skip
        sizes = csz[:m].astype(np.int64) if w is None else csz[:m].copy()
        tree = CondensedTree(par[:m].copy(), chi[:m].copy(), lam[:m].copy(), sizes)
        labels, probs, scores, selected = select_clusters(
            tree, n, self.cluster_selection_method, bool(self.allow_single_cluster),
            float(self.cluster_selection_epsilon), int(self.max_cluster_size or 0),
        )  # fmt: skip
        self.labels_ = labels
        self.probabilities_ = probs
        self.outlier_scores_ = scores
        self.minimum_spanning_tree_ = edges
        self.single_linkage_tree_ = Z
        self.condensed_tree_ = tree
        self.cluster_persistence_ = persistence(tree, n, selected)
        self._soft_model: SoftModel | None = None
        self._predict_cache: _PredictMaps | None = None
        self._prediction: tuple | None = None if precomputed else (
            np.ascontiguousarray(X, dtype=np.float64), core, int(k), code, power, selected
        )  # fmt: skip
        if self.store_centers is not None:
            self._store_centers(X)
        return self

    def _core_distances(
        self, X: np.ndarray, k: int, kq: int, w: np.ndarray | None, code: int, power: float,
        precomputed: bool,
    ) -> np.ndarray:  # fmt: skip
        n = X.shape[0]
        if precomputed:
            core = np.empty(n)
            step = max(1, 2**22 // max(n, 1))
            for r0 in range(0, n, step):
                block = X[r0 : r0 + step]
                if w is None:
                    core[r0 : r0 + step] = precomputed_kth(block, k)
                else:
                    idx = np.argsort(block, axis=1, kind="stable")[:, :kq]
                    d = np.take_along_axis(block, idx, axis=1)
                    core[r0 : r0 + step] = _kth(d, idx, w, k)
            return core
        rows = np.ascontiguousarray(X, dtype=np.float64)
        if X.shape[1] <= KDTREE_MAX_DIM:
            index = spatial.build_kdtree(rows, int(self.leaf_size))
        else:
            index = spatial.build_brute(rows)
        dist = np.empty((n, kq))
        idx = np.empty((n, kq), dtype=np.int64)
        kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = index
        spatial.knn(kind, Xs, lo, hi, ns, ne, child, code, power, dist, idx)
        core = np.empty(n)
        core[order] = to_distance(_kth(dist, idx, None if w is None else w[order], k), code,
                                   power)  # fmt: skip
        return core

    def _store_centers(self, X: np.ndarray) -> None:
        if self.metric == "precomputed":
            raise ValueError("store_centers needs feature data, not metric='precomputed'.")
        k = int(self.labels_.max()) + 1
        cents, meds = [], []
        for c in range(k):
            mask = self.labels_ == c
            w = self.probabilities_[mask]
            pts = X[mask]
            if self.store_centers in ("centroid", "both"):
                cents.append(np.average(pts, axis=0, weights=w if w.sum() > 0 else None))
            if self.store_centers in ("medoid", "both"):
                D = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
                meds.append(pts[np.argmin((D * w[None, :]).sum(axis=1))])
        d = X.shape[1]
        if self.store_centers in ("centroid", "both"):
            self.centroids_ = np.asarray(cents).reshape(k, d)
        if self.store_centers in ("medoid", "both"):
            self.medoids_ = np.asarray(meds).reshape(k, d)

    def approximate_predict(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Cluster and membership strength of new samples, without refitting.

        A new sample joins the condensed tree where its mutual-reachability nearest training
        sample is, at the lambda of that edge (its core distance counts it as one of its own
        ``min_samples`` neighbours, as in ``fit``): it gets that sample's cluster when the
        cluster still exists at that lambda, otherwise the nearest surviving ancestor's, or
        noise.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        labels : ndarray of shape (n_queries,), int64
        probabilities : ndarray of shape (n_queries,)
            ``min(lambda, lambda_max of the cluster) / lambda_max`` (0 for noise).
        """
        check_fitted(self, "condensed_tree_")
        if self._prediction is None:
            raise ValueError("approximate_predict needs feature data; the model was fitted on "
                             "metric='precomputed'.")  # fmt: skip
        X = validate_X(self, X, reset=False, dtype=np.float64)
        train, core, k, code, power, _ = self._prediction
        maps = self._predict_maps()
        nb_idx, nb_dist = _query_knn(maps.knn_index, X, min(train.shape[0], 2 * k), code, power)
        nearest, lams = self._attach(X, nb_idx, nb_dist, core, k)
        # Start at the cluster the nearest training sample leaves; while the new sample's lambda
        # is below the lambda at which that cluster split off, move to its parent.
        cluster = maps.leave_parent[nearest]
        moving = np.flatnonzero(maps.leave_lambda[nearest] > lams)
        while moving.size:
            up = cluster[moving]
            moving = moving[(maps.up_parent[up] >= 0) & (maps.up_lambda[up] >= lams[moving])]
            cluster[moving] = maps.up_parent[cluster[moving]]
        labels = maps.label_of[cluster]
        probs = np.zeros(X.shape[0])
        inside = labels >= 0
        max_l = maps.deaths[maps.top_of[cluster[inside]]]
        with np.errstate(divide="ignore", invalid="ignore"):
            probs[inside] = np.where(max_l > 0, np.minimum(max_l, lams[inside]) / max_l, 1.0)
        return labels, probs

    def _predict_maps(self) -> _PredictMaps:
        """The condensed tree as arrays for prediction, and the training samples' search index
        (built on first use, kept like the soft-clustering model)."""
        maps = getattr(self, "_predict_cache", None)
        if maps is not None:
            return maps
        assert self._prediction is not None
        train, _, _, _, _, selected = self._prediction
        n = train.shape[0]
        t = self.condensed_tree_
        size = int(max(t.parent.max(initial=n), t.child.max(initial=n))) + 1
        pts = t.child < n
        leave_parent = np.empty(n, dtype=np.int64)
        leave_lambda = np.empty(n)
        leave_parent[t.child[pts]] = t.parent[pts]
        leave_lambda[t.child[pts]] = t.lambda_val[pts]
        up_parent = np.full(size, -1, dtype=np.int64)
        up_lambda = np.zeros(size)
        up_parent[t.child[~pts]] = t.parent[~pts]
        up_lambda[t.child[~pts]] = t.lambda_val[~pts]
        # Every cluster below a selected one answers for it: label and top (selected) cluster.
        label_of = np.full(size, -1, dtype=np.int64)
        top_of = np.full(size, -1, dtype=np.int64)
        sel = np.asarray(selected, dtype=np.int64)
        label_of[sel] = np.arange(sel.shape[0])
        top_of[sel] = sel
        clusters = t.child[~pts]
        while True:
            par = up_parent[clusters]
            todo = (top_of[clusters] < 0) & (top_of[par] >= 0)
            if not todo.any():
                break
            label_of[clusters[todo]] = label_of[par[todo]]
            top_of[clusters[todo]] = top_of[par[todo]]
        deaths = np.zeros(size)
        np.maximum.at(deaths, t.parent, t.lambda_val)
        index = spatial.build_kdtree(train, int(self.leaf_size)) if train.shape[1] <= \
            KDTREE_MAX_DIM else spatial.build_brute(train)  # fmt: skip
        maps = _PredictMaps(index, leave_parent, leave_lambda, up_parent, up_lambda, label_of,
                            top_of, deaths)  # fmt: skip
        self._predict_cache = maps
        return maps

    def _attach(self, X: np.ndarray, nb_idx: np.ndarray, nb_dist: np.ndarray, core: np.ndarray,
                k: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Mutual-reachability nearest training sample of each new sample, and its lambda."""
        own = max(k - 2, 0)  # the query is its own first neighbour: k - 1 training samples
        core_x = nb_dist[:, own] if k > 1 else np.zeros(X.shape[0])
        mr = np.maximum(np.maximum(core[nb_idx], core_x[:, None]), nb_dist / float(self.alpha))
        j = np.argmin(mr, axis=1)
        best = mr[np.arange(X.shape[0]), j]
        with np.errstate(divide="ignore"):
            lam = np.where(best > 0, 1.0 / best, np.finfo(np.float64).max)
        return nb_idx[np.arange(X.shape[0]), j], lam

    def _soft(self) -> SoftModel:
        if self._prediction is None:
            raise ValueError("soft clustering needs feature data; the model was fitted on "
                             "metric='precomputed'.")  # fmt: skip
        model = getattr(self, "_soft_model", None)
        if model is None:
            train, _, _, _, _, selected = self._prediction
            model = SoftModel(self.condensed_tree_, train.shape[0], selected, train)
            self._soft_model = model
        return model

    def all_points_membership_vectors(self) -> np.ndarray:
        """Soft clustering of the training samples.

        Returns
        -------
        memberships : ndarray of shape (n_samples, n_clusters)
            Row ``i`` splits sample ``i``'s probability of being in some cluster among the
            clusters (distance to each cluster's exemplars x where the sample's branch meets
            each cluster in the condensed tree), as the hdbscan package computes it.
        """
        check_fitted(self, "condensed_tree_")
        model = self._soft()
        assert self._prediction is not None
        train, _, _, code, power, _ = self._prediction
        return all_points_memberships(model, train, code, power)

    def membership_vector(self, X: Any) -> np.ndarray:
        """Soft clustering of new samples (see ``all_points_membership_vectors``).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        memberships : ndarray of shape (n_queries, n_clusters)
        """
        check_fitted(self, "condensed_tree_")
        model = self._soft()
        X = validate_X(self, X, reset=False, dtype=np.float64)
        assert self._prediction is not None
        train, core, k, code, power, _ = self._prediction
        nb_idx, nb_dist = _query_knn(self._predict_maps().knn_index, X, min(train.shape[0], 2 * k),
                                     code, power)  # fmt: skip
        nearest, lam = self._attach(X, nb_idx, nb_dist, core, k)
        return new_point_memberships(model, X, nearest, lam, code, power)

    def dbscan_clustering(self, cut_distance: float, min_cluster_size: int = 5) -> np.ndarray:
        """DBSCAN-like labels from the single-linkage tree cut at ``cut_distance``.

        Parameters
        ----------
        cut_distance : float > 0
            Mutual reachability distance at which the tree is cut.
        min_cluster_size : int, default=5
            Components smaller than this are noise.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        check_fitted(self, "single_linkage_tree_")
        check_real("cut_distance", cut_distance, low=0.0, low_inclusive=False)
        check_int("min_cluster_size", min_cluster_size, low=1)
        Z = self.single_linkage_tree_
        n = Z.shape[0] + 1
        parent = np.arange(2 * n - 1)

        def find(a: int) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for i in range(n - 1):
            if Z[i, 2] < cut_distance:
                parent[find(int(Z[i, 0]))] = n + i
                parent[find(int(Z[i, 1]))] = n + i
        roots = np.array([find(i) for i in range(n)])
        _, inverse, counts = np.unique(roots, return_inverse=True, return_counts=True)
        labels = np.full(n, -1, dtype=np.int64)
        big = counts[inverse] >= min_cluster_size
        _, relabel = np.unique(roots[big], return_inverse=True)
        labels[big] = relabel
        return labels
