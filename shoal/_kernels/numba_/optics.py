"""OPTICS kernels: the cluster ordering (reachability graph) and the xi extraction.

The ordering repeatedly takes the unprocessed sample of smallest reachability (ties: the lowest
index; the lowest unprocessed index when every reachability is infinite) and lowers the
reachability of its unprocessed neighbours within ``max_eps`` to ``max(d, core distance)``.
scikit-learn scans all unprocessed samples for that minimum at every step (O(n^2)); here an
indexed binary heap keyed by (reachability, index) gives the same choice in O(log n), with O(n)
memory (decrease-key instead of duplicate entries). Reachabilities and core distances are rounded
to 15 decimals as scikit-learn rounds them, so ties resolve identically.

The xi extraction follows Ankerst et al. (1999, Figure 19) with the corrections of Schubert &
Gertz (2018) as scikit-learn applies them: steep down areas are collected, each steep up area
closes clusters with the compatible down areas, boundaries are trimmed to matching heights, and
(optionally) a cluster's end is moved back until its predecessor lies inside it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .spatial import CHEBYSHEV, EUCLIDEAN, MANHATTAN, _pair, neighbors, sweep
from .spatial import MINKOWSKI as MINKOWSKI_

__all__ = ["optics_order", "optics_order_all", "round15", "xi_clusters"]

SCALE = 1e15  # numpy.around(x, 15) is rint(x * 1e15) / 1e15


@njit(cache=True, nogil=True)
def round15(v: float) -> float:
    """``numpy.around(v, 15)``, the rounding scikit-learn's OPTICS applies to distances."""
    return np.rint(v * SCALE) / SCALE


@njit(cache=True, nogil=True)
def _less(key: np.ndarray, a: int, b: int) -> bool:
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True, nogil=True)
def _sift_up(heap: np.ndarray, pos: np.ndarray, key: np.ndarray, i: int) -> None:
    item = heap[i]
    while i > 0:
        parent = (i - 1) // 2
        if not _less(key, item, heap[parent]):
            break
        heap[i] = heap[parent]
        pos[heap[i]] = i
        i = parent
    heap[i] = item
    pos[item] = i


@njit(cache=True, nogil=True)
def _pop(heap: np.ndarray, pos: np.ndarray, key: np.ndarray, size: int) -> int:
    top = heap[0]
    pos[top] = -1
    size -= 1
    if size > 0:
        item = heap[size]
        i = 0
        while True:
            left = 2 * i + 1
            if left >= size:
                break
            best = left
            if left + 1 < size and _less(key, heap[left + 1], heap[left]):
                best = left + 1
            if not _less(key, heap[best], item):
                break
            heap[i] = heap[best]
            pos[heap[i]] = i
            i = best
        heap[i] = item
        pos[item] = i
    return top


@njit(cache=True, nogil=True)
def _lower(heap: np.ndarray, pos: np.ndarray, reach: np.ndarray, pred: np.ndarray, size: int,
           j: int, value: float, point: int) -> int:  # fmt: skip
    """Lower sample ``j``'s reachability to ``value`` (reached from ``point``): insert it in
    the heap or move it up; returns the heap size."""
    reach[j] = value
    pred[j] = point
    if pos[j] < 0:
        heap[size] = j
        pos[j] = size
        size += 1
    _sift_up(heap, pos, reach, pos[j])
    return size


@njit(cache=True, nogil=True)
def _distance(surrogate: float, metric: int, p: float) -> float:
    if metric == EUCLIDEAN:
        return np.sqrt(surrogate)
    if metric == MANHATTAN or metric == CHEBYSHEV:
        return surrogate
    return surrogate ** (1.0 / p)


