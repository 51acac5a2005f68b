"""DBSCAN kernels: core samples, core components by union-find, border samples.

Two sources of neighbourhoods, one after the other, never all at once:

* the spatial index (``spatial.neighbors``, one sample at a time into a small buffer);
* a CSR graph (``indptr``, ``indices``) of the pairs within ``eps``, for precomputed input.

The labels reproduce scikit-learn's exactly (not only up to renumbering): its breadth-first
expansion starts clusters at the unlabelled core samples in index order, so clusters are
numbered by their lowest core sample index, and a border sample within ``eps`` of cores of
several clusters joins the one reached first, i.e. the lowest-numbered one.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .spatial import _find as _find_cell
from .spatial import _pair, neighbors

__all__ = [
    "blas_block_pass",
    "dbscan_graph",
    "dbscan_grid",
    "dbscan_index",
    "number_components",
    "union_pairs",
]


@njit(cache=True, nogil=True)
def _find(parent: np.ndarray, a: int) -> int:
    root = a
    while parent[root] != root:
        root = parent[root]
    while parent[a] != root:  # path compression
        nxt = parent[a]
        parent[a] = root
        a = nxt
    return root


@njit(cache=True, nogil=True)
def _union(parent: np.ndarray, a: int, b: int) -> None:
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra != rb:
        if ra < rb:
            parent[rb] = ra
        else:
            parent[ra] = rb


@njit(cache=True, nogil=True)
def _query(index: tuple, a: int, thresh: float, metric: int, p: float, buf: np.ndarray,
           stack: np.ndarray) -> tuple[int, np.ndarray]:  # fmt: skip
    """Neighbours of sorted position ``a``; grows ``buf`` when it is too short."""
    kind, Xs, _, cell_keys, cell_start, strides, origin, cell, lo, hi, ns, ne, child = index
    while True:
        c = neighbors(kind, Xs, cell_keys, cell_start, strides, origin, cell, lo, hi, ns, ne,
                      child, a, thresh, metric, p, buf, stack)  # fmt: skip
        if c >= 0:
            return c, buf
        buf = np.empty(max(-c, 2 * buf.shape[0]), dtype=np.int64)


@njit(cache=True, nogil=True, parallel=True)
def _core_index(index: tuple, thresh: float, metric: int, p: float, w: np.ndarray,
                min_samples: float, core: np.ndarray, n_blocks: int) -> None:  # fmt: skip
    n = core.shape[0]
    for b in prange(n_blocks):
        buf = np.empty(min(n, 1024), dtype=np.int64)
        stack = np.empty(256, dtype=np.int64)
        for a in range(b * n // n_blocks, (b + 1) * n // n_blocks):
            c, buf = _query(index, a, thresh, metric, p, buf, stack)
            total = 0.0
            for t in range(c):
                total += w[buf[t]]
            core[a] = total >= min_samples


@njit(cache=True, nogil=True, parallel=True)
def _border_index(index: tuple, thresh: float, metric: int, p: float, core: np.ndarray,
                  labels: np.ndarray, n_blocks: int) -> None:  # fmt: skip
    n = core.shape[0]
    for b in prange(n_blocks):
        buf = np.empty(min(n, 1024), dtype=np.int64)
        stack = np.empty(256, dtype=np.int64)
        for a in range(b * n // n_blocks, (b + 1) * n // n_blocks):
            if core[a]:
                continue
            c, buf = _query(index, a, thresh, metric, p, buf, stack)
            best = -1
            for t in range(c):
                s = buf[t]
                if core[s] and (best < 0 or labels[s] < best):
                    best = labels[s]
            labels[a] = best


@njit(cache=True, nogil=True)
def _number_components(order: np.ndarray, core: np.ndarray, parent: np.ndarray,
                       labels: np.ndarray) -> int:  # fmt: skip
    """Cluster numbers of the core samples, in order of each component's lowest index."""
    n = core.shape[0]
    inv = np.empty(n, dtype=np.int64)
    for s in range(n):
        inv[order[s]] = s
    root_label = np.full(n, -1, dtype=np.int64)
    n_clusters = 0
    for i in range(n):
        s = inv[i]
        if not core[s]:
            continue
        r = _find(parent, s)
        if root_label[r] < 0:
            root_label[r] = n_clusters
            n_clusters += 1
        labels[s] = root_label[r]
    return n_clusters


