"""OPTICS: an ordering of the samples that holds every DBSCAN clustering at once."""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import numpy as np

from .._base import BaseClusterer, check_fitted
from .._kernels.numba_ import spatial
from .._kernels.numba_.optics import optics_order, optics_order_all, xi_clusters
from .._validation import check_int, check_option, check_real, validate_X
from ._index import (
    ALGORITHMS,
    KDTREE_MAX_DIM,
    MINKOWSKI_METRICS,
    build_index,
    check_metric,
    precomputed_kth,
    resolve_metric,
    to_distance,
)

__all__ = ["OPTICS", "cluster_optics_dbscan", "cluster_optics_xi", "compute_optics_graph"]

CLUSTER_METHODS = ("xi", "dbscan")


def _size(value: Any, n: int, name: str) -> int:
    """An absolute count, or a fraction (<= 1) of n as scikit-learn reads it (at least 2)."""
    if (isinstance(value, float) and not value.is_integer()) or (
        isinstance(value, float) and value <= 1
    ):
        check_real(name, value, low=0.0, high=1.0, low_inclusive=False)
        return max(2, int(value * n))
    v = check_int(name, int(value) if isinstance(value, float) else value, low=2)
    assert v is not None
    if v > n:
        raise ValueError(f"{name}={v} must be <= n_samples={n}.")
    return v