@njit(cache=True, nogil=True)
def optics_order(
    index: tuple,
    D: np.ndarray,
    precomputed: bool,
    core: np.ndarray,
    max_eps: float,
    metric: int,
    p: float,
    reach: np.ndarray,
    pred: np.ndarray,
    ordering: np.ndarray,
) -> None:
    """The OPTICS ordering, reachability and predecessors.

    Parameters
    ----------
    index : tuple
        IN. A spatial index of the samples (``spatial.build_*``); unused when ``precomputed``.
    D : ndarray of shape (n, n)
        IN. Precomputed distances (when ``precomputed``; else a (0, 0) placeholder).
    precomputed : bool
        IN. Read distances from ``D`` instead of the index.
    core : ndarray of shape (n,), float64
        IN. Core distances in *sample order* (``inf`` for non-core), rounded.
    max_eps : float
        IN. Neighbourhood radius (``inf``: every sample).
    metric, p
        IN. Metric code and Minkowski power.
    reach : ndarray of shape (n,), float64
        OUT. Reachability distances (sample order; ``inf`` where never reached).
    pred : ndarray of shape (n,), int64
        OUT. Predecessor of each sample (-1 when none).
    ordering : ndarray of shape (n,), int64
        OUT. The cluster ordering.
    """
    kind, Xs, order, cell_keys, cell_start, strides, origin, cell, lo, hi, ns, ne, child = index
    n = reach.shape[0]
    inv = np.empty(n, dtype=np.int64)  # sample -> sorted position in the index
    for s in range(order.shape[0]):
        inv[order[s]] = s
    reach[:] = np.inf
    pred[:] = -1
    processed = np.zeros(n, dtype=np.bool_)
    heap = np.empty(n, dtype=np.int64)
    hpos = np.full(n, -1, dtype=np.int64)
    size = 0
    nxt = 0  # lowest index that may be unprocessed
    buf = np.empty(min(n, 1024), dtype=np.int64)
    stack = np.empty(256, dtype=np.int64)
    if metric == EUCLIDEAN:
        thresh = max_eps * max_eps
    elif metric == MANHATTAN or metric == CHEBYSHEV:
        thresh = max_eps
    else:
        thresh = max_eps**p
    for step in range(n):
        if size > 0:
            point = _pop(heap, hpos, reach, size)
            size -= 1
        else:
            while processed[nxt]:
                nxt += 1
            point = nxt
        processed[point] = True
        ordering[step] = point
        cd = core[point]
        if cd == np.inf:
            continue
        if precomputed or max_eps == np.inf:
            count = n
        else:
            while True:
                count = neighbors(
                    kind, Xs, cell_keys, cell_start, strides, origin, cell, lo, hi, ns, ne, child,
                    inv[point], thresh, metric, p, buf, stack,
                )  # fmt: skip
                if count >= 0:
                    break
                buf = np.empty(max(-count, 2 * buf.shape[0]), dtype=np.int64)
        for t in range(count):
            if precomputed or max_eps == np.inf:
                j = t
            else:
                j = order[buf[t]]
            if processed[j]:
                continue
            if precomputed:
                dist = np.float64(D[point, j])
                if dist > max_eps:
                    continue
            else:
                dist = _distance(_pair(Xs, inv[point], inv[j], metric, p), metric, p)
            rd = round15(max(dist, cd))
            if rd < reach[j]:
                size = _lower(heap, hpos, reach, pred, size, j, rd, point)


@njit(cache=True, nogil=True)
def _extend(steep: np.ndarray, xward: np.ndarray, start: int, min_samples: int) -> int:
    """End of the steep area that starts at ``start``: it may hold at most ``min_samples``
    consecutive non-steep points and stops at the first point going the other way."""
    n = steep.shape[0]
    gap = 0
    end = start
    for i in range(start, n):
        if steep[i]:
            gap = 0
            end = i
        elif xward[i]:
            return end
        else:
            gap += 1
            if gap > min_samples:
                break
    return end


@njit(cache=True, nogil=True)
def _predecessor_trim(r: np.ndarray, pred_plot: np.ndarray, ordering: np.ndarray, s: int,
                      e: int) -> int:  # fmt: skip
    """Move the end back until the cluster holds its last point's predecessor; -1: none."""
    while s < e:
        if r[s] > r[e]:
            return e
        pe = pred_plot[e]
        for i in range(s, e):
            if ordering[i] == pe:
                return e
        e -= 1
    return -1