@njit(cache=True, nogil=True)
def dbscan_index(
    index: tuple,
    thresh: float,
    metric: int,
    p: float,
    w: np.ndarray,
    min_samples: float,
    core: np.ndarray,
    labels: np.ndarray,
    n_blocks: int,
) -> int:
    """DBSCAN over a spatial index.

    Parameters
    ----------
    index : tuple
        IN. From ``spatial.build_grid`` / ``build_kdtree`` / ``build_brute``.
    thresh : float
        IN. ``surrogate(eps, metric, p)``.
    metric, p
        IN. Metric code and Minkowski power.
    w : ndarray of shape (n,), float64
        IN. Sample weights in *index order*.
    min_samples : float
        IN. A sample is core when the weight within ``eps`` (itself included) reaches it.
    core : ndarray of shape (n,), bool
        OUT. Core flags, index order.
    labels : ndarray of shape (n,), int64
        OUT. Cluster labels (-1 noise), index order.
    n_blocks : int
        IN. Parallel blocks for the neighbour passes.

    Returns
    -------
    n_clusters : int
    """
    n = core.shape[0]
    order = index[2]
    _core_index(index, thresh, metric, p, w, min_samples, core, n_blocks)
    parent = np.arange(n)
    buf = np.empty(min(n, 1024), dtype=np.int64)
    stack = np.empty(256, dtype=np.int64)
    for a in range(n):
        if not core[a]:
            continue
        c, buf = _query(index, a, thresh, metric, p, buf, stack)
        for t in range(c):
            s = buf[t]
            if s > a and core[s]:
                _union(parent, a, s)
    labels[:] = -1
    n_clusters = _number_components(order, core, parent, labels)
    _border_index(index, thresh, metric, p, core, labels, n_blocks)
    return n_clusters


@njit(cache=True, nogil=True)
def dbscan_graph(
    indptr: np.ndarray,
    indices: np.ndarray,
    w: np.ndarray,
    min_samples: float,
    core: np.ndarray,
    labels: np.ndarray,
) -> int:
    """DBSCAN over the eps-neighbourhood graph (CSR; every row must list the sample itself).

    Same outputs as ``dbscan_index``, in the samples' own order. Row ``s`` holds the
    neighbours of ``s`` (as scikit-learn reads a precomputed matrix: a border sample is
    reached from the cores whose rows list it).
    """
    n = core.shape[0]
    for a in range(n):
        total = 0.0
        for t in range(indptr[a], indptr[a + 1]):
            total += w[indices[t]]
        core[a] = total >= min_samples
    parent = np.arange(n)
    for a in range(n):
        if core[a]:
            for t in range(indptr[a], indptr[a + 1]):
                s = indices[t]
                if core[s]:
                    _union(parent, a, s)
    labels[:] = -1
    n_clusters = _number_components(np.arange(n), core, parent, labels)
    # A border sample joins the lowest-numbered cluster with a core that lists it.
    for s in range(n):
        if core[s]:
            for t in range(indptr[s], indptr[s + 1]):
                a = indices[t]
                if not core[a] and (labels[a] < 0 or labels[s] < labels[a]):
                    labels[a] = labels[s]
    return n_clusters


@njit(cache=True, nogil=True)
def _cell_pair_close(Xs: np.ndarray, a0: int, a1: int, b0: int, b1: int, core: np.ndarray,
                     thresh: float, metric: int, p: float) -> bool:  # fmt: skip
    """Whether some core sample of ``a0:a1`` lies within the radius of one of ``b0:b1``."""
    for a in range(a0, a1):
        if not core[a]:
            continue
        for b in range(b0, b1):
            if core[b] and _pair(Xs, a, b, metric, p) <= thresh:
                return True
    return False


@njit(cache=True, nogil=True)
def _cell_neighbours(cell_keys: np.ndarray, c: int, off_keys: np.ndarray, out: np.ndarray) -> int:
    m = 0
    for o in range(off_keys.shape[0]):
        pos = _find_cell(cell_keys, cell_keys[c] + off_keys[o])
        if pos >= 0:
            out[m] = pos
            m += 1
    return m


