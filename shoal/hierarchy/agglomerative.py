"""AgglomerativeClustering: single, Ward, complete, average and weighted linkage."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._base import BaseClusterer
from .._kernels.numba_ import spatial
from .._kernels.numba_.hdbscan import mst_prim, single_linkage
from .._kernels.numba_.hierarchy import (
    AVERAGE,
    COMPLETE,
    WEIGHTED,
    centroid_linkage_vectors,
    condensed_distances,
    nn_chain_matrix,
    nn_chain_ward_vectors,
)
from .._validation import check_int, check_option, check_real, validate_X
from ._connectivity import graph_merges

__all__ = ["AgglomerativeClustering", "cut_linkage"]

LINKAGES = ("ward", "complete", "average", "single", "weighted", "centroid", "median")
METRICS = ("euclidean", "l2", "manhattan", "l1", "cityblock", "chebyshev", "cosine",
           "precomputed")  # fmt: skip
GRAPH_LINKAGES = ("ward", "complete", "average", "single")
_CODES = {"euclidean": 0, "l2": 0, "manhattan": 1, "l1": 1, "cityblock": 1, "chebyshev": 2}
_MATRIX = {"complete": COMPLETE, "average": AVERAGE, "weighted": WEIGHTED}


def cut_linkage(
    Z: np.ndarray, n_clusters: int | None = None, height: float | None = None
) -> np.ndarray:
    """Flat clusters from a linkage matrix, by count or by height.

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)
        A scipy linkage matrix (merges in increasing height).
    n_clusters : int, default=None
        Undo the last ``n_clusters - 1`` merges.
    height : float, default=None
        Keep the merges strictly below this height.

    Returns
    -------
    labels : ndarray of shape (n,), int64
        Clusters numbered in order of their first sample.
    """
    Z = np.asarray(Z, dtype=np.float64)
    n = Z.shape[0] + 1
    if (n_clusters is None) == (height is None):
        raise ValueError("Give exactly one of n_clusters and height.")
    if height is not None:
        keep = int(np.count_nonzero(Z[:, 2] < height))
    else:
        k = check_int("n_clusters", n_clusters, low=1, high=n)
        assert k is not None
        keep = n - k
    parent = np.arange(2 * n - 1)
    for i in range(keep):
        parent[int(Z[i, 0])] = n + i
        parent[int(Z[i, 1])] = n + i
    roots = np.arange(n)
    for _ in range(64):  # pointer jumping: depth halves each pass
        nxt = parent[roots]
        if np.array_equal(nxt, roots):
            break
        roots = nxt
        parent[: 2 * n - 1] = parent[parent]
    _, first, inverse = np.unique(roots, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))
    return rank[inverse].astype(np.int64)


class AgglomerativeClustering(BaseClusterer):
    """Bottom-up hierarchical clustering, merging the two closest clusters at every step.

    Parameters
    ----------
    n_clusters : int or None, default=2
        Clusters to return (None with ``distance_threshold``).
    metric : str, default='euclidean'
        'euclidean' ('l2'), 'manhattan' ('l1', 'cityblock'), 'chebyshev', 'cosine' or
        'precomputed' (a square distance matrix). Ward needs 'euclidean'.
    memory : Ignored
        Accepted for scikit-learn compatibility.
    connectivity : array-like or sparse matrix of shape (n_samples, n_samples), default=None
        Only clusters joined by an edge of this graph may merge (ward, complete, average and
        single linkage); a disconnected graph is completed at the closest pairs of its
        components, with a warning. As in scikit-learn, complete / average / single then
        measure two clusters by the lengths of the edges between them only (largest,
        size-weighted mean of the parts', smallest), not by all their pairs.
    compute_full_tree : 'auto' or bool, default='auto'
        Accepted; the full tree is always built (it costs no more here).
    linkage : {'ward', 'complete', 'average', 'single', 'weighted', 'centroid', 'median'}, \
default='ward'
        Cluster distance: Ward's variance increase, the largest, mean (UPGMA) or smallest
        pairwise distance, WPGMA ('weighted'), or the distance between centroids (UPGMC) or
        between WPGMC points ('median'); the last two need 'euclidean' and may merge at a lower
        height than an earlier merge (inversions), as scipy's do.
    distance_threshold : float, default=None
        Cut the tree at this height instead of at ``n_clusters``.
    compute_distances : bool, default=False
        Keep ``distances_`` even with ``n_clusters``.

    Attributes
    ----------
    n_clusters_ : int
    labels_ : ndarray of shape (n_samples,), int64
    n_leaves_ : int
    n_connected_components_ : int
    children_ : ndarray of shape (n_samples - 1, 2), int64
        Row ``i`` merges nodes ``children_[i]`` into node ``n_samples + i`` (samples are nodes
        ``0 .. n_samples - 1``).
    distances_ : ndarray of shape (n_samples - 1,)
        Merge heights (with ``distance_threshold`` or ``compute_distances``).
    linkage_matrix_ : ndarray of shape (n_samples - 1, 4)
        The tree in scipy's linkage format ``Z`` (``scipy.cluster.hierarchy.dendrogram(Z)``).
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Single linkage is the minimum spanning tree (Prim over all pairs, O(n) memory); Ward on
    vectors is a nearest-neighbour chain over centroids (O(n d) memory, O(n^2 d) time); complete,
    average and weighted run the nearest-neighbour chain on the condensed distance matrix
    (n (n - 1) / 2 values: that memory is inherent to them); centroid and median keep each
    cluster's nearest neighbour over the centroids (O(n d) memory). Heights and merges equal
    ``scipy.cluster.hierarchy.linkage`` up to the order of equal-height merges.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import AgglomerativeClustering
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 4], [4, 0]], dtype=float)
    >>> AgglomerativeClustering(n_clusters=2).fit(X).labels_.tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        n_clusters: int | None = 2,
        *,
        metric: str = "euclidean",
        memory: Any = None,
        connectivity: Any = None,
        compute_full_tree: Any = "auto",
        linkage: str = "ward",
        distance_threshold: float | None = None,
        compute_distances: bool = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.metric = metric
        self.memory = memory
        self.connectivity = connectivity
        self.compute_full_tree = compute_full_tree
        self.linkage = linkage
        self.distance_threshold = distance_threshold
        self.compute_distances = compute_distances

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.metric == "precomputed"
        return tags

    def _validate_params(self) -> None:
        if (self.n_clusters is None) == (self.distance_threshold is None):
            raise ValueError(
                "Exactly one of n_clusters and distance_threshold has to be set, and the other "
                f"needs to be None (got n_clusters={self.n_clusters!r}, distance_threshold="
                f"{self.distance_threshold!r})."
            )
        check_int("n_clusters", self.n_clusters, low=1, allow_none=True)
        check_real("distance_threshold", self.distance_threshold, low=0.0, allow_none=True)
        check_option("linkage", self.linkage, LINKAGES)
        if callable(self.metric):
            raise ValueError("metric=<callable> is not supported: pass metric='precomputed'.")
        check_option("metric", self.metric, METRICS)
        if self.linkage in ("ward", "centroid", "median") and self.metric not in (
            "euclidean", "l2",
        ):  # fmt: skip
            raise ValueError(
                f"linkage={self.linkage!r} needs metric='euclidean'; got metric={self.metric!r}."
            )
        if self.connectivity is not None and self.linkage not in GRAPH_LINKAGES:
            raise NotImplementedError(
                "connectivity-constrained merging is defined for linkage='ward', 'complete', "
                f"'average' and 'single' (scikit-learn's); got linkage={self.linkage!r}."
            )
        if callable(self.connectivity):
            raise ValueError("connectivity=<callable> is not supported; pass the graph itself.")

    def fit(self, X: Any, y: Any = None) -> AgglomerativeClustering:
        """Build the tree and cut it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) with \
metric='precomputed'
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : AgglomerativeClustering
            The fitted estimator.
        """
        self._validate_params()
        X = validate_X(self, X, reset=True, min_samples=2)
        n = X.shape[0]
        if self.n_clusters is not None and self.n_clusters > n:
            raise ValueError(f"n_clusters={self.n_clusters} must be <= n_samples={n}.")
        if self.connectivity is not None:
            merges, n_comp = graph_merges(np.asarray(X, dtype=np.float64), self.connectivity,
                                          self.linkage, self.metric)  # fmt: skip
            Z = _z_from_nodes(merges, n)
        else:
            Z, n_comp = linkage_matrix(X, self.linkage, self.metric), 1
        self.linkage_matrix_ = Z
        self.children_ = Z[:, :2].astype(np.int64)
        self.n_leaves_ = n
        self.n_connected_components_ = n_comp
        if self.distance_threshold is not None:
            self.n_clusters_ = int(np.count_nonzero(Z[:, 2] >= self.distance_threshold)) + 1
        else:
            self.n_clusters_ = int(self.n_clusters)  # type: ignore[arg-type]
        if self.distance_threshold is not None or self.compute_distances:
            self.distances_ = Z[:, 2].copy()
        self.labels_ = cut_linkage(Z, n_clusters=self.n_clusters_)
        return self


