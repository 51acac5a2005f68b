"""Birch: a clustering-feature tree summarises the data in one pass; a global step clusters
the leaf subclusters (Zhang, Ramakrishnan & Livny 1996)."""

from __future__ import annotations

import warnings
from math import sqrt
from numbers import Integral
from typing import Any, ClassVar

import numpy as np
from sklearn.base import TransformerMixin, clone
from sklearn.exceptions import ConvergenceWarning

from .._base import BaseClusterer, check_fitted
from .._kernels.numba_.birch import (
    META_DEPTH,
    META_ENTRIES,
    META_NODES,
    META_ROOT,
    birch_insert,
)
from .._validation import check_int, check_real, validate_X
from ..density._index import nearest_rows
from .agglomerative import AgglomerativeClustering

__all__ = ["Birch", "CFNode", "CFSubcluster"]

# Rows of the n x (subclusters) distance blocks in predict / transform (about 32 MiB each).
BLOCK_VALUES = 1 << 22


class CFSubcluster:
    """One entry of a CF tree (a read-only view built from the fitted tree).

    Attributes
    ----------
    n_samples_ : int
        N, the samples summarised.
    linear_sum_ : ndarray of shape (n_features,)
        LS, their sum.
    squared_sum_ : float
        SS, the sum of their squared norms.
    centroid_ : ndarray of shape (n_features,)
        ``LS / N``.
    sq_norm_ : float
        The centroid's squared norm.
    child_ : CFNode or None
        The node this entry summarises (None in a leaf).
    """

    def __init__(self, n: int, ls: np.ndarray, ss: float, c: np.ndarray, sq: float) -> None:
        self.n_samples_ = n
        self.linear_sum_ = ls
        self.squared_sum_ = ss
        self.centroid_ = c
        self.sq_norm_ = sq
        self.child_: CFNode | None = None

    @property
    def radius(self) -> float:
        """Root mean squared distance of the samples to the centroid, ``sqrt(SS/N - |c|^2)``."""
        return sqrt(max(0.0, self.squared_sum_ / self.n_samples_ - self.sq_norm_))


class CFNode:
    """One node of a CF tree (a read-only view built from the fitted tree).

    Attributes
    ----------
    subclusters_ : list of CFSubcluster
    is_leaf : bool
    centroids_ : ndarray of shape (n_subclusters, n_features)
    squared_norm_ : ndarray of shape (n_subclusters,)
    prev_leaf_, next_leaf_ : CFNode or None
        Neighbours in the list of leaves (leaves only).
    """

    def __init__(self, is_leaf: bool, subclusters: list[CFSubcluster], n_features: int) -> None:
        self.is_leaf = is_leaf
        self.subclusters_ = subclusters
        self.centroids_ = (np.array([s.centroid_ for s in subclusters])
                           if subclusters else np.empty((0, n_features)))  # fmt: skip
        self.squared_norm_ = np.array([s.sq_norm_ for s in subclusters], dtype=np.float64)
        self.prev_leaf_: CFNode | None = None
        self.next_leaf_: CFNode | None = None


