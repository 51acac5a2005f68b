"""Agglomerative clustering kernels: nearest-neighbour chains (Müllner 2011).

The chain grows from a cluster to its nearest neighbour until two clusters are each other's
nearest (reciprocal nearest neighbours) and merges them; for reducible linkages (ward,
complete, average, weighted) the merges are those of the greedy algorithm, found in O(n^2) time.
Merges come out of height order and are written as ``[slot_a, slot_b, height]``: a slot is a
sample index standing for its cluster, so ``hdbscan.single_linkage`` turns the sorted list into
scipy's linkage matrix.

Two storages of dissimilarities:

* ``nn_chain_matrix``: the condensed matrix (n (n - 1) / 2 values), updated in place by the
  Lance-Williams formulas (complete, average, weighted, ward);
* ``nn_chain_ward_vectors``: centroids and sizes only, O(n d) memory, for Ward on vectors
  (``d(A, B) = sqrt(2 |A| |B| / (|A| + |B|)) * ||c_A - c_B||``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "AVERAGE",
    "COMPLETE",
    "SINGLE",
    "WARD",
    "WEIGHTED",
    "centroid_linkage_vectors",
    "condensed_distances",
    "graph_linkage",
    "graph_single_linkage",
    "nn_chain_matrix",
    "nn_chain_ward_vectors",
]

COMPLETE = 0
AVERAGE = 1
WEIGHTED = 2
WARD = 3


@njit(cache=True, nogil=True, inline="always")
def _ci(n: int, i: int, j: int) -> int:
    """Position of pair (i, j), i != j, in the condensed matrix."""
    if i > j:
        i, j = j, i
    return n * i - (i * (i + 1)) // 2 + (j - i - 1)


@njit(cache=True, nogil=True)
def nn_chain_matrix(cond: np.ndarray, n: int, method: int, merges: np.ndarray) -> None:
    """NN-chain on a condensed dissimilarity matrix (overwritten).

    Parameters
    ----------
    cond : ndarray of shape (n (n - 1) / 2,), float64
        IN/OUT. Condensed dissimilarities (scipy's ``pdist`` order); destroyed.
    n : int
        IN. Number of samples.
    method : int
        IN. COMPLETE, AVERAGE, WEIGHTED or WARD.
    merges : ndarray of shape (n - 1, 3), float64
        OUT. ``[slot_a, slot_b, height]`` in the order found.
    """
    size = np.ones(n, dtype=np.int64)
    active = np.ones(n, dtype=np.bool_)
    chain = np.empty(n, dtype=np.int64)
    top = 0
    for step in range(n - 1):
        if top == 0:
            for i in range(n):
                if active[i]:
                    chain[0] = i
                    top = 1
                    break
        while True:
            a = chain[top - 1]
            b = chain[top - 2] if top >= 2 else -1
            best = np.inf if b < 0 else cond[_ci(n, a, b)]
            c = b
            for x in range(n):
                if not active[x] or x == a:
                    continue
                v = cond[_ci(n, a, x)]
                if v < best:
                    best = v
                    c = x
            if c == b:
                break
            chain[top] = c
            top += 1
        top -= 2
        a = chain[top + 1]
        b = chain[top]
        lo = min(a, b)
        hi = max(a, b)
        h = cond[_ci(n, a, b)]
        merges[step, 0] = lo
        merges[step, 1] = hi
        merges[step, 2] = h
        na = size[lo]
        nb = size[hi]
        # the merged cluster lives in slot `hi`; `lo` retires
        for x in range(n):
            if not active[x] or x == lo or x == hi:
                continue
            da = cond[_ci(n, lo, x)]
            db = cond[_ci(n, hi, x)]
            if method == COMPLETE:
                v = max(da, db)
            elif method == AVERAGE:
                v = (na * da + nb * db) / (na + nb)
            elif method == WEIGHTED:
                v = 0.5 * (da + db)
            else:
                nx = size[x]
                v = np.sqrt(((nx + na) * da * da + (nx + nb) * db * db - nx * h * h)
                            / (na + nb + nx))  # fmt: skip
            cond[_ci(n, hi, x)] = v
        active[lo] = False
        size[hi] = na + nb


@njit(cache=True, nogil=True)
def nn_chain_ward_vectors(X: np.ndarray, merges: np.ndarray) -> None:
    """NN-chain for Ward's linkage on vectors, O(n d) memory.

    The active clusters' centroids are kept compacted and transposed (swap-remove on merge),
    so each nearest-neighbour search is one contiguous sweep over the active clusters that
    compares ``|A| |B| / (|A| + |B|) * ||c_A - c_B||^2`` (no root, no constant: the same order).

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
        IN. Samples.
    merges : ndarray of shape (n - 1, 3), float64
        OUT. ``[slot_a, slot_b, height]`` in the order found (heights as scipy's ward).
    """
    n, d = X.shape
    CT = np.ascontiguousarray(X.T)  # centroid of alive[t] in column t
    S = np.ones(n)
    alive = np.arange(n)
    where = np.arange(n)
    m = n
    chain = np.empty(n, dtype=np.int64)
    acc = np.empty(n)
    ca = np.empty(d)
    top = 0
    for step in range(n - 1):
        if top == 0:
            chain[0] = alive[0]
            top = 1
        while True:
            a = chain[top - 1]
            b = chain[top - 2] if top >= 2 else -1
            pa = where[a]
            for k in range(d):
                ca[k] = CT[k, pa]
            na = S[pa]
            acc[:m] = 0.0
            for k in range(d):
                row = CT[k]
                ck = ca[k]
                for t in range(m):
                    v = row[t] - ck
                    acc[t] += v * v
            for t in range(m):
                acc[t] = acc[t] * (S[t] * na / (S[t] + na))
            acc[pa] = np.inf
            c = b
            best = np.inf if b < 0 else acc[where[b]]
            for t in range(m):
                if acc[t] < best:
                    best = acc[t]
                    c = alive[t]
            if c == b:
                break
            chain[top] = c
            top += 1
        top -= 2
        a = chain[top + 1]
        b = chain[top]
        lo = min(a, b)
        hi = max(a, b)
        plo = where[lo]
        phi = where[hi]
        nlo = S[plo]
        nhi = S[phi]
        sq = 0.0
        for k in range(d):
            t = CT[k, plo] - CT[k, phi]
            sq += t * t
        merges[step, 0] = lo
        merges[step, 1] = hi
        merges[step, 2] = np.sqrt(2.0 * nlo * nhi / (nlo + nhi) * sq)
        for k in range(d):
            CT[k, phi] = (nlo * CT[k, plo] + nhi * CT[k, phi]) / (nlo + nhi)
        S[phi] = nlo + nhi
        m -= 1  # retire `lo`: the last alive cluster takes its column
        last = alive[m]
        alive[plo] = last
        where[last] = plo
        S[plo] = S[m]
        for k in range(d):
            CT[k, plo] = CT[k, m]


@njit(cache=True, nogil=True, inline="always")
def _ward(cent: np.ndarray, size: np.ndarray, a: int, b: int, d: int) -> float:
    acc = 0.0
    for k in range(d):
        t = cent[a, k] - cent[b, k]
        acc += t * t
    na = size[a]
    nb = size[b]
    return np.sqrt(2.0 * na * nb / (na + nb) * acc)


@njit(cache=True, nogil=True, parallel=True)
def condensed_distances(X: np.ndarray, metric: int, p: float, out: np.ndarray) -> None:
    """All pairwise distances in scipy's condensed order (``pdist``), in parallel by row.

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
        IN. Samples (unit rows for cosine).
    metric : int
        IN. 0 Euclidean, 1 Manhattan, 2 Chebyshev, 3 Minkowski-p, 4 cosine (1 - <u, v>).
    p : float
        IN. Minkowski power.
    out : ndarray of shape (n (n - 1) / 2,), float64
        OUT.
    """
    n, d = X.shape
    for i in prange(n - 1):
        base = n * i - (i * (i + 1)) // 2 - i - 1
        for j in range(i + 1, n):
            acc = 0.0
            if metric == 0:
                for k in range(d):
                    t = X[i, k] - X[j, k]
                    acc += t * t
                acc = np.sqrt(acc)
            elif metric == 1:
                for k in range(d):
                    acc += abs(X[i, k] - X[j, k])
            elif metric == 2:
                for k in range(d):
                    acc = max(acc, abs(X[i, k] - X[j, k]))
            elif metric == 3:
                for k in range(d):
                    acc += abs(X[i, k] - X[j, k]) ** p
                acc = acc ** (1.0 / p)
            else:
                for k in range(d):
                    acc += X[i, k] * X[j, k]
                acc = max(1.0 - acc, 0.0)
            out[base + j] = acc


@njit(cache=True, nogil=True)
def _nearest_active(P: np.ndarray, active: np.ndarray, i: int) -> tuple[int, float]:
    """Nearest other active point of ``i`` (squared Euclidean), lowest index on ties."""
    n, d = P.shape
    best = np.inf
    arg = -1
    for j in range(n):
        if j == i or not active[j]:
            continue
        acc = 0.0
        for k in range(d):
            t = P[i, k] - P[j, k]
            acc += t * t
        if acc < best:
            best = acc
            arg = j
    return arg, best


@njit(cache=True, nogil=True)
def centroid_linkage_vectors(X: np.ndarray, median: bool, merges: np.ndarray) -> None:
    """Centroid (UPGMC) or median (WPGMC) linkage on vectors, O(n d) memory.

    These linkages are not reducible (a merge can bring clusters closer: inversions), so no
    nearest-neighbour chain; instead every active cluster caches its nearest neighbour, the
    closest pair is the smallest cache entry, and after a merge only the entries that pointed
    at the merged clusters are recomputed (the others just compare with the new cluster).

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
        IN. Samples.
    median : bool
        IN. WPGMC (the merged point is the midpoint) instead of UPGMC (the weighted centroid).
    merges : ndarray of shape (n - 1, 3), float64
        OUT. ``[slot_a, slot_b, height]`` in merge order (heights are centroid distances).
    """
    n, d = X.shape
    P = X.copy()
    size = np.ones(n)
    active = np.ones(n, dtype=np.bool_)
    nn = np.empty(n, dtype=np.int64)
    nd = np.empty(n)
    for i in range(n):
        nn[i], nd[i] = _nearest_active(P, active, i)
    for step in range(n - 1):
        a = -1
        best = np.inf
        for i in range(n):
            if active[i] and (nd[i] < best or a < 0):
                best = nd[i]
                a = i
        b = nn[a]
        lo = min(a, b)
        hi = max(a, b)
        merges[step, 0] = lo
        merges[step, 1] = hi
        merges[step, 2] = np.sqrt(best)
        if median:
            for k in range(d):
                P[lo, k] = 0.5 * (P[lo, k] + P[hi, k])
        else:
            for k in range(d):
                P[lo, k] = (size[lo] * P[lo, k] + size[hi] * P[hi, k]) / (size[lo] + size[hi])
        size[lo] += size[hi]
        active[hi] = False
        if step == n - 2:
            break
        nn[lo], nd[lo] = _nearest_active(P, active, lo)
        for i in range(n):
            if not active[i] or i == lo:
                continue
            if nn[i] == lo or nn[i] == hi:
                nn[i], nd[i] = _nearest_active(P, active, i)
            else:
                acc = 0.0
                for k in range(d):
                    t = P[i, k] - P[lo, k]
                    acc += t * t
                if acc < nd[i] or (acc == nd[i] and lo < nn[i]):
                    nn[i] = lo
                    nd[i] = acc


SINGLE = 4


@njit(cache=True, nogil=True)
def _heap_up(hw, ha, hb, pos, w, a, b):
    """Place (w, a, b) at ``pos`` of the binary min-heap on ``hw`` and sift it up."""
    while pos > 0:
        up = (pos - 1) >> 1
        if w < hw[up]:
            hw[pos] = hw[up]
            ha[pos] = ha[up]
            hb[pos] = hb[up]
            pos = up
        else:
            break
    hw[pos] = w
    ha[pos] = a
    hb[pos] = b


@njit(cache=True, nogil=True)
def _heap_drop_top(hw, ha, hb, size):
    """Remove the top of a heap of ``size`` entries; returns the new size."""
    size -= 1
    if size == 0:
        return 0
    w = hw[size]
    a = ha[size]
    b = hb[size]
    pos = 0
    while True:
        c = 2 * pos + 1
        if c >= size:
            break
        if c + 1 < size and hw[c + 1] < hw[c]:
            c += 1
        if hw[c] < w:
            hw[pos] = hw[c]
            ha[pos] = ha[c]
            hb[pos] = hb[c]
            pos = c
        else:
            break
    hw[pos] = w
    ha[pos] = a
    hb[pos] = b
    return size


@njit(cache=True, nogil=True)
def _grown(arr, need):
    cap = arr.shape[0]
    while cap < need:
        cap *= 2
    out = np.empty(cap, dtype=arr.dtype)
    for i in range(arr.shape[0]):  # a loop: a slice assignment costs seconds to compile
        out[i] = arr[i]
    return out


@njit(cache=True, nogil=True, inline="always")
def _ward_cost(total, size, a, b):
    acc = 0.0
    for f in range(total.shape[1]):
        t = total[a, f] / size[a] - total[b, f] / size[b]
        acc += t * t
    return acc * (size[a] * size[b] / (size[a] + size[b]))


@njit(cache=True, nogil=True)
def graph_linkage(X, indptr, indices, weights, method, merges):
    """Agglomeration restricted to the edges of a graph (scikit-learn's structured trees).

    The cheapest edge between two live clusters merges them; the new cluster's edges go to
    the live neighbours of either part, weighted by the largest (COMPLETE), size-weighted mean
    (AVERAGE) or smallest (SINGLE; ``graph_single_linkage`` is faster) of the two parts' edge
    weights to that neighbour (a
    neighbour of one part only keeps that weight), or by Ward's increase of the within-cluster
    sum of squares (WARD, from the clusters' sums and sizes). Each cluster's edges are a linked
    list in one pool; dead entries are skipped, not removed; the heap keeps stale edges until
    they surface.

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
        IN. Samples (used by WARD only).
    indptr, indices : ndarray of int64
        IN. A symmetric graph in CSR form, no self loops.
    weights : ndarray of float64
        IN. The edges' dissimilarities, aligned with ``indices`` (ignored by WARD).
    method : int
        IN. WARD, COMPLETE, AVERAGE or SINGLE.
    merges : ndarray of shape (n - 1, 3), float64
        OUT. ``[node_a, node_b, height]`` in merge order; merge ``s`` creates node ``n + s``
        (heights ``sqrt(2 * increase)`` for WARD, the edge weight otherwise).

    Returns
    -------
    steps : int
        Merges made (``n - 1`` unless the graph is disconnected).
    """
    n = indptr.shape[0] - 1
    n_nodes = 2 * n - 1
    ward = method == WARD
    size = np.zeros(n_nodes)
    size[:n] = 1.0
    alive = np.zeros(n_nodes, dtype=np.bool_)
    alive[:n] = True
    total = np.zeros((n_nodes if ward else 0, X.shape[1]))
    if ward:
        for i in range(n):
            for f in range(X.shape[1]):
                total[i, f] = X[i, f]
    nnz = indptr[n]
    e_nbr = np.empty(max(16, 2 * nnz), dtype=np.int64)
    e_val = np.empty(e_nbr.shape[0])
    e_next = np.empty(e_nbr.shape[0], dtype=np.int64)
    head = np.full(n_nodes, -1, dtype=np.int64)
    used = 0
    hw = np.empty(max(16, nnz))
    ha = np.empty(hw.shape[0], dtype=np.int64)
    hb = np.empty(hw.shape[0], dtype=np.int64)
    hs = 0
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            w = _ward_cost(total, size, i, j) if ward else weights[p]
            e_nbr[used] = j
            e_val[used] = w
            e_next[used] = head[i]
            head[i] = used
            used += 1
            if j < i:
                _heap_up(hw, ha, hb, hs, w, i, j)
                hs += 1
    mark = np.full(n_nodes, -1, dtype=np.int64)
    val = np.empty(n_nodes)
    touched = np.empty(n_nodes, dtype=np.int64)
    steps = 0
    for k in range(n, n_nodes):
        found = False
        w = 0.0
        a = 0
        b = 0
        while hs > 0:
            w = hw[0]
            a = ha[0]
            b = hb[0]
            hs = _heap_drop_top(hw, ha, hb, hs)
            if alive[a] and alive[b]:
                found = True
                break
        if not found:
            break
        merges[k - n, 0] = a
        merges[k - n, 1] = b
        merges[k - n, 2] = np.sqrt(2.0 * w) if ward else w
        steps += 1
        na = size[a]
        nb = size[b]
        size[k] = na + nb
        alive[a] = False
        alive[b] = False
        alive[k] = True
        if ward:
            for f in range(total.shape[1]):
                total[k, f] = total[a, f] + total[b, f]
        nt = 0
        for part in range(2):
            p = head[a] if part == 0 else head[b]
            while p >= 0:
                x = e_nbr[p]
                if alive[x]:
                    v = e_val[p]
                    if mark[x] != k:
                        mark[x] = k
                        val[x] = v
                        touched[nt] = x
                        nt += 1
                    elif method == COMPLETE:
                        val[x] = max(val[x], v)
                    elif method == AVERAGE:
                        val[x] = (na * val[x] + nb * v) / (na + nb)
                    elif method == SINGLE:
                        val[x] = min(val[x], v)
                p = e_next[p]
        if used + 2 * nt > e_nbr.shape[0]:
            e_nbr = _grown(e_nbr, used + 2 * nt)
            e_val = _grown(e_val, used + 2 * nt)
            e_next = _grown(e_next, used + 2 * nt)
        if hs + nt > hw.shape[0]:
            hw = _grown(hw, hs + nt)
            ha = _grown(ha, hs + nt)
            hb = _grown(hb, hs + nt)
        for t in range(nt):
            x = touched[t]
            dv = _ward_cost(total, size, k, x) if ward else val[x]
            e_nbr[used] = x
            e_val[used] = dv
            e_next[used] = head[k]
            head[k] = used
            e_nbr[used + 1] = k
            e_val[used + 1] = dv
            e_next[used + 1] = head[x]
            head[x] = used + 1
            used += 2
            _heap_up(hw, ha, hb, hs, dv, k, x)
            hs += 1
    return steps


@njit(cache=True, nogil=True)
def _find_root(parent, a):
    r = a
    while parent[r] != r:
        r = parent[r]
    while parent[a] != r:  # path compression
        nxt = parent[a]
        parent[a] = r
        a = nxt
    return r


@njit(cache=True, nogil=True)
def graph_single_linkage(n, ei, ej, ew, merges):
    """Single linkage on a graph: Kruskal's minimum spanning forest, edges in the given order.

    Parameters
    ----------
    n : int
        IN. Number of samples.
    ei, ej, ew : ndarray of shape (m,)
        IN. Edges (int64 ends, float64 lengths) sorted by length (stable).
    merges : ndarray of shape (n - 1, 3), float64
        OUT. ``[node_a, node_b, height]``; merge ``s`` creates node ``n + s``.

    Returns
    -------
    steps : int
        Merges made (``n - 1`` when the graph is connected).
    """
    parent = np.arange(n)
    node = np.arange(n)  # tree node of each union-find root
    steps = 0
    for e in range(ei.shape[0]):
        ra = _find_root(parent, ei[e])
        rb = _find_root(parent, ej[e])
        if ra == rb:
            continue
        merges[steps, 0] = node[ra]
        merges[steps, 1] = node[rb]
        merges[steps, 2] = ew[e]
        parent[ra] = rb
        node[rb] = n + steps
        steps += 1
        if steps == n - 1:
            break
    return steps