@njit(cache=True, nogil=True)
def xi_clusters(
    r: np.ndarray,
    pred_plot: np.ndarray,
    ordering: np.ndarray,
    xi: float,
    min_samples: int,
    min_cluster_size: int,
    correct: bool,
    out: np.ndarray,
) -> int:
    """Clusters of the xi method as (start, end) ranges of the reachability plot, inclusive.

    Parameters
    ----------
    r : ndarray of shape (n + 1,), float64
        IN. The reachability plot (``reach[ordering]``) followed by one ``inf``.
    pred_plot : ndarray of shape (n,), int64
        IN. ``pred[ordering]``.
    ordering : ndarray of shape (n,), int64
        IN.
    xi : float in (0, 1)
        IN. Minimum relative steepness.
    min_samples, min_cluster_size : int
        IN. Longest run of non-steep points inside a steep area; smallest cluster.
    correct : bool
        IN. Apply the predecessor correction.
    out : ndarray of shape (>= n, 2), int64
        OUT. The clusters, smaller ones (nested inside) before the larger ones.

    Returns
    -------
    n_clusters : int
    """
    n = r.shape[0] - 1
    keep = 1.0 - xi
    steep_up = np.zeros(n, dtype=np.bool_)
    steep_down = np.zeros(n, dtype=np.bool_)
    up = np.zeros(n, dtype=np.bool_)
    down = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        a = r[i]
        b = r[i + 1]
        if a == np.inf and b == np.inf:
            continue  # inf / inf: neither steep nor flat
        ratio = a / b
        steep_up[i] = ratio <= keep
        steep_down[i] = ratio >= 1.0 / keep
        down[i] = ratio > 1.0
        up[i] = ratio < 1.0
    # steep down areas: start, end, and the highest reachability seen since (mib)
    d_start = np.empty(n, dtype=np.int64)
    d_end = np.empty(n, dtype=np.int64)
    d_mib = np.empty(n)
    n_d = 0
    n_c = 0
    found = np.empty((n, 2), dtype=np.int64)
    index = 0
    mib = 0.0
    for s in range(n):
        if not (steep_up[s] or steep_down[s]) or s < index:
            continue
        for i in range(index, s + 1):
            if r[i] > mib:
                mib = r[i]
        # drop the down areas that the plot has since risen above, update the others' mib
        if mib == np.inf:
            n_d = 0
        else:
            m = 0
            for t in range(n_d):
                if mib <= r[d_start[t]] * keep:
                    d_start[m] = d_start[t]
                    d_end[m] = d_end[t]
                    d_mib[m] = max(d_mib[t], mib)
                    m += 1
            n_d = m
        if steep_down[s]:
            e = _extend(steep_down, up, s, min_samples)
            d_start[n_d] = s
            d_end[n_d] = e
            d_mib[n_d] = 0.0
            n_d += 1
            index = e + 1
            mib = r[index]
            continue
        u_end = _extend(steep_up, down, s, min_samples)
        index = u_end + 1
        mib = r[index]
        n_found = 0
        for t in range(n_d):
            c_start = d_start[t]
            c_end = u_end
            if r[c_end + 1] * keep < d_mib[t]:
                continue
            d_max = r[d_start[t]]
            if d_max * keep >= r[c_end + 1]:
                while r[c_start + 1] > r[c_end + 1] and c_start < d_end[t]:
                    c_start += 1
            elif r[c_end + 1] * keep >= d_max:
                while r[c_end - 1] > d_max and c_end > s:
                    c_end -= 1
            if correct:
                c_end = _predecessor_trim(r, pred_plot, ordering, c_start, c_end)
                if c_end < 0:
                    continue
            if c_end - c_start + 1 < min_cluster_size:
                continue
            if c_start > d_end[t] or c_end < s:
                continue
            found[n_found, 0] = c_start
            found[n_found, 1] = c_end
            n_found += 1
        for t in range(n_found - 1, -1, -1):  # inner (later down areas) clusters first
            out[n_c, 0] = found[t, 0]
            out[n_c, 1] = found[t, 1]
            n_c += 1
    return n_c


@njit(cache=True, nogil=True)
def optics_order_all(
    XT: np.ndarray,
    core: np.ndarray,
    metric: int,
    p: float,
    reach: np.ndarray,
    pred: np.ndarray,
    ordering: np.ndarray,
) -> None:
    """``optics_order`` for ``max_eps = inf``: every unprocessed sample is a neighbour.

    The unprocessed samples are kept compacted (swap-remove) with their coordinates and
    reachabilities in transposed working copies, so each step is one contiguous, vectorisable
    sweep over the samples left (n^2 / 2 distances in all, no index needed), and a sample
    whose reachability cannot drop is rejected on its squared distance, before any root or
    rounding. No fused multiply-add: the sums must round exactly as scikit-learn's do.

    Parameters
    ----------
    XT : ndarray of shape (n_features, n), float64
        IN. Transposed data (a private copy: it is reordered in place).
    core, metric, p, reach, pred, ordering
        As in ``optics_order``.
    """
    d, n = XT.shape
    reach[:] = np.inf
    pred[:] = -1
    alive = np.arange(n)
    where = np.arange(n)
    ra = np.full(n, np.inf)  # reachability of alive[t], kept compacted alongside
    m = n
    heap = np.empty(n, dtype=np.int64)
    hpos = np.full(n, -1, dtype=np.int64)
    size = 0
    x = np.empty(d)
    rd = np.empty(n)
    for step in range(n):
        if size > 0:
            point = _pop(heap, hpos, reach, size)
            size -= 1
        else:  # every reachability is infinite: the lowest unprocessed index
            point = alive[0]
            for t in range(1, m):
                if alive[t] < point:
                    point = alive[t]
        ordering[step] = point
        t0 = where[point]
        for k in range(d):
            x[k] = XT[k, t0]
        m -= 1  # swap-remove the point from the alive block
        last = alive[m]
        alive[t0] = last
        where[last] = t0
        ra[t0] = ra[m]
        for k in range(d):
            XT[k, t0] = XT[k, m]
        cd = core[point]
        if cd == np.inf:
            continue
        sweep(XT, x, m, metric, p, rd)
        for t in range(m):
            r = ra[t]
            if r != np.inf:
                # Cheap rejection in surrogate space, with room for the 15-decimal rounding.
                lim = r * (1.0 + 1e-12) + 1e-14
                if cd > lim:
                    continue
                if metric == EUCLIDEAN:
                    if rd[t] > lim * lim:
                        continue
                elif metric == MINKOWSKI_:
                    if rd[t] > lim**p:
                        continue
                elif rd[t] > lim:
                    continue
            v = np.rint(max(_distance(rd[t], metric, p), cd) * SCALE) / SCALE
            if v < r:
                ra[t] = v
                size = _lower(heap, hpos, reach, pred, size, alive[t], v, point)
