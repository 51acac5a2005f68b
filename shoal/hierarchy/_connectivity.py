"""Agglomeration restricted to a connectivity graph (structured clustering, e.g. pixels).

scikit-learn's semantics (``ward_tree`` / ``linkage_tree`` with ``connectivity``): the graph
is made symmetric, a disconnected graph is completed at the closest pair of samples between
every two components (with a warning), and only clusters joined by an edge may merge. For
complete, average and single linkage the dissimilarity between two clusters is built from the
edge lengths only (the largest, size-weighted mean or smallest over the parts' edges), not
from every pair of their samples.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .._kernels.numba_.hierarchy import (
    AVERAGE,
    COMPLETE,
    SINGLE,
    WARD,
    graph_linkage,
    graph_single_linkage,
)

__all__ = ["graph_merges"]

_METHODS = {"ward": WARD, "complete": COMPLETE, "average": AVERAGE, "single": SINGLE}
# Values per block of pairwise differences (about 32 MiB).
_BLOCK = 1 << 22


def _paired(A: np.ndarray, B: np.ndarray, metric: str) -> np.ndarray:
    """Distances between rows ``A[i]`` and ``B[i]``."""
    if metric == "cosine":
        na = np.linalg.norm(A, axis=1)
        nb = np.linalg.norm(B, axis=1)
        na[na == 0] = 1.0
        nb[nb == 0] = 1.0
        return np.maximum(1.0 - (A * B).sum(axis=1) / (na * nb), 0.0)
    diff = np.abs(A - B)
    if metric in ("manhattan", "l1", "cityblock"):
        return diff.sum(axis=1)
    if metric == "chebyshev":
        return diff.max(axis=1)
    return np.sqrt((diff * diff).sum(axis=1))


def _closest_pair(X: np.ndarray, ia: np.ndarray, ib: np.ndarray, metric: str) -> tuple[int, int]:
    """The closest pair (a in ia, b in ib), by blocks of ``ia``."""
    best, pair = np.inf, (int(ia[0]), int(ib[0]))
    step = max(1, _BLOCK // max(1, ib.shape[0] * (1 if metric == "precomputed" else X.shape[1])))
    for r0 in range(0, ia.shape[0], step):
        rows = ia[r0 : r0 + step]
        if metric == "precomputed":
            D = X[np.ix_(rows, ib)]
        else:
            left = np.repeat(X[rows], ib.shape[0], axis=0)
            right = np.tile(X[ib], (rows.shape[0], 1))
            D = _paired(left, right, metric).reshape(rows.shape[0], -1)
        i, j = np.unravel_index(int(np.argmin(D)), D.shape)
        if D[i, j] < best:
            best, pair = float(D[i, j]), (int(rows[i]), int(ib[j]))
    return pair


def _graph(X: np.ndarray, connectivity: Any, metric: str) -> tuple[sparse.csr_array, int]:
    """Symmetric graph without self loops; components joined at their closest pairs (with a
    warning), as scikit-learn completes a disconnected graph."""
    n = X.shape[0]
    C = sparse.csr_array(connectivity)
    if C.shape != (n, n):
        raise ValueError(
            f"connectivity has shape {C.shape}; it should be (n_samples, n_samples) = ({n}, {n})."
        )
    C = (abs(C) + abs(C.T)).tocsr()
    n_comp, comp = connected_components(C, directed=False)
    if n_comp > 1:
        warnings.warn(
            f"the number of connected components of the connectivity matrix is {n_comp} > 1. "
            "Completing it to avoid stopping the tree early.",
            UserWarning,
            stacklevel=4,
        )
        rows, cols = [], []
        members = [np.flatnonzero(comp == c) for c in range(n_comp)]
        for a in range(n_comp):
            for b in range(a + 1, n_comp):
                i, j = _closest_pair(X, members[a], members[b], metric)
                rows += [i, j]
                cols += [j, i]
        extra = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        C = (C + extra).tocsr()
    C.setdiag(0)
    C.eliminate_zeros()
    C.sort_indices()
    return C, n_comp


def graph_merges(
    X: np.ndarray, connectivity: Any, linkage: str, metric: str
) -> tuple[np.ndarray, int]:
    """Merges along the graph's edges: ``(merges [node_a, node_b, height] in merge order,
    number of connected components before completion)``; merge ``s`` creates node ``n + s``.

    Ward heights are ``sqrt(2 * increase)`` as in scipy's ward; the other linkages' heights
    are the merged edge's dissimilarity.
    """
    n = X.shape[0]
    C, n_comp = _graph(X, connectivity, metric)
    indptr = C.indptr.astype(np.int64)
    indices = C.indices.astype(np.int64)
    rows = np.repeat(np.arange(n), np.diff(indptr))
    if linkage == "ward":
        weights = np.zeros(indices.shape[0])
    elif metric == "precomputed":
        weights = np.ascontiguousarray(X[rows, indices], dtype=np.float64)
    else:
        weights = np.empty(indices.shape[0])
        step = max(1, _BLOCK // max(1, X.shape[1]))
        for p0 in range(0, indices.shape[0], step):
            sl = slice(p0, p0 + step)
            weights[sl] = _paired(X[rows[sl]], X[indices[sl]], metric)
    merges = np.empty((n - 1, 3))
    if linkage == "single":  # Kruskal over the edges, shortest first (scikit-learn's MST)
        upper = rows < indices
        ei, ej, ew = rows[upper], indices[upper], weights[upper]
        order = np.argsort(ew, kind="stable")
        steps = graph_single_linkage(n, ei[order], ej[order], ew[order], merges)
    else:
        pts = X if linkage == "ward" else np.empty((0, 1))
        steps = graph_linkage(pts, indptr, indices, weights, _METHODS[linkage], merges)
    if steps != n - 1:  # pragma: no cover - the completed graph is connected
        raise RuntimeError("connectivity graph still disconnected after completion")
    return merges, n_comp
