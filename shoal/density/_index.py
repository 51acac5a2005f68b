"""Choosing and building the spatial index for a metric (shared by the density estimators)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels.numba_ import spatial

MINKOWSKI_ALIASES = {
    "euclidean": 2.0, "l2": 2.0, "manhattan": 1.0, "cityblock": 1.0, "l1": 1.0,
    "chebyshev": math.inf, "infinity": math.inf,
}  # fmt: skip
METRICS = (*MINKOWSKI_ALIASES, "minkowski", "sqeuclidean", "cosine", "precomputed")
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
