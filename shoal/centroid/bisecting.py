"""BisectingKMeans: divisive k-means, one cluster split in two at a time (scikit-learn's API)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from .._backend import Backend, select_backend
from .._base import check_fitted
from .._validation import (
    check_int,
    check_n_clusters,
    check_option,
    check_random_state,
    check_real,
    check_sample_weight,
    validate_X,
)
from ._kmeans_core import check_init_params, init_centroids, kmeans_single, warn_if_fewer_clusters
from .kmeans import _KMeansPredictor

__all__ = ["BisectingKMeans"]

STRATEGIES = ("biggest_inertia", "largest_cluster")
ALGORITHMS = ("lloyd", "elkan", "hamerly")


class _Node:
    """A cluster of the hierarchy: its centre (in centred coordinates), its score, and either
    its two children or, for a leaf, its samples (during fit) and final label."""

    __slots__ = ("center", "indices", "label", "left", "right", "score")

    def __init__(self, center: np.ndarray, indices: np.ndarray | None, score: float) -> None:
        self.center = center
        self.indices = indices
        self.score = score
        self.label = -1
        self.left: _Node | None = None
        self.right: _Node | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            setattr(self, k, v)

    def leaves(self) -> Iterator[_Node]:
        """Leaves from left to right."""
        if self.left is None or self.right is None:
            yield self
        else:
            yield from self.left.leaves()
            yield from self.right.leaves()


class BisectingKMeans(_KMeansPredictor):
    """Bisecting k-means (drop-in for ``sklearn.cluster.BisectingKMeans``).

    Starts from one cluster holding every sample and repeats ``n_clusters - 1`` times: pick a
    leaf cluster (the one with the largest within-cluster sum of squares, or the one with the
    most samples) and split it with 2-means (the best of ``n_init`` runs). The splits form a
    binary tree; ``predict`` walks down it, at each node going to the nearer of the two child
    centres, as scikit-learn does (so a new point can land in a different cluster than its
    nearest final centre).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters (leaves of the tree).
    init : {'k-means++', 'random'} or callable, default='random'
        Initialisation of each 2-means split; a callable is called as
        ``init(X_cluster, 2, random_state=rng)``.
    n_init : int, default=1
        2-means runs per split; the lowest inertia wins.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisations.
    max_iter : int, default=300
        Most iterations of each 2-means run.
    verbose : int, default=0
        Print progress.
    tol : float, default=1e-4
        Convergence of each 2-means run: summed squared centre shift at most ``tol``. Unlike
        ``KMeans``, the value is not scaled by the variance of X (scikit-learn's
        BisectingKMeans does the same, and shoal follows it).
    copy_x : bool, default=True
        X is centred before fitting (for accurate distances); with False it is centred in place
        and restored afterwards (tiny rounding differences may remain).
    algorithm : {'lloyd', 'elkan', 'hamerly'}, default='lloyd'
        k-means algorithm of the splits (see ``KMeans``); all give the same splits.
    bisecting_strategy : {'biggest_inertia', 'largest_cluster'}, default='biggest_inertia'
        Which leaf to split next: the one with the largest weighted sum of squared distances
        to its centre, or the one with the most samples (a count, not a sum of weights, as in
        scikit-learn). Only leaves with at least two samples are split.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centres of the leaves, X's dtype, numbered left to right in the tree.
    labels_ : ndarray of shape (n_samples,), int64
        Leaf of each training sample (equal to ``predict`` on the training data, ties aside).
    inertia_ : float
        Weighted sum of squared distances of the samples to their leaf's centre.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names when X had string column names.

    Notes
    -----
    Each split runs k-means with two centres on the rows of one cluster (copied out of X), so
    a fit costs about ``n_init * (number of tree levels) * n * d`` per iteration in total;
    memory O(n d). The two children of a split are ordered by their centres (first feature
    first), so labels do not depend on which initial centre came first; scikit-learn keeps the
    order of its initial centres, so its label numbers can differ from shoal's for the same
    partition.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import BisectingKMeans
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0], [30.0, 0.0], [30.0, 1.0]])
    >>> bkm = BisectingKMeans(n_clusters=3, random_state=0).fit(X)
    >>> bkm.labels_.tolist()
    [0, 0, 1, 1, 2, 2]
    >>> bkm.cluster_centers_.tolist()
    [[0.0, 0.5], [10.0, 0.5], [30.0, 0.5]]
    >>> bkm.inertia_
    1.5
    """

    # With many 2-means runs per split, the tiny problems of the common checks reach their best
    # split, so weights and repeated samples give the same tree (check_sample_weight_equivalence).
    _test_params: ClassVar[dict[str, Any]] = {"n_clusters": 3, "n_init": 50}

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "random",
        n_init: int = 1,
        random_state: Any = None,
        max_iter: int = 300,
        verbose: int = 0,
        tol: float = 1e-4,
        copy_x: bool = True,
        algorithm: str = "lloyd",
        bisecting_strategy: str = "biggest_inertia",
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.random_state = random_state
        self.max_iter = max_iter
        self.verbose = verbose
        self.tol = tol
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.bisecting_strategy = bisecting_strategy

    def _validate_params(self) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        if isinstance(self.n_init, str):
            raise TypeError(f"n_init={self.n_init!r} must be an integer; got str.")
        check_init_params(self.init, self.n_init, allow_array=False)
        check_int("max_iter", self.max_iter, low=1)
        check_int("verbose", self.verbose, low=0)
        check_real("tol", self.tol, low=0.0)
        check_option("algorithm", self.algorithm, ALGORITHMS)
        check_option("bisecting_strategy", self.bisecting_strategy, STRATEGIES)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> BisectingKMeans:
        """Build the tree of 2-means splits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32).
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        self : BisectingKMeans
            The fitted estimator.
        """
        self._validate_params()
        raw = X
        X = validate_X(self, X, reset=True, min_samples=2)
        n, d = X.shape
        k = check_n_clusters(self.n_clusters, n)
        w = check_sample_weight(sample_weight, n, X.dtype)
        rng = check_random_state(self.random_state)
        backend = select_backend(X)

        mean = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
        in_place = not self.copy_x and X is raw and X.flags.writeable
        if in_place:
            X -= mean
        else:
            X = X - mean
        try:
            # scikit-learn's BisectingKMeans passes tol to its splits unscaled; so does shoal.
            tol = float(self.tol)
            root = _Node(X.mean(axis=0, dtype=np.float64).astype(X.dtype), np.arange(n), 0.0)
            for _ in range(k - 1):
                leaf = self._leaf_to_split(root)
                if leaf is None:
                    break
                self._split(X, w, leaf, rng, tol, backend)
            labels = np.empty(n, dtype=np.int64)
            leaves = list(root.leaves())
            centers = np.empty((len(leaves), d), dtype=X.dtype)
            for i, leaf in enumerate(leaves):
                assert leaf.indices is not None
                labels[leaf.indices] = i
                centers[i] = leaf.center
                leaf.label = i
                leaf.indices = None
            inertia = float(backend.kernels.inertia_dense(X, w, centers, labels))
        finally:
            if in_place:
                X += mean
        self._tree = root
        self._tree_arrays = _flatten(root)
        self._X_mean = mean
        self.cluster_centers_ = np.ascontiguousarray(centers + mean)
        self.labels_ = labels
        self.inertia_ = inertia
        warn_if_fewer_clusters(labels, k)
        return self

    def _leaf_to_split(self, root: _Node) -> _Node | None:
        """The leaf with the highest score among those with at least two samples."""
        best = None
        for leaf in root.leaves():
            assert leaf.indices is not None
            if leaf.indices.shape[0] < 2:
                continue
            if best is None or leaf.score > best.score:
                best = leaf
        return best

    def _split(
        self,
        X: np.ndarray,
        w: np.ndarray,
        leaf: _Node,
        rng: np.random.RandomState,
        tol: float,
        backend: Backend,
    ) -> None:
        assert leaf.indices is not None
        idx = leaf.indices
        Xc = np.take(X, idx, axis=0)  # C-contiguous, faster than X[idx]
        wc = np.take(w, idx)
        best = None
        for _ in range(self.n_init):
            centers0 = init_centroids(Xc, 2, self.init, rng, wc, backend)
            res = kmeans_single(
                Xc,
                wc,
                centers0,
                algorithm=self.algorithm,
                max_iter=self.max_iter,
                tol=tol,
                verbose=max(0, self.verbose - 1),
                backend=backend,
            )
            # scikit-learn's rule: a later run must be better by more than rounding.
            if best is None or res.inertia < best.inertia * (1 - 1e-6):
                best = res
        assert best is not None
        labels, centers = best.labels, best.centers
        if tuple(centers[1]) < tuple(centers[0]):
            # Children in a canonical order: labels do not depend on the initial centres' order.
            centers = centers[::-1].copy()
            labels = 1 - labels
        if self.bisecting_strategy == "biggest_inertia":
            dist = np.empty(Xc.shape[0], dtype=np.float64)
            backend.kernels.sq_dist_to_assigned(Xc, centers, labels, dist)
            scores = np.bincount(labels, weights=wc * dist, minlength=2)
        else:
            scores = np.bincount(labels, minlength=2).astype(np.float64)
        if self.verbose:
            sizes = np.bincount(labels, minlength=2).tolist()
            print(f"Split a cluster of {idx.shape[0]} samples into {sizes}.")
        leaf.left = _Node(centers[0].copy(), idx[labels == 0], float(scores[0]))
        leaf.right = _Node(centers[1].copy(), idx[labels == 1], float(scores[1]))
        leaf.indices = None

    def predict(self, X: Any) -> np.ndarray:
        """Leaf of each sample, going down the tree to the nearer child centre at each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        check_fitted(self, "cluster_centers_")
        X = self._prepare(X, reset=False)
        labels = np.empty(X.shape[0], dtype=np.int64)
        centers, left, right, leaf = self._tree_arrays
        select_backend(X).kernels.tree_descend(
            X, self._X_mean.astype(np.float64), centers, left, right, leaf, labels
        )
        return labels


def _flatten(root: _Node) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tree as arrays for :func:`tree_descend`: node centres (float64), left and right
    child indices (-1 at leaves) and leaf labels, root first."""
    nodes = [root]
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if node.left is not None and node.right is not None:
            nodes += [node.left, node.right]
        i += 1
    index = {id(node): j for j, node in enumerate(nodes)}
    d = root.center.shape[0]
    centers = np.empty((len(nodes), d), dtype=np.float64)
    left = np.full(len(nodes), -1, dtype=np.int64)
    right = np.full(len(nodes), -1, dtype=np.int64)
    leaf = np.full(len(nodes), -1, dtype=np.int64)
    for j, node in enumerate(nodes):
        centers[j] = node.center
        if node.left is not None and node.right is not None:
            left[j] = index[id(node.left)]
            right[j] = index[id(node.right)]
        else:
            leaf[j] = node.label
    return centers, left, right, leaf