class _CFTree:
    """The CF tree in flat arrays (layout in ``shoal._kernels.numba_.birch``), grown by doubling."""

    def __init__(self, n_features: int, threshold: float, branching: int, expect: int) -> None:
        self.threshold = float(threshold)
        self.branching = int(branching)
        cap_e = max(16, min(expect, 1 << 16))
        cap_v = max(4, 2 * cap_e // max(2, self.branching))
        self.e_n = np.zeros(cap_e, dtype=np.int64)
        self.e_ls = np.zeros((cap_e, n_features))
        self.e_ss = np.zeros(cap_e)
        self.e_c = np.zeros((cap_e, n_features))
        self.e_sq = np.zeros(cap_e)
        self.e_child = np.full(cap_e, -1, dtype=np.int64)
        self.nd_leaf = np.zeros(cap_v, dtype=np.int64)
        self.nd_cnt = np.zeros(cap_v, dtype=np.int64)
        self.nd_ent = np.full((cap_v, self.branching + 1), -1, dtype=np.int64)
        self.nd_prev = np.full(cap_v, -1, dtype=np.int64)
        self.nd_next = np.full(cap_v, -1, dtype=np.int64)
        # Node 0: the dummy leaf heading the leaf list; node 1: the root, a leaf at first.
        self.nd_leaf[:2] = 1
        self.nd_next[0] = 1
        self.nd_prev[1] = 0
        self.meta = np.array([0, 2, 1, 0], dtype=np.int64)

    def _grow(self) -> None:
        def more(a: np.ndarray, fill: int | float) -> np.ndarray:
            b = np.full((2 * a.shape[0], *a.shape[1:]), fill, dtype=a.dtype)
            b[: a.shape[0]] = a
            return b

        e_used = int(self.meta[META_ENTRIES])
        if e_used + int(self.meta[META_DEPTH]) + 4 > self.e_n.shape[0]:
            self.e_n, self.e_ss = more(self.e_n, 0), more(self.e_ss, 0)
            self.e_sq = more(self.e_sq, 0)
            self.e_ls, self.e_c = more(self.e_ls, 0), more(self.e_c, 0)
            self.e_child = more(self.e_child, -1)
        if int(self.meta[META_NODES]) + int(self.meta[META_DEPTH]) + 3 > self.nd_cnt.shape[0]:
            self.nd_leaf, self.nd_cnt = more(self.nd_leaf, 0), more(self.nd_cnt, 0)
            self.nd_ent = more(self.nd_ent, -1)
            self.nd_prev, self.nd_next = more(self.nd_prev, -1), more(self.nd_next, -1)

    def insert(self, X: np.ndarray) -> None:
        start = 0
        while True:
            start = birch_insert(X, start, self.threshold, self.branching,
                                 self.e_n, self.e_ls, self.e_ss, self.e_c, self.e_sq,
                                 self.e_child, self.nd_leaf, self.nd_cnt, self.nd_ent,
                                 self.nd_prev, self.nd_next, self.meta)  # fmt: skip
            if start >= X.shape[0]:
                return
            self._grow()

    def leaf_entries(self) -> np.ndarray:
        """Entry ids of the leaf subclusters, leaf by leaf along the leaf list."""
        out = []
        v = int(self.nd_next[0])
        while v >= 0:
            out.append(self.nd_ent[v, : self.nd_cnt[v]])
            v = int(self.nd_next[v])
        return np.concatenate(out) if out else np.empty(0, dtype=np.int64)

    def views(self) -> tuple[CFNode, CFNode]:
        """(root, dummy leaf) as linked CFNode / CFSubcluster objects."""
        d = self.e_ls.shape[1]
        nodes: dict[int, CFNode] = {}

        def build(v: int) -> CFNode:
            subs = []
            for e in self.nd_ent[v, : self.nd_cnt[v]].tolist():
                s = CFSubcluster(int(self.e_n[e]), self.e_ls[e].copy(), float(self.e_ss[e]),
                                 self.e_c[e].copy(), float(self.e_sq[e]))  # fmt: skip
                if self.e_child[e] >= 0:
                    s.child_ = build(int(self.e_child[e]))
                subs.append(s)
            node = CFNode(bool(self.nd_leaf[v]), subs, d)
            nodes[v] = node
            return node

        root = build(int(self.meta[META_ROOT]))
        dummy = CFNode(True, [], d)
        prev, v = dummy, int(self.nd_next[0])
        while v >= 0:
            leaf = nodes[v]
            prev.next_leaf_, leaf.prev_leaf_ = leaf, prev
            prev, v = leaf, int(self.nd_next[v])
        return root, dummy


class Birch(TransformerMixin, BaseClusterer):
    """BIRCH: one pass builds a clustering-feature tree; its leaf subclusters are then
    clustered globally (scikit-learn's algorithm, in compiled code).

    Every sample descends the tree along the closest entries to the closest leaf subcluster,
    which absorbs it if the subcluster's radius stays within ``threshold``; otherwise it starts
    a new subcluster, and a node holding more than ``branching_factor`` entries splits around
    its farthest pair of entries (splits can climb to the root).

    Parameters
    ----------
    threshold : float, default=0.5
        Largest radius (root mean squared distance to the centroid) of a leaf subcluster.
    branching_factor : int, default=50
        Most entries per node (> 1).
    n_clusters : int, clusterer instance or None, default=3
        Global step: an int runs Ward agglomerative clustering (shoal's) on the subcluster
        centroids; a clusterer (anything with ``fit_predict``) is cloned and run on them; None
        keeps every subcluster as a cluster.
    compute_labels : bool, default=True
        Label the training samples (``labels_``).
    copy : bool, default=True
        Accepted for compatibility; the input is never modified either way.

    Attributes
    ----------
    root_ : CFNode
        The tree's root (a view built on first access).
    dummy_leaf_ : CFNode
        Heads the list of leaves (``dummy_leaf_.next_leaf_`` is the first leaf).
    subcluster_centers_ : ndarray of shape (n_subclusters, n_features)
        Centroids of the leaf subclusters, leaf by leaf along the leaf list.
    subcluster_labels_ : ndarray of shape (n_subclusters,), int64
        Global cluster of each subcluster.
    labels_ : ndarray of shape (n_samples,), int64
        Global cluster of each training sample (of the last batch with ``partial_fit``).
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    The tree lives in flat arrays (O(n_subclusters * n_features) memory); predict and
    transform work in blocks of rows, never n x n. The same samples in the same order give
    the same leaves as scikit-learn's Birch (its closest-entry, merge and split arithmetic
    is followed step for step); radii use ``SS/N - |LS/N|^2``, which loses precision for data
    far from the origin, as scikit-learn's does (centre such data first).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import Birch
    >>> X = np.array([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [10, 0]], dtype=float)
    >>> b = Birch(threshold=2.0, n_clusters=None).fit(X)
    >>> b.labels_.tolist()
    [0, 0, 0, 1, 1, 2]
    >>> [s.n_samples_ for s in b.root_.subclusters_]
    [3, 2, 1]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        branching_factor: int = 50,
        n_clusters: Any = 3,
        compute_labels: bool = True,
        copy: bool = True,
    ) -> None:
        self.threshold = threshold
        self.branching_factor = branching_factor
        self.n_clusters = n_clusters
        self.compute_labels = compute_labels
        self.copy = copy

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _validate_params(self) -> None:
        check_real("threshold", self.threshold, low=0.0, low_inclusive=False)
        check_int("branching_factor", self.branching_factor, low=2)
        k = self.n_clusters
        if k is None or hasattr(k, "fit_predict"):
            return
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, Integral):
            raise TypeError(
                f"n_clusters must be an int, a clusterer with fit_predict or None; got {k!r}."
            )
        check_int("n_clusters", k, low=1)

    def fit(self, X: Any, y: Any = None) -> Birch:
        """Build the CF tree of X and run the global clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : Birch
            The fitted estimator.
        """
        return self._fit(X, partial=False)

    def partial_fit(self, X: Any = None, y: Any = None) -> Birch:
        """Insert more samples into the tree (started on the first call); with ``X=None`` only
        rerun the global clustering (e.g. after changing ``n_clusters``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : Birch
            The fitted estimator.
        """
        if X is None:
            check_fitted(self, "subcluster_centers_")
            self._validate_params()
            self._global_clustering(None)
            return self
        return self._fit(X, partial=True)

    def _fit(self, X: Any, partial: bool) -> Birch:
        self._validate_params()
        first = not (partial and getattr(self, "_tree", None) is not None)
        X = validate_X(self, X, reset=first)
        rows = np.ascontiguousarray(X, dtype=np.float64)
        if first:  # later batches keep the threshold and branching factor of the first
            self._tree = _CFTree(X.shape[1], self.threshold, int(self.branching_factor),
                                 X.shape[0])  # fmt: skip
        self._tree.insert(rows)
        self._views: tuple[CFNode, CFNode] | None = None
        leaves = self._tree.leaf_entries()
        self.subcluster_centers_ = self._tree.e_c[leaves].astype(X.dtype)
        self._n_features_out = self.subcluster_centers_.shape[0]
        self._global_clustering(rows)
        return self

    def _global_clustering(self, rows: np.ndarray | None) -> None:
        centers = self.subcluster_centers_.astype(np.float64)
        m = centers.shape[0]
        k = self.n_clusters
        if k is None:
            self.subcluster_labels_ = np.arange(m, dtype=np.int64)
        elif not hasattr(k, "fit_predict") and m < int(k):
            warnings.warn(
                f"Number of subclusters found ({m}) by BIRCH is less than n_clusters={k}. "
                "Decrease the threshold.",
                ConvergenceWarning,
                stacklevel=4,
            )
            self.subcluster_labels_ = np.arange(m, dtype=np.int64)
        else:
            est = (clone(k) if hasattr(k, "fit_predict")
                   else AgglomerativeClustering(n_clusters=int(k)))  # fmt: skip
            self.subcluster_labels_ = np.asarray(est.fit_predict(centers), dtype=np.int64)
        if rows is not None and self.compute_labels:
            self.labels_ = self.subcluster_labels_[nearest_rows(rows, centers)]

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return the global cluster of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.
        **kwargs : dict
            Unused.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        self.fit(X)
        if self.compute_labels:
            return self.labels_
        return self.predict(X)

    def predict(self, X: Any) -> np.ndarray:
        """Global cluster of the closest subcluster centroid of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        check_fitted(self, "subcluster_centers_")
        X = validate_X(self, X, reset=False)
        rows = np.ascontiguousarray(X, dtype=np.float64)
        return self.subcluster_labels_[nearest_rows(rows, self.subcluster_centers_)]

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distance of each sample to each subcluster centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        distances : ndarray of shape (n_samples, n_subclusters)
            In X's float dtype (the caller asked for this n x m matrix).
        """
        check_fitted(self, "subcluster_centers_")
        X = validate_X(self, X, reset=False)
        C = self.subcluster_centers_.astype(np.float64)
        out = np.empty((X.shape[0], C.shape[0]), dtype=X.dtype)
        c_sq = (C**2).sum(axis=1)
        step = max(1, BLOCK_VALUES // max(1, C.shape[0]))
        for r0 in range(0, X.shape[0], step):
            A = np.asarray(X[r0 : r0 + step], dtype=np.float64)
            D = (A**2).sum(axis=1)[:, None] - 2.0 * (A @ C.T) + c_sq[None, :]
            out[r0 : r0 + step] = np.sqrt(np.maximum(D, 0.0))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the transformed features: ``"birch0" .. "birch{m-1}"``."""
        check_fitted(self, "subcluster_centers_")
        return np.asarray([f"birch{i}" for i in range(self._n_features_out)], dtype=object)

    def _tree_views(self) -> tuple[CFNode, CFNode]:
        tree = getattr(self, "_tree", None)
        if tree is None:
            raise AttributeError("This Birch instance is not fitted yet: no CF tree.")
        if getattr(self, "_views", None) is None:
            self._views = tree.views()
        assert self._views is not None
        return self._views

    @property
    def root_(self) -> CFNode:
        """The CF tree's root node."""
        return self._tree_views()[0]

    @property
    def dummy_leaf_(self) -> CFNode:
        """The node heading the list of leaves."""
        return self._tree_views()[1]
