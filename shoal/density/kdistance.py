"""The k-distance curve and its knee: the usual way to choose DBSCAN's ``eps``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._kernels.numba_ import spatial
from .._validation import check_array, check_int, check_option, check_real
from ._index import KDTREE_MAX_DIM, METRICS, resolve_metric, to_distance

__all__ = ["KDistance", "k_distance", "knee_point"]


@dataclass(frozen=True)
class KDistance:
    """Result of ``k_distance``.

    Attributes
    ----------
    distances : ndarray of shape (n_samples,)
        Each sample's distance to its k-th nearest sample (itself counted first), ascending.
    k : int
    knee_index : int
        Position of the knee in ``distances``.
    eps : float
        ``distances[knee_index]``: with ``eps`` there and ``min_samples=k``, the samples left of
        the knee are DBSCAN core samples.
    """

    distances: np.ndarray
    k: int
    knee_index: int
    eps: float


def knee_point(y: Any) -> int:
    """Knee of an increasing convex curve (Kneedle, Satopaa et al. 2011).

    Both axes are scaled to [0, 1]; the knee is the point farthest below the diagonal.

    Parameters
    ----------
    y : array-like of shape (n,)
        Values sorted ascending.

    Returns
    -------
    index : int
        The knee's position (the last one when the curve is flat).
    """
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    if n < 3 or y[-1] == y[0]:
        return n - 1
    x = np.arange(n) / (n - 1)
    yn = (y - y[0]) / (y[-1] - y[0])
    return int(np.argmax(x - yn))


def k_distance(
    X: Any,
    k: int = 5,
    *,
    metric: str = "euclidean",
    p: float | None = None,
    metric_params: dict | None = None,
    leaf_size: int = 30,
) -> KDistance:
    """Sorted distances to the k-th nearest neighbour, and the knee that suggests ``eps``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k : int, default=5
        Neighbour rank, the sample itself counted as the first (use DBSCAN's ``min_samples``).
    metric : str, default='euclidean'
        As in ``DBSCAN`` (not 'precomputed').
    p : float, default=None
        Minkowski power.
    metric_params : dict, default=None
    leaf_size : int, default=30
        KD-tree leaf size (up to 16 features; brute force beyond).

    Returns
    -------
    KDistance

    Notes
    -----
    Memory O(n k); time one k-nearest-neighbour search per sample.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import k_distance
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.1, (200, 2)), rng.uniform(-3, 3, (20, 2))])
    >>> kd = k_distance(X, k=5)
    >>> kd.distances.shape, 0.05 < kd.eps < 0.5
    ((220,), True)
    """
    check_int("k", k, low=1)
    check_option("metric", metric, [m for m in METRICS if m != "precomputed"])
    check_real("p", p, low=1.0, allow_none=True)
    check_int("leaf_size", leaf_size, low=1)
    X = check_array(X, min_samples=1)
    n = X.shape[0]
    if k > n:
        raise ValueError(f"k={k} must be <= n_samples={n}.")
    rows = X.astype(np.float64)
    scale = None
    if metric == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
        if (norms == 0).any():
            raise ValueError("metric='cosine' needs rows with non-zero norm.")
        rows /= norms[:, None]
        code, power, scale = spatial.EUCLIDEAN, 2.0, "cosine"
    elif metric == "sqeuclidean":
        code, power, scale = spatial.EUCLIDEAN, 2.0, "sq"
    else:
        code, power = resolve_metric(metric, p, metric_params)
    if X.shape[1] <= KDTREE_MAX_DIM:
        index = spatial.build_kdtree(rows, leaf_size)
    else:
        index = spatial.build_brute(rows)
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype=np.int64)
    kind, Xs, _, _, _, _, _, _, lo, hi, ns, ne, child = index
    spatial.knn(kind, Xs, lo, hi, ns, ne, child, code, power, dist, idx)
    kth = dist[:, k - 1]
    if scale == "cosine":  # squared chord between unit vectors = 2 (1 - cos)
        kth = kth / 2.0
    elif scale != "sq":
        kth = to_distance(kth, code, power)
    d = np.sort(kth)
    knee = knee_point(d)
    return KDistance(distances=d, k=int(k), knee_index=knee, eps=float(d[knee]))