def compute_optics_graph(
    X: np.ndarray,
    *,
    min_samples: int | float,
    max_eps: float = math.inf,
    metric: str = "minkowski",
    p: float = 2,
    metric_params: dict | None = None,
    algorithm: str = "auto",
    leaf_size: int = 30,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The OPTICS reachability graph (scikit-learn's ``compute_optics_graph``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), or (n_samples, n_samples) with \
metric='precomputed'
    min_samples : int > 1 or float in (0, 1]
        Neighbours (the sample included) that make a core sample.
    max_eps, metric, p, metric_params, algorithm, leaf_size
        As in ``OPTICS``.

    Returns
    -------
    ordering : ndarray of shape (n_samples,), int64
    core_distances : ndarray of shape (n_samples,)
    reachability : ndarray of shape (n_samples,)
    predecessor : ndarray of shape (n_samples,), int64
    """
    n = X.shape[0]
    k = _size(min_samples, n, "min_samples")
    precomputed = metric == "precomputed"
    if precomputed:
        D = np.ascontiguousarray(X, dtype=np.float64)
        core = precomputed_kth(D, k)
        index = spatial.build_brute(np.zeros((n, 1)))
        code, power = spatial.EUCLIDEAN, 2.0
    else:
        D = np.empty((0, 0))
        rows = np.ascontiguousarray(X, dtype=np.float64)
        code, power = resolve_metric(metric, p, metric_params)
        if math.isfinite(max_eps):
            index = build_index(rows, max_eps, algorithm, leaf_size)
        else:
            index = build_index(rows, 1.0, "brute" if algorithm == "brute" else "kd_tree",
                                leaf_size)  # fmt: skip
        if index[0] == spatial.GRID or (index[0] == spatial.BRUTE and X.shape[1] <= KDTREE_MAX_DIM
                                        and algorithm != "brute"):  # fmt: skip
            knn_index = spatial.build_kdtree(rows, leaf_size)
        else:
            knn_index = index
        dist = np.empty((n, k))
        idx = np.empty((n, k), dtype=np.int64)
        kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = knn_index
        spatial.knn(kind, Xs, lo, hi, ns, ne, child, code, power, dist, idx)
        core = np.empty(n)
        core[order] = to_distance(dist[:, k - 1], code, power)
    core[core > max_eps] = np.inf
    core = np.around(core, decimals=15)
    reach = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    ordering = np.empty(n, dtype=np.int64)
    if precomputed or math.isfinite(max_eps):
        optics_order(index, D, precomputed, core, float(max_eps), code, power, reach, pred,
                     ordering)  # fmt: skip
    else:
        XT = np.ascontiguousarray(np.asarray(X, dtype=np.float64).T)  # reordered in place
        optics_order_all(XT, core, code, power, reach, pred, ordering)
    if np.isinf(reach).all():
        warnings.warn(
            "All reachability values are inf. Set a larger max_eps or all data will be "
            "considered outliers.",
            UserWarning,
            stacklevel=2,
        )
    return ordering, core, reach, pred


def cluster_optics_dbscan(
    *, reachability: np.ndarray, core_distances: np.ndarray, ordering: np.ndarray, eps: float
) -> np.ndarray:
    """DBSCAN labels at ``eps`` read off an OPTICS ordering (O(n), no neighbour search).

    Parameters
    ----------
    reachability, core_distances, ordering : ndarray of shape (n_samples,)
        From ``OPTICS`` / ``compute_optics_graph``.
    eps : float >= 0
        The DBSCAN radius (at most the ``max_eps`` the graph was computed with).

    Returns
    -------
    labels : ndarray of shape (n_samples,), int64
        -1 for noise. Core samples get DBSCAN's clusters; a border sample may go to another
        cluster than DBSCAN's (it joins the cluster it was reached from in the ordering).
    """
    check_real("eps", eps, low=0.0)
    starts = (reachability > eps) & (core_distances <= eps)
    labels = np.empty(reachability.shape[0], dtype=np.int64)
    labels[ordering] = np.cumsum(starts[ordering]) - 1
    labels[(reachability > eps) & ~(core_distances <= eps)] = -1
    return labels


def cluster_optics_xi(
    *,
    reachability: np.ndarray,
    predecessor: np.ndarray,
    ordering: np.ndarray,
    min_samples: int | float,
    min_cluster_size: int | float | None = None,
    xi: float = 0.05,
    predecessor_correction: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Clusters of the xi steep-area method (Ankerst et al. 1999; Schubert & Gertz 2018).

    Parameters
    ----------
    reachability, predecessor, ordering : ndarray of shape (n_samples,)
        From ``OPTICS`` / ``compute_optics_graph``.
    min_samples : int > 1 or float in (0, 1]
        As given to OPTICS (longest run of non-steep points inside a steep area).
    min_cluster_size : int > 1 or float in (0, 1], default=None (``min_samples``)
    xi : float in (0, 1), default=0.05
        Minimum relative steepness of a cluster boundary.
    predecessor_correction : bool, default=True

    Returns
    -------
    labels : ndarray of shape (n_samples,), int64
        The leaf clusters (a cluster takes its samples unless a smaller one already did).
    clusters : ndarray of shape (n_clusters, 2), int64
        ``[start, end]`` in the ordering (inclusive), inner clusters before outer ones.
    """
    n = reachability.shape[0]
    check_real("xi", xi, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    ms = _size(min_samples, n, "min_samples")
    mcs = ms if min_cluster_size is None else _size(min_cluster_size, n, "min_cluster_size")
    r = np.append(np.asarray(reachability, dtype=np.float64)[ordering], np.inf)
    out = np.empty((n, 2), dtype=np.int64)
    m = xi_clusters(r, np.asarray(predecessor, dtype=np.int64)[ordering], ordering.astype(np.int64),
                    float(xi), ms, mcs, bool(predecessor_correction), out)  # fmt: skip
    clusters = out[:m].copy()
    labels = np.full(n, -1, dtype=np.int64)
    label = 0
    for start, end in clusters:
        if (labels[start : end + 1] == -1).all():
            labels[start : end + 1] = label
            label += 1
    result = np.empty(n, dtype=np.int64)
    result[ordering] = labels
    return result, clusters


class OPTICS(BaseClusterer):
    """Ordering points to identify the clustering structure (Ankerst et al. 1999).

    One fit computes the ordering, the core distances and the reachability of every sample;
    clusters are then read off for any ``eps`` (DBSCAN-like) or by the xi steep-area method,
    without another neighbour search (``extract_dbscan``, ``extract_xi``).

    Parameters
    ----------
    min_samples : int > 1 or float in (0, 1], default=5
        Samples within a radius (itself included) that make a core sample; a float is a
        fraction of n_samples.
    max_eps : float, default=inf
        Largest neighbourhood radius searched (smaller is faster; inf searches everything).
    metric : str, default='minkowski'
        'minkowski' (with ``p``), 'euclidean', 'manhattan', 'chebyshev' and aliases, or
        'precomputed' (a dense square distance matrix).
    p : float >= 1, default=2
    metric_params : dict, default=None
    cluster_method : {'xi', 'dbscan'}, default='xi'
    eps : float, default=None
        Radius for cluster_method='dbscan' (default ``max_eps``).
    xi : float in (0, 1), default=0.05
    predecessor_correction : bool, default=True
    min_cluster_size : int > 1 or float in (0, 1], default=None
        Smallest xi cluster (default ``min_samples``).
    algorithm : {'auto', 'grid', 'kd_tree', 'ball_tree', 'brute'}, default='auto'
        Neighbour search (see DBSCAN).
    leaf_size : int, default=30
    memory : Ignored
        Accepted for scikit-learn compatibility.
    n_jobs : int, default=None
        Accepted for compatibility.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), int64
    reachability_ : ndarray of shape (n_samples,)
        Reachability distance of each sample (sample order; ``inf`` for the first of each
        connected part).
    ordering_ : ndarray of shape (n_samples,), int64
    core_distances_ : ndarray of shape (n_samples,)
        Distance to the ``min_samples``-th nearest sample (inf beyond ``max_eps``).
    predecessor_ : ndarray of shape (n_samples,), int64
    cluster_hierarchy_ : ndarray of shape (n_clusters, 2), int64
        xi clusters as ``[start, end]`` in the ordering (cluster_method='xi').
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Same ordering, reachability, core distances and predecessors as scikit-learn (values
    rounded to 15 decimals as it rounds them; ties go to the lowest sample index) and the same
    xi and dbscan extractions. Exception: with metric='euclidean' (the name) scikit-learn
    measures distances by the norm expansion, whose rounding errors (~1e-8 relative) can order
    near-ties differently; shoal computes every distance directly, as scikit-learn does for the
    default 'minkowski' with p=2. The next sample comes from an indexed heap instead of a scan of
    all unprocessed samples, and neighbours from the spatial index when ``max_eps`` is finite.
    Memory O(n) (plus the matrix for 'precomputed'); time O(n^2) distance evaluations with
    ``max_eps=inf``, about O(n * neighbours within max_eps) otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import OPTICS
    >>> X = np.array([[1, 2], [2, 5], [3, 6], [8, 7], [8, 8], [7, 3]], dtype=float)
    >>> OPTICS(min_samples=2).fit(X).labels_.tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        *,
        min_samples: int | float = 5,
        max_eps: float = math.inf,
        metric: str = "minkowski",
        p: float = 2,
        metric_params: dict | None = None,
        cluster_method: str = "xi",
        eps: float | None = None,
        xi: float = 0.05,
        predecessor_correction: bool = True,
        min_cluster_size: int | float | None = None,
        algorithm: str = "auto",
        leaf_size: int = 30,
        memory: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.min_samples = min_samples
        self.max_eps = max_eps
        self.metric = metric
        self.p = p
        self.metric_params = metric_params
        self.cluster_method = cluster_method
        self.eps = eps
        self.xi = xi
        self.predecessor_correction = predecessor_correction
        self.min_cluster_size = min_cluster_size
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.memory = memory
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.metric == "precomputed"
        return tags

    def _validate_params(self) -> None:
        if not (isinstance(self.max_eps, (int, float)) and self.max_eps > 0):
            raise ValueError(f"max_eps={self.max_eps!r} must be > 0.")
        check_metric("OPTICS", self.metric, MINKOWSKI_METRICS)
        check_real("p", self.p, low=1.0)
        check_option("cluster_method", self.cluster_method, CLUSTER_METHODS)
        check_real("eps", self.eps, low=0.0, allow_none=True)
        check_real("xi", self.xi, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
        check_option("algorithm", self.algorithm, ALGORITHMS)
        check_int("leaf_size", self.leaf_size, low=1)
        if self.eps is not None and self.eps > self.max_eps:
            raise ValueError(f"eps={self.eps} must be <= max_eps={self.max_eps}.")

    def fit(self, X: Any, y: Any = None) -> OPTICS:
        """Compute the ordering and extract the clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) with \
metric='precomputed'
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : OPTICS
            The fitted estimator.
        """
        self._validate_params()
        X = validate_X(self, X, reset=True, dtype=np.float64, min_samples=2)
        if self.metric == "precomputed":
            if X.shape[0] != X.shape[1]:
                raise ValueError(
                    f"metric='precomputed' needs a square distance matrix; X has shape {X.shape}."
                )
            if (X < 0).any():
                raise ValueError("metric='precomputed': X has negative distances.")
        elif np.array_equal(X.min(axis=0), X.max(axis=0)):
            raise ValueError("All rows of X are identical; OPTICS cannot order them.")
        self.ordering_, self.core_distances_, self.reachability_, self.predecessor_ = (
            compute_optics_graph(
                X, min_samples=self.min_samples, max_eps=float(self.max_eps),
                metric=self.metric, p=self.p, metric_params=self.metric_params,
                algorithm=self.algorithm, leaf_size=int(self.leaf_size),
            )
        )  # fmt: skip
        if self.cluster_method == "xi":
            self.labels_, self.cluster_hierarchy_ = self.extract_xi()
        else:
            eps = self.max_eps if self.eps is None else self.eps
            self.labels_ = self.extract_dbscan(eps)
        return self

    def extract_dbscan(self, eps: float) -> np.ndarray:
        """DBSCAN labels at ``eps`` from the fitted ordering (cheap: no neighbour search).

        Parameters
        ----------
        eps : float
            At most ``max_eps``.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        check_fitted(self, "ordering_")
        if eps > self.max_eps:
            raise ValueError(f"eps={eps} must be <= max_eps={self.max_eps}.")
        return cluster_optics_dbscan(
            reachability=self.reachability_, core_distances=self.core_distances_,
            ordering=self.ordering_, eps=eps,
        )  # fmt: skip

    def extract_xi(
        self,
        xi: float | None = None,
        min_cluster_size: int | float | None = None,
        predecessor_correction: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """xi clusters from the fitted ordering (defaults: the estimator's parameters).

        Parameters
        ----------
        xi : float, default=None
        min_cluster_size : int or float, default=None
        predecessor_correction : bool, default=None

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        clusters : ndarray of shape (n_clusters, 2), int64
        """
        check_fitted(self, "ordering_")
        return cluster_optics_xi(
            reachability=self.reachability_, predecessor=self.predecessor_,
            ordering=self.ordering_, min_samples=self.min_samples,
            min_cluster_size=self.min_cluster_size if min_cluster_size is None
            else min_cluster_size,
            xi=self.xi if xi is None else xi,
            predecessor_correction=self.predecessor_correction if predecessor_correction is None
            else predecessor_correction,
        )  # fmt: skip
