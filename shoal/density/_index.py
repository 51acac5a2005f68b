"""Choosing and building the spatial index for a metric, and nearest-centre queries (shared by
the density, hierarchy and graph estimators)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels.numba_ import spatial
from .._kernels.numba_.minibatch import assign_rows

MINKOWSKI_ALIASES = {
    "euclidean": 2.0, "l2": 2.0, "manhattan": 1.0, "cityblock": 1.0, "l1": 1.0,
    "chebyshev": math.inf, "infinity": math.inf,
}  # fmt: skip
METRICS = (*MINKOWSKI_ALIASES, "minkowski", "sqeuclidean", "cosine", "precomputed")
# OPTICS and HDBSCAN: distances must stay distances (no squared or cosine rescaling).
MINKOWSKI_METRICS = (*MINKOWSKI_ALIASES, "minkowski", "precomputed")
ALGORITHMS = ("auto", "grid", "kd_tree", "ball_tree", "brute")
# Above this dimension a KD-tree prunes little; blocked brute force is used instead.
KDTREE_MAX_DIM = 16


def resolve_metric(metric: str, p: float | None, metric_params: dict | None) -> tuple[int, float]:
    """Metric code and Minkowski power for a Minkowski-family metric name."""
    if metric in MINKOWSKI_ALIASES:
        power = MINKOWSKI_ALIASES[metric]
    else:  # minkowski
        power = p if p is not None else (metric_params or {}).get("p", 2.0)
        power = float(power)
        if not power >= 1.0:
            raise ValueError(f"p={power} must be >= 1 for the Minkowski metric.")
    if power == 2.0:
        return spatial.EUCLIDEAN, 2.0
    if power == 1.0:
        return spatial.MANHATTAN, 1.0
    if power == math.inf:
        return spatial.CHEBYSHEV, math.inf
    return spatial.MINKOWSKI, power


def build_index(X: np.ndarray, radius: float, algorithm: str, leaf_size: int) -> tuple:
    """The index for fixed-radius searches of ``radius`` on ``X`` (float64 rows)."""
    d = X.shape[1]
    if algorithm == "grid" and d > 3:
        raise ValueError(f"algorithm='grid' needs at most 3 features; X has {d}.")
    if algorithm in ("auto", "grid") and d <= 3:
        index = spatial.build_grid(X, radius)
        if index is not None:
            return index
    if algorithm == "brute" or (algorithm == "auto" and d > KDTREE_MAX_DIM):
        return spatial.build_brute(X)
    return spatial.build_kdtree(X, leaf_size)


def index_kind_name(index: Any) -> str:
    return {spatial.GRID: "grid", spatial.KDTREE: "kd_tree", spatial.BRUTE: "brute"}[index[0]]


def build_fine_grid(X: np.ndarray, radius: float, power: float) -> tuple | None:
    """Grid whose cells have a diameter (in the Minkowski-``power`` metric) just under ``radius``.

    Returns ``(Xs, order, cell_keys, cell_start, off_keys)`` (see ``dbscan_grid``), or None when
    the grid would need more than 2^62 cells.
    """
    n, d = X.shape
    root = 1.0 if power == math.inf else d ** (1.0 / power)
    side = radius / root * (1.0 - 1e-12)  # rounding must never put a far pair in one cell
    reach = math.ceil(radius / side)
    origin = X.min(axis=0)
    coords = np.floor((X - origin) / side).astype(np.int64)
    extent = coords.max(axis=0) + 1 + 2 * reach
    if float(np.prod(extent.astype(np.float64))) >= 2.0**62:
        return None
    strides = np.ones(d, dtype=np.int64)
    for k in range(d - 2, -1, -1):
        strides[k] = strides[k + 1] * extent[k + 1]
    keys = (coords + reach) @ strides
    order = np.argsort(keys, kind="stable")
    cell_keys, first = np.unique(keys[order], return_index=True)
    cell_start = np.append(first, n).astype(np.int64)
    grids = np.meshgrid(*[np.arange(-reach, reach + 1)] * d, indexing="ij")
    offs = np.stack([g.ravel() for g in grids], axis=1)
    gap = np.maximum(np.abs(offs) - 1, 0) * side
    if power == math.inf:
        near = gap.max(axis=1) <= radius
    else:
        near = (gap**power).sum(axis=1) <= radius**power
    offs = offs[near & (np.abs(offs).sum(axis=1) > 0)]
    return (np.ascontiguousarray(X[order]), order.astype(np.int64), cell_keys.astype(np.int64),
            cell_start, (offs @ strides).astype(np.int64))  # fmt: skip


def check_metric(owner: str, metric: Any, allowed: tuple[str, ...] | list[str]) -> None:
    """A metric name the density estimator supports (callables: precompute instead)."""
    if callable(metric):
        raise ValueError(
            f"{owner}(metric=<callable>) is not supported: pass metric='precomputed' with a "
            "distance matrix computed by your function."
        )
    from .._validation import check_option

    check_option("metric", metric, allowed)


def to_distance(surrogate: np.ndarray, code: int, power: float) -> np.ndarray:
    """Distances from the search surrogates (squared Euclidean, p-th powers)."""
    if code == spatial.EUCLIDEAN:
        return np.sqrt(surrogate)
    if code == spatial.MINKOWSKI:
        return surrogate ** (1.0 / power)
    return np.array(surrogate, dtype=np.float64)


def precomputed_kth(D: np.ndarray, k: int) -> np.ndarray:
    """k-th smallest entry of each row of a distance matrix (the row's own 0 counted), in row
    blocks so no second n x n array is made."""
    n = D.shape[0]
    out = np.empty(n)
    step = max(1, 2**22 // max(n, 1))
    for r0 in range(0, n, step):
        out[r0 : r0 + step] = np.partition(D[r0 : r0 + step], k - 1, axis=1)[:, k - 1]
    return out


def nearest_rows(rows: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the closest centre of each row: a KD-tree over the centres up to 16 features,
    fused BLAS tiles beyond (each tile's argmin taken while it is in cache; no n x m matrix)."""
    C = np.ascontiguousarray(centers, dtype=np.float64)
    n, d = rows.shape
    if d <= KDTREE_MAX_DIM:
        kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = spatial.build_kdtree(C, 16)
        both = np.ascontiguousarray(np.vstack([Xs, rows]))
        dist = np.empty((n, 1))
        idx = np.empty((n, 1), dtype=np.int64)
        spatial.knn_queries(kind, both, C.shape[0], lo, hi, ns, ne, child, spatial.EUCLIDEAN,
                            2.0, dist, idx)  # fmt: skip
        return order[idx[:, 0]]
    labels = np.empty(n, dtype=np.int64)
    min_sq = np.empty(n)
    chunk = int(max(4, min(1024, (1 << 18) // max(1, C.shape[0]))))
    c_sq = (C**2).sum(axis=1)
    assign_rows(rows, np.arange(n, dtype=np.int64), C, c_sq, chunk, labels, min_sq)
    return labels