def _z_from_nodes(merges: np.ndarray, n: int) -> np.ndarray:
    """scipy's Z from merges that already name tree nodes (samples, then n + step)."""
    Z = np.empty((n - 1, 4))
    size = np.ones(2 * n - 1)
    for i, (a, b, h) in enumerate(merges):
        a, b = int(a), int(b)
        size[n + i] = size[a] + size[b]
        Z[i] = (min(a, b), max(a, b), h, size[n + i])
    return Z


def linkage_matrix(X: np.ndarray, method: str, metric: str) -> np.ndarray:
    """scipy's linkage matrix of ``X`` (samples, or distances with 'precomputed')."""
    n = X.shape[0]
    merges = np.empty((n - 1, 3))
    rows = np.ascontiguousarray(X, dtype=np.float64)
    if metric == "precomputed":
        if rows.shape[1] != n:
            raise ValueError(
                f"metric='precomputed' needs a square distance matrix; X has shape {rows.shape}."
            )
        if (rows < 0).any():
            raise ValueError("metric='precomputed': X has negative distances.")
    if method == "ward":
        nn_chain_ward_vectors(rows, merges)
    elif method in ("centroid", "median"):
        centroid_linkage_vectors(rows, method == "median", merges)
    elif method == "single" and metric != "precomputed":
        cosine = metric == "cosine"
        if cosine:  # single linkage only needs the order: chord length is monotone in cosine
            rows = rows / _norms(rows)[:, None]
        code = spatial.EUCLIDEAN if cosine else _CODES[metric]
        mst_prim(np.ascontiguousarray(rows.T), np.empty((0, 0)), False, np.zeros(n), 1.0,
                 code, 2.0, merges)  # fmt: skip
        if cosine:
            merges[:, 2] = merges[:, 2] ** 2 / 2.0
    elif method == "single":  # precomputed: the MST read off the matrix
        mst_prim(np.empty((0, n)), rows, True, np.zeros(n), 1.0, spatial.EUCLIDEAN, 2.0, merges)
    else:
        nn_chain_matrix(_condensed(rows, metric), n, _MATRIX[method], merges)
    if method not in ("centroid", "median"):  # those keep merge order (inversions allowed)
        merges = merges[np.argsort(merges[:, 2], kind="stable")]
    Z = np.empty((n - 1, 4))
    single_linkage(merges, n, Z)
    return Z


def _norms(rows: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
    if (norms == 0).any():
        raise ValueError("metric='cosine' needs rows with non-zero norm.")
    return norms


def _condensed(rows: np.ndarray, metric: str) -> np.ndarray:
    n = rows.shape[0]
    if metric == "precomputed":
        iu = np.triu_indices(n, 1)
        return np.ascontiguousarray(rows[iu])
    out = np.empty(n * (n - 1) // 2)
    if metric == "cosine":
        condensed_distances(np.ascontiguousarray(rows / _norms(rows)[:, None]), 4, 2.0, out)
    else:
        condensed_distances(rows, _CODES[metric], 2.0, out)
    return out
