"""HDBSCAN kernels: the minimum spanning tree of mutual reachability, the single-linkage tree
and its condensed form.

Mutual reachability: ``mr(a, b) = max(core[a], core[b], d(a, b) / alpha)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .spatial import CHEBYSHEV, EUCLIDEAN, MANHATTAN

__all__ = ["condense", "mst_prim", "single_linkage"]


@njit(cache=True, nogil=True)
def mst_prim(
    XT: np.ndarray,
    D: np.ndarray,
    precomputed: bool,
    core: np.ndarray,
    alpha: float,
    metric: int,
    p: float,
    edges: np.ndarray,
) -> None:
    """Exact minimum spanning tree of the mutual reachability graph (Prim, O(n^2), O(n) memory).

    Parameters
    ----------
    XT : ndarray of shape (n_features, n), float64
        IN/OUT. Transposed data, a private copy (reordered in place); (0, n) when
        ``precomputed``.
    D : ndarray of shape (n, n)
        IN. Distances when ``precomputed`` (else a (0, 0) placeholder).
    precomputed : bool
        IN.
    core : ndarray of shape (n,), float64
        IN. Core distances.
    alpha : float
        IN. Distance scaling.
    metric, p
        IN. Metric code and Minkowski power.
    edges : ndarray of shape (n - 1, 3), float64
        OUT. ``[a, b, weight]`` in the order Prim adds them (``a`` the tree endpoint that
        offers the lightest edge to ``b``).
    """
    d = XT.shape[0]
    n = core.shape[0]
    alive = np.arange(n)
    best = np.full(n, np.inf)  # lightest edge to the tree, per alive slot
    src = np.zeros(n, dtype=np.int64)
    x = np.empty(d)
    dist = np.empty(n)
    m = n
    cur = 0
    slot = 0
    for step in range(n):
        # remove `cur` (at `slot`) from the alive block
        for k in range(d):
            x[k] = XT[k, slot]
        m -= 1
        alive[slot] = alive[m]
        best[slot] = best[m]
        src[slot] = src[m]
        for k in range(d):
            XT[k, slot] = XT[k, m]
        if m == 0:
            break
        cc = core[cur]
        if precomputed:
            for t in range(m):
                dist[t] = np.float64(D[cur, alive[t]])
        else:
            dist[:m] = 0.0
            for k in range(d):
                xk = x[k]
                row = XT[k]
                if metric == EUCLIDEAN:
                    for t in range(m):
                        v = row[t] - xk
                        dist[t] += v * v
                elif metric == MANHATTAN:
                    for t in range(m):
                        dist[t] += abs(row[t] - xk)
                elif metric == CHEBYSHEV:
                    for t in range(m):
                        dist[t] = max(dist[t], abs(row[t] - xk))
                else:
                    for t in range(m):
                        dist[t] += abs(row[t] - xk) ** p
            if metric == EUCLIDEAN:
                for t in range(m):
                    dist[t] = np.sqrt(dist[t])
            elif metric != MANHATTAN and metric != CHEBYSHEV:
                for t in range(m):
                    dist[t] = dist[t] ** (1.0 / p)
        nxt = 0
        for t in range(m):
            w = dist[t] / alpha
            j = alive[t]
            if cc > w:
                w = cc
            if core[j] > w:
                w = core[j]
            if w < best[t]:
                best[t] = w
                src[t] = cur
            if best[t] < best[nxt] or (best[t] == best[nxt] and alive[t] < alive[nxt]):
                nxt = t
        edges[step, 0] = src[nxt]
        edges[step, 1] = alive[nxt]
        edges[step, 2] = best[nxt]
        cur = alive[nxt]
        slot = nxt


@njit(cache=True, nogil=True)
def _root(parent: np.ndarray, a: int) -> int:
    r = a
    while parent[r] != r:
        r = parent[r]
    while parent[a] != r:
        nxt = parent[a]
        parent[a] = r
        a = nxt
    return r


@njit(cache=True, nogil=True)
def single_linkage(edges: np.ndarray, n: int, Z: np.ndarray) -> None:
    """Single-linkage tree (scipy's linkage matrix) from MST edges sorted by weight.

    Parameters
    ----------
    edges : ndarray of shape (n - 1, 3), float64
        IN. MST edges ``[a, b, weight]``, sorted by weight.
    n : int
        IN. Number of samples.
    Z : ndarray of shape (n - 1, 4), float64
        OUT. Row ``i`` merges clusters ``Z[i, 0]`` and ``Z[i, 1]`` (samples are 0..n-1, the
        cluster made by row ``i`` is ``n + i``) at height ``Z[i, 2]``, giving ``Z[i, 3]``
        samples; the smaller id first, as scipy writes it.
    """
    parent = np.arange(2 * n - 1)
    size = np.ones(2 * n - 1, dtype=np.int64)
    for i in range(n - 1):
        ra = _root(parent, int(edges[i, 0]))
        rb = _root(parent, int(edges[i, 1]))
        new = n + i
        parent[ra] = new
        parent[rb] = new
        size[new] = size[ra] + size[rb]
        Z[i, 0] = min(ra, rb)
        Z[i, 1] = max(ra, rb)
        Z[i, 2] = edges[i, 2]
        Z[i, 3] = size[new]


@njit(cache=True, nogil=True)
def condense(
    Z: np.ndarray,
    min_cluster_size: int,
    parent: np.ndarray,
    child: np.ndarray,
    lam: np.ndarray,
    child_size: np.ndarray,
) -> int:
    """Condense a single-linkage tree: splits into parts smaller than ``min_cluster_size``
    are samples leaving their cluster, not new clusters (Campello et al. 2013).

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)
        IN. Single-linkage tree.
    min_cluster_size : int
        IN.
    parent, child, lam, child_size : ndarray of shape (2 n,)
        OUT. The condensed tree's edges: cluster ``parent`` -> cluster or sample ``child``
        at ``lambda = 1 / distance`` (``inf`` at distance 0) with ``child_size`` samples.
        Samples keep their ids 0..n-1; clusters are numbered from ``n`` (the root) in
        breadth-first order.

    Returns
    -------
    n_edges : int
    """
    m = Z.shape[0]
    n = m + 1
    root = 2 * n - 2
    relabel = np.empty(2 * n - 1, dtype=np.int64)
    relabel[root] = n
    next_label = n + 1
    queue = np.empty(2 * n - 1, dtype=np.int64)
    stack = np.empty(2 * n - 1, dtype=np.int64)
    head = 0
    tail = 0
    queue[tail] = root
    tail += 1
    pos = 0
    while head < tail:
        node = queue[head]
        head += 1
        row = node - n
        left = int(Z[row, 0])
        right = int(Z[row, 1])
        dist = Z[row, 2]
        lv = 1.0 / dist if dist > 0.0 else np.inf
        lc = int(Z[left - n, 3]) if left >= n else 1
        rc = int(Z[right - n, 3]) if right >= n else 1
        here = relabel[node]
        for side in range(2):
            sub = left if side == 0 else right
            cnt = lc if side == 0 else rc
            other = rc if side == 0 else lc
            if cnt >= min_cluster_size and other >= min_cluster_size:
                relabel[sub] = next_label
                next_label += 1
                parent[pos] = here
                child[pos] = relabel[sub]
                lam[pos] = lv
                child_size[pos] = cnt
                pos += 1
                if sub >= n:
                    queue[tail] = sub
                    tail += 1
            elif cnt >= min_cluster_size:  # the same cluster goes on, shedding the other side
                relabel[sub] = here
                if sub >= n:
                    queue[tail] = sub
                    tail += 1
            else:  # every sample below `sub` leaves the cluster here
                top = 0
                stack[top] = sub
                top += 1
                while top > 0:
                    top -= 1
                    s = stack[top]
                    if s < n:
                        parent[pos] = here
                        child[pos] = s
                        lam[pos] = lv
                        child_size[pos] = 1
                        pos += 1
                    else:
                        stack[top] = int(Z[s - n, 0])
                        stack[top + 1] = int(Z[s - n, 1])
                        top += 2
    return pos
