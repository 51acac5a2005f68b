"""HDBSCAN kernels: the minimum spanning tree of mutual reachability, the single-linkage tree
and its condensed form.

Mutual reachability: ``mr(a, b) = max(core[a], core[b], d(a, b) / alpha)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .spatial import CHEBYSHEV, EUCLIDEAN, MANHATTAN, _box, _pair, sweep

__all__ = [
    "condense",
    "merge_heights",
    "min_dist_to_groups",
    "mst_boruvka",
    "mst_prim",
    "single_linkage",
]


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
            sweep(XT, x, m, metric, p, dist)
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
    w: np.ndarray,
    min_cluster_size: float,
    parent: np.ndarray,
    child: np.ndarray,
    lam: np.ndarray,
    child_size: np.ndarray,
) -> int:
    """Condense a single-linkage tree: splits into parts lighter than ``min_cluster_size``
    are samples leaving their cluster, not new clusters (Campello et al. 2013).

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)
        IN. Single-linkage tree.
    w : ndarray of shape (n,), float64
        IN. Sample weights (ones for plain counts): a part's size is its total weight.
    min_cluster_size : float
        IN.
    parent, child, lam : ndarray of shape (2 n,)
        OUT. The condensed tree's edges: cluster ``parent`` -> cluster or sample ``child``
        at ``lambda = 1 / distance`` (``inf`` at distance 0). Samples keep their ids
        0..n-1; clusters are numbered from ``n`` (the root) in breadth-first order.
    child_size : ndarray of shape (2 n,), float64
        OUT. Total weight below each edge (a sample's own weight for a sample row).

    Returns
    -------
    n_edges : int
    """
    m = Z.shape[0]
    n = m + 1
    root = 2 * n - 2
    size = np.empty(2 * n - 1)
    for i in range(n):
        size[i] = w[i]
    for i in range(m):
        size[n + i] = size[int(Z[i, 0])] + size[int(Z[i, 1])]
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
        lc = size[left]
        rc = size[right]
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
                        child_size[pos] = w[s]
                        pos += 1
                    else:
                        stack[top] = int(Z[s - n, 0])
                        stack[top + 1] = int(Z[s - n, 1])
                        top += 2
    return pos


@njit(cache=True, nogil=True)
def _node_stats(core: np.ndarray, comp: np.ndarray, node_start: np.ndarray,
                node_end: np.ndarray, child: np.ndarray, node_comp: np.ndarray,
                min_core: np.ndarray, with_core: bool) -> None:  # fmt: skip
    """Per node: the one component all its samples share (-1 if mixed) and, when
    ``with_core``, the smallest core distance in it. Children have larger ids than parents."""
    for node in range(node_start.shape[0] - 1, -1, -1):
        if child[node, 0] < 0:
            c = comp[node_start[node]]
            mc = np.inf
            for s in range(node_start[node], node_end[node]):
                if comp[s] != c:
                    c = -1
                if with_core and core[s] < mc:
                    mc = core[s]
            node_comp[node] = c
            if with_core:
                min_core[node] = mc
        else:
            left = child[node, 0]
            right = child[node, 1]
            node_comp[node] = node_comp[left] if node_comp[left] == node_comp[right] else -1
            if with_core:
                min_core[node] = min(min_core[left], min_core[right])


@njit(cache=True, nogil=True)
def _better(w: float, a: int, b: int, bw: float, ba: int, bb: int) -> bool:
    """Edge order: weight, then the smaller endpoint, then the larger (a total order)."""
    lo = min(a, b)
    hi = max(a, b)
    blo = min(ba, bb)
    bhi = max(ba, bb)
    return w < bw or (w == bw and (lo < blo or (lo == blo and hi < bhi)))


@njit(cache=True, nogil=True, parallel=True)
def _boruvka_round(Xs: np.ndarray, lo: np.ndarray, hi: np.ndarray, node_start: np.ndarray,
                   node_end: np.ndarray, child: np.ndarray, core: np.ndarray, alpha: float,
                   metric: int, p: float, comp: np.ndarray, node_comp: np.ndarray,
                   min_core: np.ndarray, knn_idx: np.ndarray, bound: np.ndarray,
                   out_w: np.ndarray, out_to: np.ndarray, exact: np.ndarray,
                   n_blocks: int) -> None:  # fmt: skip
    """Each sample's lightest edge to another component (``out_w``, ``out_to``).

    ``exact[q]`` says the result is q's true lightest edge (not cut short by the component's
    bound): components only grow, so while its target stays outside q's component it remains
    q's answer in later rounds, and q is not searched again.
    """
    n = Xs.shape[0]
    for b in prange(n_blocks):
        stack = np.empty(256, dtype=np.int64)
        sbox = np.empty(256)
        for q in range(b * n // n_blocks, (b + 1) * n // n_blocks):
            cq = comp[q]
            if exact[q] and out_to[q] >= 0 and comp[out_to[q]] != cq:
                if out_w[q] < bound[cq]:
                    bound[cq] = out_w[q]
                continue
            out_w[q] = np.inf
            out_to[q] = -1
            exact[q] = False
            if core[q] > bound[cq]:
                continue  # every edge from q weighs at least core[q]
            bw = np.inf
            bp = -1
            cut = False
            for t in range(knn_idx.shape[1]):  # the known neighbours give a first bound
                s = knn_idx[q, t]
                if comp[s] != cq:
                    w = max(core[q], core[s], _metric_dist(Xs, q, s, metric, p) / alpha)
                    if bp < 0 or _better(w, q, s, bw, q, bp):
                        bw = w
                        bp = s
            top = 1
            stack[0] = 0
            sbox[0] = 0.0
            while top > 0:
                top -= 1
                node = stack[top]
                if node_comp[node] == cq:
                    continue
                lb = max(core[q], min_core[node], _to_dist(sbox[top], metric, p) / alpha)
                if lb > bw:
                    continue
                if lb == bw and bp >= 0:
                    # Only a tie could win here, and only with a smaller endpoint pair; the
                    # node's smallest position gives its best possible pair.
                    s0 = node_start[node]
                    if s0 == q and node_end[node] > s0 + 1:
                        s0 += 1
                    if not _better(bw, q, s0, bw, q, bp):
                        continue
                if lb > bound[cq]:
                    cut = True  # another sample of the component already has a lighter edge
                    continue
                if child[node, 0] < 0:
                    for s in range(node_start[node], node_end[node]):
                        if comp[s] == cq:
                            continue
                        w = max(core[q], core[s], _metric_dist(Xs, q, s, metric, p) / alpha)
                        if bp < 0 or _better(w, q, s, bw, q, bp):
                            bw = w
                            bp = s
                else:
                    left = child[node, 0]
                    right = child[node, 1]
                    dl = _box(Xs, q, lo, hi, left, metric, p)
                    dr = _box(Xs, q, lo, hi, right, metric, p)
                    if dl <= dr:  # nearer child visited first (pushed last)
                        stack[top] = right
                        sbox[top] = dr
                        stack[top + 1] = left
                        sbox[top + 1] = dl
                    else:
                        stack[top] = left
                        sbox[top] = dl
                        stack[top + 1] = right
                        sbox[top + 1] = dr
                    top += 2
            out_w[q] = bw
            out_to[q] = bp
            exact[q] = not cut
            if bw < bound[cq]:
                bound[cq] = bw  # a benign race: any recorded weight is a valid bound


@njit(cache=True, nogil=True, inline="always")
def _metric_dist(Xs: np.ndarray, a: int, b: int, metric: int, p: float) -> float:
    v = _pair(Xs, a, b, metric, p)
    if metric == EUCLIDEAN:
        return np.sqrt(v)
    if metric == MANHATTAN or metric == CHEBYSHEV:
        return v
    return v ** (1.0 / p)


@njit(cache=True, nogil=True, inline="always")
def _to_dist(v: float, metric: int, p: float) -> float:
    if metric == EUCLIDEAN:
        return np.sqrt(v)
    if metric == MANHATTAN or metric == CHEBYSHEV:
        return v
    return v ** (1.0 / p)


@njit(cache=True, nogil=True)
def mst_boruvka(
    Xs: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    node_start: np.ndarray,
    node_end: np.ndarray,
    child: np.ndarray,
    core: np.ndarray,
    knn_idx: np.ndarray,
    alpha: float,
    metric: int,
    p: float,
    edges: np.ndarray,
    n_blocks: int,
) -> None:
    """Exact minimum spanning tree of mutual reachability by Borůvka rounds on a KD-tree.

    Each round finds, for every sample in parallel, its lightest edge to another component
    (searching the tree, skipping nodes that lie in its own component or whose lower bound
    ``max(core[q], min core in node, box distance / alpha)`` exceeds the best so far, started
    from the known k nearest neighbours), keeps each component's lightest edge under a total
    order (weight, then endpoints), and joins them. O(log n) rounds (McInnes & Healy 2017).

    Parameters
    ----------
    Xs, lo, hi, node_start, node_end, child
        IN. A KD-tree index (samples in tree order).
    core : ndarray of shape (n,), float64
        IN. Core distances, tree order.
    knn_idx : ndarray of shape (n, k), int64
        IN. Each sample's k nearest samples (tree order), from the core-distance search.
    alpha, metric, p
        IN. Distance scaling, metric code and Minkowski power.
    edges : ndarray of shape (n - 1, 3), float64
        OUT. ``[a, b, weight]`` in tree positions, in the order added.
    n_blocks : int
        IN. Parallel blocks of samples.
    """
    n = Xs.shape[0]
    n_nodes = node_start.shape[0]
    parent = np.arange(n)
    comp = np.arange(n)
    node_comp = np.empty(n_nodes, dtype=np.int64)
    min_core = np.empty(n_nodes)
    out_w = np.full(n, np.inf)
    out_to = np.full(n, -1, dtype=np.int64)
    exact = np.zeros(n, dtype=np.bool_)
    bound = np.empty(n)
    best_w = np.empty(n)
    best_a = np.empty(n, dtype=np.int64)
    best_b = np.empty(n, dtype=np.int64)
    n_edges = 0
    first = True
    while n_edges < n - 1:
        _node_stats(core, comp, node_start, node_end, child, node_comp, min_core, first)
        first = False
        bound[:] = np.inf
        _boruvka_round(Xs, lo, hi, node_start, node_end, child, core, alpha, metric, p, comp,
                       node_comp, min_core, knn_idx, bound, out_w, out_to, exact,
                       n_blocks)  # fmt: skip
        best_w[:] = np.inf
        best_a[:] = -1
        best_b[:] = -1
        for q in range(n):
            t = out_to[q]
            if t < 0:
                continue
            c = comp[q]
            if best_a[c] < 0 or _better(out_w[q], q, t, best_w[c], best_a[c], best_b[c]):
                best_w[c] = out_w[q]
                best_a[c] = q
                best_b[c] = t
        added = 0
        for c in range(n):
            if best_a[c] < 0:
                continue
            ra = _root(parent, best_a[c])
            rb = _root(parent, best_b[c])
            if ra == rb:
                continue
            parent[max(ra, rb)] = min(ra, rb)
            edges[n_edges, 0] = best_a[c]
            edges[n_edges, 1] = best_b[c]
            edges[n_edges, 2] = best_w[c]
            n_edges += 1
            added += 1
        if added == 0:
            break  # cannot happen for a connected graph; guards against a stall
        for s in range(n):
            comp[s] = _root(parent, s)


@njit(cache=True, nogil=True, parallel=True)
def merge_heights(
    point_cluster: np.ndarray,
    point_lambda: np.ndarray,
    clusters: np.ndarray,
    parent_of: np.ndarray,
    birth: np.ndarray,
    out: np.ndarray,
) -> None:
    """Lambda at which each sample's cluster meets each selected cluster in the condensed tree.

    Parameters
    ----------
    point_cluster : ndarray of shape (m,), int64
        IN. The cluster each sample leaves (its condensed-tree parent).
    point_lambda : ndarray of shape (m,), float64
        IN. The lambda at which it leaves.
    clusters : ndarray of shape (k,), int64
        IN. Selected cluster ids.
    parent_of, birth : ndarray of shape (n_nodes,)
        IN. Parent cluster and birth lambda of every cluster node (root: -1, 0).
    out : ndarray of shape (m, k), float64
        OUT. Walking up from both clusters (always the larger id, a descendant, first) to
        their common ancestor: the birth lambda of the last cluster left, or the sample's own
        lambda when one cluster lies above the other (the hdbscan package's rule).
    """
    m = point_cluster.shape[0]
    k = clusters.shape[0]
    for i in prange(m):
        for j in range(k):
            left = point_cluster[i]
            right = clusters[j]
            moved_left = False
            moved_right = False
            last = -1
            while left != right:
                if left > right:
                    moved_left = True
                    last = left
                    left = parent_of[left]
                else:
                    moved_right = True
                    last = right
                    right = parent_of[right]
            out[i, j] = birth[last] if (moved_left and moved_right) else point_lambda[i]


@njit(cache=True, nogil=True, parallel=True)
def min_dist_to_groups(
    Q: np.ndarray,
    E: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    metric: int,
    p: float,
    out: np.ndarray,
) -> None:
    """Smallest distance from each query row to each group of exemplar rows.

    Parameters
    ----------
    Q : ndarray of shape (m, d), float64
        IN. Query samples.
    E : ndarray of shape (e, d), float64
        IN. Exemplars.
    group : ndarray of shape (e,), int64
        IN. Group (cluster position) of each exemplar.
    n_groups : int
        IN.
    metric, p
        IN. Metric code and Minkowski power.
    out : ndarray of shape (m, n_groups), float64
        OUT.
    """
    m, d = Q.shape
    for i in prange(m):
        for g in range(n_groups):
            out[i, g] = np.inf
        for e in range(E.shape[0]):
            acc = 0.0
            if metric == EUCLIDEAN:
                for k in range(d):
                    t = Q[i, k] - E[e, k]
                    acc += t * t
                acc = np.sqrt(acc)
            elif metric == MANHATTAN:
                for k in range(d):
                    acc += abs(Q[i, k] - E[e, k])
            elif metric == CHEBYSHEV:
                for k in range(d):
                    acc = max(acc, abs(Q[i, k] - E[e, k]))
            else:
                for k in range(d):
                    acc += abs(Q[i, k] - E[e, k]) ** p
                acc = acc ** (1.0 / p)
            if acc < out[i, group[e]]:
                out[i, group[e]] = acc
