"""Ward's linkage restricted to a connectivity graph (structured clustering, e.g. pixels)."""

from __future__ import annotations

import heapq
import warnings
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

__all__ = ["ward_connectivity"]


def _graph(X: np.ndarray, connectivity: Any) -> tuple[list[list[int]], int]:
    """Symmetric adjacency lists; components are joined at their closest pairs (with a
    warning), as scikit-learn completes a disconnected graph."""
    n = X.shape[0]
    C = sparse.csr_array(connectivity)
    if C.shape != (n, n):
        raise ValueError(
            f"connectivity has shape {C.shape}; it should be (n_samples, n_samples) = ({n}, {n})."
        )
    C = (C + C.T).tocsr()
    n_comp, comp = connected_components(C, directed=False)
    if n_comp > 1:
        warnings.warn(
            f"the number of connected components of the connectivity matrix is {n_comp} > 1. "
            "Completing it to avoid stopping the tree early.",
            UserWarning,
            stacklevel=3,
        )
        rows, cols = [], []
        members = [np.flatnonzero(comp == c) for c in range(n_comp)]
        for a in range(n_comp):
            for b in range(a + 1, n_comp):
                A, B = X[members[a]], X[members[b]]
                d2 = ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1)
                i, j = np.unravel_index(int(np.argmin(d2)), d2.shape)
                rows += [members[a][i], members[b][j]]
                cols += [members[b][j], members[a][i]]
        extra = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        C = (C + extra).tocsr()
    adj = [C.indices[C.indptr[i] : C.indptr[i + 1]].tolist() for i in range(n)]
    return adj, n_comp


def ward_connectivity(X: np.ndarray, connectivity: Any) -> tuple[np.ndarray, int]:
    """Ward merges along the graph's edges: ``(merges [a, b, height] in merge order,
    number of connected components before completion)``.

    The cheapest connected pair (Ward's increase of the within-cluster sum of squares) merges
    first; the new cluster's neighbours are its parts' (scikit-learn's ``ward_tree``). Heights
    are ``sqrt(2 * increase)`` as in scipy's ward.
    """
    n, d = X.shape
    adj, n_comp = _graph(X, connectivity)
    size = np.zeros(2 * n - 1)
    size[:n] = 1.0
    total = np.zeros((2 * n - 1, d))
    total[:n] = X
    heap: list[tuple[float, int, int]] = []

    def cost(i: int, j: int) -> float:
        diff = total[i] / size[i] - total[j] / size[j]
        return float(size[i] * size[j] / (size[i] + size[j]) * (diff @ diff))

    for i in range(n):
        for j in adj[i]:
            if j < i:
                heap.append((cost(i, j), i, j))
    heapq.heapify(heap)
    alive = np.zeros(2 * n - 1, dtype=bool)
    alive[:n] = True
    parent = np.arange(2 * n - 1)
    merges = np.empty((n - 1, 3))
    for k in range(n, 2 * n - 1):
        while True:
            c, i, j = heapq.heappop(heap)
            if alive[i] and alive[j]:
                break
        alive[i] = alive[j] = False
        alive[k] = True
        parent[i] = parent[j] = k
        size[k] = size[i] + size[j]
        total[k] = total[i] + total[j]
        merges[k - n] = (i, j, np.sqrt(2.0 * c))
        nbrs = set()
        for x in adj[i] + adj[j]:
            while not alive[x] and parent[x] != x:  # climb to the live cluster holding x
                x = parent[x]
            if alive[x] and x != k:
                nbrs.add(x)
        adj.append(sorted(nbrs))
        for x in nbrs:
            adj[x].append(k)
            heapq.heappush(heap, (cost(k, x), k, x))
        if not heap:
            break
    return merges, n_comp
