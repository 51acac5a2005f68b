"""The shared spatial index: fixed-radius neighbour search by grid, KD-tree or brute force.

Every density estimator (DBSCAN, HDBSCAN, OPTICS, mean shift) asks the same question: which
samples lie within ``r`` of sample ``i``? The index answers it one sample at a time into a
buffer the caller owns (``neighbors``), so no estimator ever holds all neighbourhoods at once.

An index is a tuple of plain arrays (it pickles and caches; STYLE.md):

``(kind, Xs, order, cell_keys, cell_start, strides, origin, cell, lo, hi, node_start, node_end,
child)``

* ``Xs`` (n, d) float64: the samples in index order (``order[s]`` is the original index of
  sorted position ``s``); neighbours are reported as *sorted positions*.
* grid (``kind == GRID``, d <= 3): cubic cells of side ``cell``; ``cell_keys`` are the sorted
  distinct linear cell keys (``sum c_k * strides[k]`` of the integer cell coordinates) and
  ``cell_start`` their ranges in ``Xs``. A neighbour lies in one of the 3^d cells around the
  sample's cell, because every metric here has ``|x_k - y_k| <= d(x, y)``.
* KD-tree (``kind == KDTREE``): nodes with ranges ``node_start:node_end`` of ``Xs``, bounding
  boxes ``lo``/``hi`` and children ``child[node] = (left, right)`` (-1 for a leaf). A subtree is
  skipped when the box is farther than ``r``.
* brute force (``kind == BRUTE``): every sample is checked (any dimension), a tile of samples
  at a time from the transposed copy kept in ``lo``.

Distances: Minkowski family through ``metric`` codes (Euclidean, Manhattan, Chebyshev,
Minkowski-p), compared through surrogates (``r^2``, ``r^p``) so no root is taken in a search.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

GRID = 0
KDTREE = 1
BRUTE = 2

EUCLIDEAN = 0
MANHATTAN = 1
CHEBYSHEV = 2
MINKOWSKI = 3

METRICS = {"euclidean": EUCLIDEAN, "l2": EUCLIDEAN, "manhattan": MANHATTAN,
           "cityblock": MANHATTAN, "l1": MANHATTAN, "chebyshev": CHEBYSHEV,
           "minkowski": MINKOWSKI}  # fmt: skip

__all__ = [
    "BRUTE",
    "GRID",
    "KDTREE",
    "METRICS",
    "build_brute",
    "build_grid",
    "build_kdtree",
    "knn",
    "knn_queries",
    "neighbors",
    "surrogate",
    "sweep",
]


@njit(cache=True, nogil=True)
def surrogate(r: float, metric: int, p: float) -> float:
    """The search threshold for radius ``r``: ``r^2`` (Euclidean), ``r^p`` (Minkowski), ``r``."""
    if metric == EUCLIDEAN:
        return r * r
    if metric == MINKOWSKI:
        return r**p
    return r


@njit(cache=True, nogil=True, inline="always")
def _pair(Xs: np.ndarray, a: int, b: int, metric: int, p: float) -> float:
    d = Xs.shape[1]
    acc = 0.0
    if metric == EUCLIDEAN:
        for k in range(d):
            t = Xs[a, k] - Xs[b, k]
            acc += t * t
    elif metric == MANHATTAN:
        for k in range(d):
            acc += abs(Xs[a, k] - Xs[b, k])
    elif metric == CHEBYSHEV:
        for k in range(d):
            t = abs(Xs[a, k] - Xs[b, k])
            if t > acc:
                acc = t
    else:
        for k in range(d):
            acc += abs(Xs[a, k] - Xs[b, k]) ** p
    return acc


@njit(cache=True, nogil=True)
def _box(Xs: np.ndarray, a: int, lo: np.ndarray, hi: np.ndarray, node: int, metric: int,
         p: float) -> float:  # fmt: skip
    """Surrogate distance from sample ``a`` to the bounding box of ``node`` (0 inside)."""
    acc = 0.0
    for k in range(Xs.shape[1]):
        x = Xs[a, k]
        t = 0.0
        if x < lo[node, k]:
            t = lo[node, k] - x
        elif x > hi[node, k]:
            t = x - hi[node, k]
        if metric == EUCLIDEAN:
            acc += t * t
        elif metric == MANHATTAN:
            acc += t
        elif metric == CHEBYSHEV:
            if t > acc:
                acc = t
        else:
            acc += t**p
    return acc


def build_grid(X: np.ndarray, cell: float) -> tuple | None:
    """Grid index of ``X`` (n, d <= 3) with cells of side ``cell``; None when the grid would
    need more than 2^62 cells (a radius tiny against the data's extent)."""
    X = np.asarray(X, dtype=np.float64)
    origin = X.min(axis=0)
    coords = np.floor((X - origin) / cell).astype(np.int64)
    extent = coords.max(axis=0) + 3  # one spare cell each side for the neighbour offsets
    if float(np.prod(extent.astype(np.float64))) >= 2.0**62:
        return None
    strides = np.ones(X.shape[1], dtype=np.int64)
    for k in range(X.shape[1] - 2, -1, -1):
        strides[k] = strides[k + 1] * extent[k + 1]
    keys = (coords + 1) @ strides
    order = np.argsort(keys, kind="stable")
    skeys = keys[order]
    cell_keys, cell_first = np.unique(skeys, return_index=True)
    cell_start = np.append(cell_first, X.shape[0]).astype(np.int64)
    Xs = np.ascontiguousarray(X[order])
    empty_f = np.empty((0, X.shape[1]))
    empty_i = np.empty(0, dtype=np.int64)
    return (GRID, Xs, order.astype(np.int64), cell_keys.astype(np.int64), cell_start, strides,
            origin, float(cell), empty_f, empty_f, empty_i, empty_i,
            np.empty((0, 2), dtype=np.int64))  # fmt: skip


@njit(cache=True, nogil=True)
def _select(X: np.ndarray, perm: np.ndarray, a: int, b: int, kth: int, dim: int) -> None:
    """Reorder ``perm[a:b]`` so that position ``kth`` holds the median along ``dim``
    (quickselect, smaller values before, larger after)."""
    lo = a
    hi = b - 1
    while lo < hi:
        pivot = X[perm[(lo + hi) // 2], dim]
        i = lo
        j = hi
        while i <= j:
            while X[perm[i], dim] < pivot:
                i += 1
            while X[perm[j], dim] > pivot:
                j -= 1
            if i <= j:
                t = perm[i]
                perm[i] = perm[j]
                perm[j] = t
                i += 1
                j -= 1
        if kth <= j:
            hi = j
        elif kth >= i:
            lo = i
        else:
            break


@njit(cache=True, nogil=True)
def _build_tree(X: np.ndarray, leaf_size: int, perm: np.ndarray, node_start: np.ndarray,
                node_end: np.ndarray, child: np.ndarray, lo: np.ndarray,
                hi: np.ndarray) -> int:  # fmt: skip
    n, d = X.shape
    stack = np.empty(node_start.shape[0], dtype=np.int64)
    node_start[0] = 0
    node_end[0] = n
    n_nodes = 1
    top = 0
    stack[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        a = node_start[node]
        b = node_end[node]
        for k in range(d):
            lo[node, k] = np.inf
            hi[node, k] = -np.inf
        for s in range(a, b):
            for k in range(d):
                v = X[perm[s], k]
                if v < lo[node, k]:
                    lo[node, k] = v
                if v > hi[node, k]:
                    hi[node, k] = v
        child[node, 0] = -1
        child[node, 1] = -1
        if b - a <= leaf_size:
            continue
        dim = 0
        for k in range(1, d):
            if hi[node, k] - lo[node, k] > hi[node, dim] - lo[node, dim]:
                dim = k
        if hi[node, dim] == lo[node, dim]:
            continue  # all samples identical: a leaf, whatever its size
        mid = (a + b) // 2
        _select(X, perm, a, b, mid, dim)
        left = n_nodes
        right = n_nodes + 1
        n_nodes += 2
        node_start[left] = a
        node_end[left] = mid
        node_start[right] = mid
        node_end[right] = b
        child[node, 0] = left
        child[node, 1] = right
        stack[top] = left
        stack[top + 1] = right
        top += 2
    return n_nodes


def build_kdtree(X: np.ndarray, leaf_size: int = 32) -> tuple:
    """KD-tree index of ``X`` (median splits on the widest dimension, leaves of <= leaf_size)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    n, d = X.shape
    cap = 2 * (n // max(1, leaf_size // 2) + 1) + 1
    perm = np.arange(n, dtype=np.int64)
    node_start = np.empty(cap, dtype=np.int64)
    node_end = np.empty(cap, dtype=np.int64)
    child = np.empty((cap, 2), dtype=np.int64)
    lo = np.empty((cap, d))
    hi = np.empty((cap, d))
    m = _build_tree(X, int(leaf_size), perm, node_start, node_end, child, lo, hi)
    Xs = np.ascontiguousarray(X[perm])
    empty_i = np.empty(0, dtype=np.int64)
    return (KDTREE, Xs, perm, empty_i, empty_i, empty_i, np.zeros(d), 0.0,
            lo[:m].copy(), hi[:m].copy(), node_start[:m].copy(), node_end[:m].copy(),
            child[:m].copy())  # fmt: skip


def build_brute(X: np.ndarray) -> tuple:
    """The trivial index: samples in their own order, every one checked.

    ``lo`` holds the transposed samples ``XT`` (d, n) here, so a query measures a whole tile
    of samples feature by feature (contiguous, vectorised) instead of pair by pair.
    """
    Xs = np.ascontiguousarray(X, dtype=np.float64)
    d = Xs.shape[1]
    empty_i = np.empty(0, dtype=np.int64)
    empty_f = np.empty((0, d))
    return (BRUTE, Xs, np.arange(Xs.shape[0], dtype=np.int64), empty_i, empty_i, empty_i,
            np.zeros(d), 0.0, np.ascontiguousarray(Xs.T), empty_f, empty_i, empty_i,
            np.empty((0, 2), dtype=np.int64))  # fmt: skip


TILE = 512


@njit(cache=True, nogil=True)
def sweep(XT: np.ndarray, x: np.ndarray, m: int, metric: int, p: float, out: np.ndarray) -> None:
    """Surrogate distances from ``x`` to the first ``m`` columns of ``XT`` into ``out[:m]``.

    Feature by feature over contiguous rows (vectorised); each distance sums its features in
    order with no fused multiply-add, so it rounds exactly as ``_pair`` does.
    """
    out[:m] = 0.0
    for k in range(XT.shape[0]):
        xk = x[k]
        row = XT[k]
        if metric == EUCLIDEAN:
            for t in range(m):
                v = row[t] - xk
                out[t] += v * v
        elif metric == MANHATTAN:
            for t in range(m):
                out[t] += abs(row[t] - xk)
        elif metric == CHEBYSHEV:
            for t in range(m):
                out[t] = max(out[t], abs(row[t] - xk))
        else:
            for t in range(m):
                out[t] += abs(row[t] - xk) ** p


@njit(cache=True, nogil=True)
def _tile(XT: np.ndarray, Xs: np.ndarray, a: int, t0: int, t1: int, metric: int, p: float,
          buf: np.ndarray) -> None:  # fmt: skip
    """Surrogate distances from sample ``a`` to samples ``t0:t1`` into ``buf[:t1 - t0]``;
    each distance sums its features in order, as ``_pair`` does (same rounding)."""
    m = t1 - t0
    for j in range(m):
        buf[j] = 0.0
    for k in range(XT.shape[0]):
        xk = Xs[a, k]
        row = XT[k]
        if metric == EUCLIDEAN:
            for j in range(m):
                t = xk - row[t0 + j]
                buf[j] += t * t
        elif metric == MANHATTAN:
            for j in range(m):
                buf[j] += abs(xk - row[t0 + j])
        elif metric == CHEBYSHEV:
            for j in range(m):
                buf[j] = max(buf[j], abs(xk - row[t0 + j]))
        else:
            for j in range(m):
                buf[j] += abs(xk - row[t0 + j]) ** p


@njit(cache=True, nogil=True)
def _find(keys: np.ndarray, key: int) -> int:
    lo = 0
    hi = keys.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < keys.shape[0] and keys[lo] == key:
        return lo
    return -1


@njit(cache=True, nogil=True)
def neighbors(
    kind: int,
    Xs: np.ndarray,
    cell_keys: np.ndarray,
    cell_start: np.ndarray,
    strides: np.ndarray,
    origin: np.ndarray,
    cell: float,
    lo: np.ndarray,
    hi: np.ndarray,
    node_start: np.ndarray,
    node_end: np.ndarray,
    child: np.ndarray,
    a: int,
    thresh: float,
    metric: int,
    p: float,
    out: np.ndarray,
    stack: np.ndarray,
) -> int:
    """Sorted positions of the samples within the radius of sample ``a`` (itself included).

    Parameters
    ----------
    kind, Xs, cell_keys, cell_start, strides, origin, cell, lo, hi, node_start, node_end, child
        IN. The index (see the module docstring; ``order`` is not needed here).
    a : int
        IN. Sorted position of the query sample.
    thresh : float
        IN. ``surrogate(radius, metric, p)``; a sample is a neighbour when its surrogate
        distance is ``<= thresh``.
    metric : int
        IN. One of the metric codes.
    p : float
        IN. Minkowski power (ignored by the other metrics).
    out : ndarray of shape (m,), int64
        OUT. The neighbours' sorted positions in ``out[:count]``. When more than ``m`` samples
        qualify, the search still counts them all but stores only the first ``m``, and returns
        ``-count``: the caller grows ``out`` and asks again.
    stack : ndarray of shape (>= 2 * tree depth + 2,), int64
        Scratch for the KD-tree walk.

    Returns
    -------
    count : int
        Number of neighbours, negative when ``out`` was too short (see ``out``).
    """
    count = 0
    cap = out.shape[0]
    d = Xs.shape[1]
    if kind == GRID:
        base = 0
        for k in range(d):
            c = math.floor((Xs[a, k] - origin[k]) / cell) + 1
            base += c * strides[k]
        n_off = 3**d
        for o in range(n_off):
            key = base
            rem = o
            for k in range(d):
                key += (rem % 3 - 1) * strides[k]
                rem //= 3
            pos = _find(cell_keys, key)
            if pos < 0:
                continue
            for s in range(cell_start[pos], cell_start[pos + 1]):
                if _pair(Xs, a, s, metric, p) <= thresh:
                    if count < cap:
                        out[count] = s
                    count += 1
    elif kind == KDTREE:
        top = 1
        stack[0] = 0
        while top > 0:
            top -= 1
            node = stack[top]
            if _box(Xs, a, lo, hi, node, metric, p) > thresh:
                continue
            if child[node, 0] < 0:
                for s in range(node_start[node], node_end[node]):
                    if _pair(Xs, a, s, metric, p) <= thresh:
                        if count < cap:
                            out[count] = s
                        count += 1
            else:
                stack[top] = child[node, 1]
                stack[top + 1] = child[node, 0]
                top += 2
    else:
        buf = np.empty(TILE)
        n = Xs.shape[0]
        for t0 in range(0, n, TILE):
            t1 = min(n, t0 + TILE)
            _tile(lo, Xs, a, t0, t1, metric, p, buf)
            for j in range(t1 - t0):
                if buf[j] <= thresh:
                    if count < cap:
                        out[count] = t0 + j
                    count += 1
    return count if count <= cap else -count


@njit(cache=True, nogil=True)
def _heap_push(dist: np.ndarray, idx: np.ndarray, size: int, v: float, j: int) -> int:
    """Max-heap of the k best (smallest) values in ``dist[:k]``; returns the new size."""
    k = dist.shape[0]
    if size < k:
        pos = size
        size += 1
    elif v < dist[0]:
        # replace the root and sift down
        pos = 0
        while True:
            left = 2 * pos + 1
            if left >= k:
                break
            big = left
            if left + 1 < k and dist[left + 1] > dist[left]:
                big = left + 1
            if dist[big] <= v:
                break
            dist[pos] = dist[big]
            idx[pos] = idx[big]
            pos = big
        dist[pos] = v
        idx[pos] = j
        return size
    else:
        return size
    while pos > 0:  # sift up the new entry
        parent = (pos - 1) // 2
        if dist[parent] >= v:
            break
        dist[pos] = dist[parent]
        idx[pos] = idx[parent]
        pos = parent
    dist[pos] = v
    idx[pos] = j
    return size


@njit(cache=True, nogil=True)
def _knn_one(kind: int, Xs: np.ndarray, lo: np.ndarray, hi: np.ndarray, node_start: np.ndarray,
             node_end: np.ndarray, child: np.ndarray, a: int, metric: int, p: float,
             dist: np.ndarray, idx: np.ndarray, stack: np.ndarray,
             sdist: np.ndarray) -> None:  # fmt: skip
    """The k nearest samples of sorted position ``a`` (itself included) into the heap.

    The KD-tree walk keeps each pending node's box distance beside it on the stack
    (``sdist``), so a box is measured once, when its parent is expanded.
    """
    k = dist.shape[0]
    size = 0
    if kind == KDTREE:
        top = 1
        stack[0] = 0
        sdist[0] = 0.0
        while top > 0:
            top -= 1
            node = stack[top]
            if size == k and sdist[top] > dist[0]:
                continue
            if child[node, 0] < 0:
                for s in range(node_start[node], node_end[node]):
                    size = _heap_push(dist, idx, size, _pair(Xs, a, s, metric, p), s)
            else:
                left = child[node, 0]
                right = child[node, 1]
                dl = _box(Xs, a, lo, hi, left, metric, p)
                dr = _box(Xs, a, lo, hi, right, metric, p)
                if dl <= dr:  # the nearer child is visited first (pushed last)
                    stack[top] = right
                    sdist[top] = dr
                    stack[top + 1] = left
                    sdist[top + 1] = dl
                else:
                    stack[top] = left
                    sdist[top] = dl
                    stack[top + 1] = right
                    sdist[top + 1] = dr
                top += 2
    else:
        buf = np.empty(TILE)
        n = Xs.shape[0]
        for t0 in range(0, n, TILE):
            t1 = min(n, t0 + TILE)
            _tile(lo, Xs, a, t0, t1, metric, p, buf)
            for j in range(t1 - t0):
                if size < k or buf[j] < dist[0]:
                    size = _heap_push(dist, idx, size, buf[j], t0 + j)


@njit(cache=True, nogil=True, parallel=True)
def knn(kind: int, Xs: np.ndarray, lo: np.ndarray, hi: np.ndarray, node_start: np.ndarray,
        node_end: np.ndarray, child: np.ndarray, metric: int, p: float, dist: np.ndarray,
        idx: np.ndarray) -> None:  # fmt: skip
    """k nearest neighbours of every sample (itself included), KD-tree or brute force.

    Parameters
    ----------
    kind, Xs, lo, hi, node_start, node_end, child
        IN. A KD-tree or brute-force index (see the module docstring).
    metric, p
        IN. Metric code and Minkowski power.
    dist : ndarray of shape (n, k), float64
        OUT. Surrogate distances to the k nearest, ascending (row ``s`` for sorted position s).
    idx : ndarray of shape (n, k), int64
        OUT. Their sorted positions.
    """
    n = Xs.shape[0]
    k = dist.shape[1]
    n_blocks = min(n, 64)
    for b in prange(n_blocks):
        hd = np.empty(k)
        hi_ = np.empty(k, dtype=np.int64)
        stack = np.empty(256, dtype=np.int64)
        sdist = np.empty(256)
        for a in range(b * n // n_blocks, (b + 1) * n // n_blocks):
            _knn_one(kind, Xs, lo, hi, node_start, node_end, child, a, metric, p, hd, hi_, stack,
                     sdist)  # fmt: skip
            order = np.argsort(hd)
            for t in range(k):
                dist[a, t] = hd[order[t]]
                idx[a, t] = hi_[order[t]]


@njit(cache=True, nogil=True, parallel=True)
def knn_queries(kind: int, both: np.ndarray, n_indexed: int, lo: np.ndarray, hi: np.ndarray,
                node_start: np.ndarray, node_end: np.ndarray, child: np.ndarray, metric: int,
                p: float, dist: np.ndarray, idx: np.ndarray) -> None:  # fmt: skip
    """k nearest indexed samples of new query points.

    Parameters
    ----------
    both : ndarray of shape (n_indexed + n_queries, d)
        IN. The indexed samples (index order) followed by the queries.
    n_indexed : int
        IN.
    kind, lo, hi, node_start, node_end, child, metric, p
        IN. As in ``knn`` (for brute force, ``lo`` is the indexed samples transposed).
    dist, idx : ndarray of shape (n_queries, k)
        OUT. Surrogate distances (ascending) and sorted positions of the neighbours.
    """
    nq = dist.shape[0]
    k = dist.shape[1]
    for qi in prange(nq):
        hd = np.empty(k)
        hi_ = np.empty(k, dtype=np.int64)
        stack = np.empty(256, dtype=np.int64)
        sdist = np.empty(256)
        a = n_indexed + qi
        if kind == KDTREE:
            _knn_one(kind, both, lo, hi, node_start, node_end, child, a, metric, p, hd, hi_,
                     stack, sdist)  # fmt: skip
        else:
            size = 0
            for s in range(n_indexed):
                size = _heap_push(hd, hi_, size, _pair(both, a, s, metric, p), s)
        order = np.argsort(hd)
        for t in range(k):
            dist[qi, t] = hd[order[t]]
            idx[qi, t] = hi_[order[t]]