@njit(cache=True, nogil=True, parallel=True)
def _grid_core(Xs: np.ndarray, cell_keys: np.ndarray, cell_start: np.ndarray,
               off_keys: np.ndarray, w: np.ndarray, thresh: float, metric: int, p: float,
               min_samples: float, core: np.ndarray, n_blocks: int) -> None:  # fmt: skip
    m = cell_keys.shape[0]
    for blk in prange(n_blocks):
        nbr = np.empty(off_keys.shape[0], dtype=np.int64)
        for c in range(blk * m // n_blocks, (blk + 1) * m // n_blocks):
            s0 = cell_start[c]
            s1 = cell_start[c + 1]
            own = 0.0
            for s in range(s0, s1):
                own += w[s]
            if own >= min_samples:  # a cell's samples are all within eps of each other
                for s in range(s0, s1):
                    core[s] = True
                continue
            k = _cell_neighbours(cell_keys, c, off_keys, nbr)
            for a in range(s0, s1):
                total = own
                for t in range(k):
                    c2 = nbr[t]
                    for s in range(cell_start[c2], cell_start[c2 + 1]):
                        if _pair(Xs, a, s, metric, p) <= thresh:
                            total += w[s]
                    if total >= min_samples:
                        break
                core[a] = total >= min_samples


@njit(cache=True, nogil=True, parallel=True)
def _grid_border(Xs: np.ndarray, cell_keys: np.ndarray, cell_start: np.ndarray,
                 off_keys: np.ndarray, thresh: float, metric: int, p: float, core: np.ndarray,
                 labels: np.ndarray, n_blocks: int) -> None:  # fmt: skip
    m = cell_keys.shape[0]
    for blk in prange(n_blocks):
        nbr = np.empty(off_keys.shape[0] + 1, dtype=np.int64)
        for c in range(blk * m // n_blocks, (blk + 1) * m // n_blocks):
            s0 = cell_start[c]
            s1 = cell_start[c + 1]
            own = -1
            for s in range(s0, s1):
                if core[s]:
                    own = labels[s]  # every core of a cell has the same label
                    break
            k = -1
            for a in range(s0, s1):
                if core[a]:
                    continue
                if k < 0:
                    k = _cell_neighbours(cell_keys, c, off_keys, nbr)
                best = own
                for t in range(k):
                    c2 = nbr[t]
                    for s in range(cell_start[c2], cell_start[c2 + 1]):
                        if core[s] and (best < 0 or labels[s] < best):
                            if _pair(Xs, a, s, metric, p) <= thresh:
                                best = labels[s]
                labels[a] = best


@njit(cache=True, nogil=True)
def dbscan_grid(
    Xs: np.ndarray,
    order: np.ndarray,
    cell_keys: np.ndarray,
    cell_start: np.ndarray,
    off_keys: np.ndarray,
    w: np.ndarray,
    thresh: float,
    metric: int,
    p: float,
    min_samples: float,
    core: np.ndarray,
    labels: np.ndarray,
    n_blocks: int,
) -> int:
    """DBSCAN on a grid whose cells are small enough that a cell's samples are all neighbours.

    Parameters
    ----------
    Xs : ndarray of shape (n, d), float64
        IN. Samples sorted by cell.
    order : ndarray of shape (n,), int64
        IN. Original index of each sorted position.
    cell_keys, cell_start
        IN. Sorted linear cell keys and the cells' ranges in ``Xs``.
    off_keys : ndarray of shape (n_offsets,), int64
        IN. Key differences to the neighbour cells that can hold a neighbour (own cell
        excluded).
    w, thresh, metric, p, min_samples, core, labels, n_blocks
        As in ``dbscan_index`` (``core``/``labels`` in sorted order).

    Returns
    -------
    n_clusters : int

    Notes
    -----
    Core samples of one cell are linked without any distance computation, and two cells are
    linked by the first core pair within ``eps`` found between them, skipped when the cells
    already belong to one component: the union step costs far less than one pass over all
    neighbourhoods (Gunawan's grid DBSCAN).
    """
    n = Xs.shape[0]
    m = cell_keys.shape[0]
    _grid_core(Xs, cell_keys, cell_start, off_keys, w, thresh, metric, p, min_samples, core,
               n_blocks)  # fmt: skip
    has_core = np.zeros(m, dtype=np.bool_)
    cell_of = np.empty(n, dtype=np.int64)
    for c in range(m):
        for s in range(cell_start[c], cell_start[c + 1]):
            cell_of[s] = c
            if core[s]:
                has_core[c] = True
    parent = np.arange(m)
    nbr = np.empty(off_keys.shape[0], dtype=np.int64)
    for c in range(m):
        if not has_core[c]:
            continue
        k = _cell_neighbours(cell_keys, c, off_keys, nbr)
        for t in range(k):
            c2 = nbr[t]
            if c2 < c or not has_core[c2]:
                continue
            if _find(parent, c) == _find(parent, c2):
                continue
            if _cell_pair_close(Xs, cell_start[c], cell_start[c + 1], cell_start[c2],
                                cell_start[c2 + 1], core, thresh, metric, p):  # fmt: skip
                _union(parent, c, c2)
    # Cluster numbers in order of each component's lowest original core index.
    inv = np.empty(n, dtype=np.int64)
    for s in range(n):
        inv[order[s]] = s
    root_label = np.full(m, -1, dtype=np.int64)
    n_clusters = 0
    labels[:] = -1
    for i in range(n):
        s = inv[i]
        if not core[s]:
            continue
        r = _find(parent, cell_of[s])
        if root_label[r] < 0:
            root_label[r] = n_clusters
            n_clusters += 1
        labels[s] = root_label[r]
    _grid_border(Xs, cell_keys, cell_start, off_keys, thresh, metric, p, core, labels,
                 n_blocks)  # fmt: skip
    return n_clusters


@njit(cache=True, nogil=True)
def union_pairs(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Union-find: join ``a[t]`` and ``b[t]`` for every t (IN/OUT ``parent``)."""
    for t in range(a.shape[0]):
        _union(parent, a[t], b[t])


@njit(cache=True, nogil=True)
def number_components(core: np.ndarray, parent: np.ndarray, labels: np.ndarray) -> int:
    """Cluster numbers of the core samples (sample order), by each component's lowest index."""
    return _number_components(np.arange(core.shape[0]), core, parent, labels)


@njit(cache=True, nogil=True)
def _exact_sq(rows: np.ndarray, a: int, j: int) -> float:
    d2 = 0.0
    for k in range(rows.shape[1]):
        t = rows[a, k] - rows[j, k]
        d2 += t * t
    return d2


@njit(cache=True, nogil=True)
def _row_within(rows: np.ndarray, sq: np.ndarray, G: np.ndarray, i: int, r0: int, r2: float,
                out: np.ndarray) -> None:  # fmt: skip
    """``out[j]`` = whether samples ``r0 + i`` and ``j`` are within the radius (1/0), from the
    BLAS product row (measured directly when within rounding of the radius)."""
    a = r0 + i
    n = G.shape[1]
    g = G[i]
    sa = sq[a]
    for j in range(n):
        out[j] = sa + sq[j] - 2.0 * g[j]
    for j in range(n):
        d2 = out[j]
        if abs(d2 - r2) <= 1e-9 * (sa + sq[j] + r2):
            d2 = _exact_sq(rows, a, j)
        out[j] = 1.0 if d2 <= r2 else 0.0
    out[a] = 1.0


@njit(cache=True, nogil=True, parallel=True)
def blas_block_pass(
    rows: np.ndarray,
    sq: np.ndarray,
    G: np.ndarray,
    r0: int,
    r2: float,
    mode: int,
    w: np.ndarray,
    min_samples: float,
    core: np.ndarray,
    labels: np.ndarray,
    pairs: np.ndarray,
    n_pairs: np.ndarray,
) -> None:
    """One pass of BLAS-blocked DBSCAN over rows ``r0 : r0 + G.shape[0]``.

    Parameters
    ----------
    rows : ndarray of shape (n, d), float64
        IN. Samples.
    sq : ndarray of shape (n,), float64
        IN. Squared norms.
    G : ndarray of shape (b, n), float64
        IN. ``rows[r0 : r0 + b] @ rows.T``.
    r0 : int
        IN. First row of the block.
    r2 : float
        IN. Squared radius.
    mode : int
        IN. 0: core flags (OUT ``core``); 1: core pairs ``j > i`` into ``pairs`` (OUT, with
        ``n_pairs[row]`` pairs per row, at most n each... the caller sizes it); 2: border
        labels (OUT ``labels`` of the block's non-core rows).
    w, min_samples, core, labels, pairs, n_pairs
        As described by ``mode``.
    """
    b, n = G.shape
    for i in prange(b):
        a = r0 + i
        if mode == 2 and core[a]:
            continue
        if mode == 1 and not core[a]:
            n_pairs[i] = 0
            continue
        hit = np.empty(n)
        _row_within(rows, sq, G, i, r0, r2, hit)
        if mode == 0:
            total = 0.0
            for j in range(n):
                total += hit[j] * w[j]
            core[a] = total >= min_samples
        elif mode == 1:
            c = 0
            for j in range(a + 1, n):
                if hit[j] > 0.0 and core[j]:
                    pairs[i, c] = j
                    c += 1
            n_pairs[i] = c
        else:
            best = -1
            for j in range(n):
                if hit[j] > 0.0 and core[j] and (best < 0 or labels[j] < best):
                    best = labels[j]
            labels[a] = best
