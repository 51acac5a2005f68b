"""BIRCH kernels: insert samples into a clustering-feature (CF) tree held in flat arrays.

The tree (Zhang, Ramakrishnan & Livny 1996) is two tables that grow by doubling (the caller
reallocates when ``birch_insert`` stops early for room):

- entries (subclusters), one row each: ``e_n`` (N, int64), ``e_ls`` (linear sum, (E, d)),
  ``e_ss`` (squared sum: the sum of the samples' squared norms, a scalar), ``e_c`` (centroid
  ``ls / N``), ``e_sq`` (the centroid's squared norm) and ``e_child`` (node below, -1 at a leaf);
- nodes: ``nd_leaf`` (1 for leaves), ``nd_cnt`` (entries used), ``nd_ent`` ((V, B + 1) entry
  ids in order), ``nd_prev`` / ``nd_next`` (the leaves' doubly linked list; node 0 is a dummy
  leaf that heads it).

``meta`` = [entries used, nodes used, root node, depth]. The arithmetic follows scikit-learn's
Birch step for step (closest entry by ``-2 c.x + |c|^2``, merge when the merged squared radius
``SS/N - |LS/N|^2`` is at most ``threshold^2``, split around the farthest pair of entries), so
the same samples in the same order give the same leaves.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "META_DEPTH",
    "META_ENTRIES",
    "META_NODES",
    "META_ROOT",
    "birch_insert",
    "birch_insert_cf",
]

META_ENTRIES = 0
META_NODES = 1
META_ROOT = 2
META_DEPTH = 3


@njit(cache=True, nogil=True, inline="always")
def _dot(a, b):
    acc = 0.0
    for f in range(a.shape[0]):
        acc += a[f] * b[f]
    return acc


@njit(cache=True, nogil=True)
def _set_centroid(e, e_n, e_ls, e_c, e_sq):
    """Centroid ``LS / N`` and its squared norm (scikit-learn's ``update``)."""
    n = np.float64(e_n[e])
    for f in range(e_ls.shape[1]):
        e_c[e, f] = e_ls[e, f] / n
    e_sq[e] = _dot(e_c[e], e_c[e])


@njit(cache=True, nogil=True)
def _add_entry(dst, src, e_n, e_ls, e_ss, e_c, e_sq):
    """Entry ``dst`` absorbs entry ``src``'s CF (N, LS and SS add)."""
    e_n[dst] += e_n[src]
    for f in range(e_ls.shape[1]):
        e_ls[dst, f] += e_ls[src, f]
    e_ss[dst] += e_ss[src]
    _set_centroid(dst, e_n, e_ls, e_c, e_sq)


@njit(cache=True, nogil=True)
def _add_sample(dst, x, x_ss, e_n, e_ls, e_ss, e_c, e_sq):
    e_n[dst] += 1
    for f in range(e_ls.shape[1]):
        e_ls[dst, f] += x[f]
    e_ss[dst] += x_ss
    _set_centroid(dst, e_n, e_ls, e_c, e_sq)


@njit(cache=True, nogil=True)
def _clear_entry(e, child, e_n, e_ls, e_ss, e_child):
    e_n[e] = 0
    e_ls[e, :] = 0.0
    e_ss[e] = 0.0
    e_child[e] = child


@njit(cache=True, nogil=True)
def _split(v, parent_entry, e_n, e_ls, e_ss, e_c, e_sq, e_child,
           nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta):  # fmt: skip
    """Split node ``v`` in two around its farthest pair of entries.

    ``v`` keeps the entries nearer the first of the pair (its id is reused for the first
    half), a new node takes the others and follows ``v`` in the leaf list. ``parent_entry``
    (an entry id, or -1 for the root: then a new one) becomes the CF of ``v``'s half; the
    second half's CF is a new entry. Returns both entry ids.
    """
    cnt = nd_cnt[v]
    ids = nd_ent[v, :cnt].copy()
    # Squared distances between the entries' centroids as scikit-learn computes them,
    # (-2 a.b + |a|^2) + |b|^2: not exactly symmetric in floating point, so the full matrix,
    # and the first largest in row-major order picks the pair and its orientation.
    norms = np.empty(cnt)
    for i in range(cnt):
        norms[i] = _dot(e_c[ids[i]], e_c[ids[i]])
    dist = np.zeros((cnt, cnt))
    best = -1.0
    f0 = 0
    f1 = 0
    for i in range(cnt):
        for j in range(cnt):
            g = 0.0
            if i != j:
                g = -2.0 * _dot(e_c[ids[i]], e_c[ids[j]]) + norms[i] + norms[j]
                if g < 0.0:
                    g = 0.0
            dist[i, j] = g
            if g > best:
                best = g
                f0 = i
                f1 = j
    w = meta[META_NODES]
    meta[META_NODES] += 1
    nd_leaf[w] = nd_leaf[v]
    nd_cnt[w] = 0
    nd_cnt[v] = 0
    if nd_leaf[v] == 1:
        nxt = nd_next[v]
        nd_next[w] = nxt
        nd_prev[w] = v
        nd_next[v] = w
        if nxt >= 0:
            nd_prev[nxt] = w
    else:
        nd_prev[w] = -1
        nd_next[w] = -1
    e1 = parent_entry
    if e1 < 0:
        e1 = meta[META_ENTRIES]
        meta[META_ENTRIES] += 1
    e2 = meta[META_ENTRIES]
    meta[META_ENTRIES] += 1
    _clear_entry(e1, v, e_n, e_ls, e_ss, e_child)
    _clear_entry(e2, w, e_n, e_ls, e_ss, e_child)
    for idx in range(cnt):
        first = dist[f0, idx] < dist[f1, idx] or idx == f0
        node = v if first else w
        target = e1 if first else e2
        nd_ent[node, nd_cnt[node]] = ids[idx]
        nd_cnt[node] += 1
        _add_entry(target, ids[idx], e_n, e_ls, e_ss, e_c, e_sq)
    return e1, e2


@njit(cache=True, nogil=True)
def _descend(q, root, nd_cnt, nd_ent, nd_leaf, e_c, e_sq, e_child, path_node, path_slot):
    """Walk from ``root`` to a leaf along the entry closest to ``q`` (by ``-2 c.q + |c|^2``),
    recording the path; returns the leaf, its depth and the closest slot there (-1: empty)."""
    v = root
    level = 0
    closest = -1
    while True:
        cnt = nd_cnt[v]
        closest = -1
        best = np.inf
        for s in range(cnt):
            e = nd_ent[v, s]
            val = -2.0 * _dot(e_c[e], q) + e_sq[e]
            if val < best:
                best = val
                closest = s
        path_node[level] = v
        path_slot[level] = closest
        if closest >= 0 and nd_leaf[v] == 0:
            v = e_child[nd_ent[v, closest]]
            level += 1
        else:
            return v, level, closest


@njit(cache=True, nogil=True)
def _split_root(root, e_n, e_ls, e_ss, e_c, e_sq, e_child, nd_leaf, nd_cnt, nd_ent, nd_prev,
                nd_next, meta):  # fmt: skip
    """Split the overfull root and put a new root with its two halves above it."""
    e1, e2 = _split(root, -1, e_n, e_ls, e_ss, e_c, e_sq, e_child,
                    nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta)  # fmt: skip
    r = meta[META_NODES]
    meta[META_NODES] += 1
    nd_leaf[r] = 0
    nd_cnt[r] = 2
    nd_ent[r, 0] = e1
    nd_ent[r, 1] = e2
    nd_prev[r] = -1
    nd_next[r] = -1
    meta[META_ROOT] = r
    meta[META_DEPTH] += 1


@njit(cache=True, nogil=True)
def birch_insert(X, start, threshold, branching, e_n, e_ls, e_ss, e_c, e_sq, e_child,
                 nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta):  # fmt: skip
    """Insert ``X[start:]`` one sample at a time; stop early when the tables may run short.

    Parameters
    ----------
    X : ndarray of shape (n, d), float64
        IN. Samples, inserted in row order.
    start : int
        IN. First row to insert.
    threshold : float
        IN. Largest radius of a leaf subcluster.
    branching : int
        IN. Most entries per node.
    e_n, e_ls, e_ss, e_c, e_sq, e_child, nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta
        IN/OUT. The tree (module docstring).

    Returns
    -------
    next : int
        The first row not inserted (``n`` when done; less when the caller must grow the tables).
    """
    n, d = X.shape
    t2 = threshold * threshold
    cap_e = e_n.shape[0]
    cap_v = nd_cnt.shape[0]
    path_node = np.empty(64, dtype=np.int64)
    path_slot = np.empty(64, dtype=np.int64)
    for i in range(start, n):
        depth = meta[META_DEPTH]
        if meta[META_ENTRIES] + depth + 4 > cap_e or meta[META_NODES] + depth + 3 > cap_v:
            return i
        if depth + 2 > path_node.shape[0]:
            path_node = np.empty(2 * path_node.shape[0], dtype=np.int64)
            path_slot = np.empty(2 * path_slot.shape[0], dtype=np.int64)
        x = X[i]
        x_ss = _dot(x, x)
        root = meta[META_ROOT]
        v, level, closest = _descend(x, root, nd_cnt, nd_ent, nd_leaf, e_c, e_sq, e_child,
                                     path_node, path_slot)  # fmt: skip
        # At the leaf: absorb into the closest subcluster if it stays within the threshold.
        split = False
        absorbed = False
        if closest >= 0:
            e = nd_ent[v, closest]
            new_n = e_n[e] + 1
            new_ss = e_ss[e] + x_ss
            inv = 1.0 / new_n
            sq = 0.0
            for f in range(d):
                c = inv * (e_ls[e, f] + x[f])
                sq += c * c
            if new_ss / new_n - sq <= t2:
                e_n[e] = new_n
                e_ss[e] = new_ss
                for f in range(d):
                    e_ls[e, f] += x[f]
                    e_c[e, f] = inv * e_ls[e, f]
                e_sq[e] = sq
                absorbed = True
        if not absorbed:
            e = meta[META_ENTRIES]
            meta[META_ENTRIES] += 1
            e_n[e] = 1
            e_ss[e] = x_ss
            e_sq[e] = x_ss
            e_child[e] = -1
            for f in range(d):
                e_ls[e, f] = x[f]
                e_c[e, f] = x[f]
            nd_ent[v, nd_cnt[v]] = e
            nd_cnt[v] += 1
            split = nd_cnt[v] > branching
        # Back up: split full nodes, or add the sample to the entries on the path.
        for up in range(level - 1, -1, -1):
            p = path_node[up]
            e = nd_ent[p, path_slot[up]]
            if split:
                _, e2 = _split(e_child[e], e, e_n, e_ls, e_ss, e_c, e_sq, e_child,
                                nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta)  # fmt: skip
                nd_ent[p, nd_cnt[p]] = e2
                nd_cnt[p] += 1
                split = nd_cnt[p] > branching
            else:
                _add_sample(e, x, x_ss, e_n, e_ls, e_ss, e_c, e_sq)
        if split:
            _split_root(root, e_n, e_ls, e_ss, e_c, e_sq, e_child, nd_leaf, nd_cnt, nd_ent,
                        nd_prev, nd_next, meta)  # fmt: skip
    return n


@njit(cache=True, nogil=True)
def _add_cf(dst, n_i, ls, ss, e_n, e_ls, e_ss, e_c, e_sq):
    e_n[dst] += n_i
    for f in range(e_ls.shape[1]):
        e_ls[dst, f] += ls[f]
    e_ss[dst] += ss
    _set_centroid(dst, e_n, e_ls, e_c, e_sq)


@njit(cache=True, nogil=True)
def birch_insert_cf(N, LS, SS, start, threshold, branching, e_n, e_ls, e_ss, e_c, e_sq,
                    e_child, nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta):  # fmt: skip
    """Insert clustering features (subclusters of other trees) ``start:`` one at a time.

    :func:`birch_insert` with a CF ``(N[i], LS[i], SS[i])`` in place of a sample: it descends
    along the entries closest to its centroid ``LS / N``, is absorbed by the closest leaf
    entry when their merged radius stays within ``threshold``, else becomes a leaf entry of
    its own; the entries on the path add its CF. This merges CF trees built on separate
    partitions of the data (shoal.dask.Birch). With ``N = 1`` it does what
    :func:`birch_insert` does (kept separate so the in-memory kernel stays the one checked
    against scikit-learn).

    Parameters
    ----------
    N : (m,) int64 IN. LS : (m, d) float64 IN. SS : (m,) float64 IN.
    start, threshold, branching, the tree : as :func:`birch_insert`.

    Returns
    -------
    next : int
        The first CF not inserted (``m`` when done; less when the caller must grow the tables).
    """
    m, d = LS.shape
    t2 = threshold * threshold
    cap_e = e_n.shape[0]
    cap_v = nd_cnt.shape[0]
    path_node = np.empty(64, dtype=np.int64)
    path_slot = np.empty(64, dtype=np.int64)
    c = np.empty(d)
    for i in range(start, m):
        depth = meta[META_DEPTH]
        if meta[META_ENTRIES] + depth + 4 > cap_e or meta[META_NODES] + depth + 3 > cap_v:
            return i
        if depth + 2 > path_node.shape[0]:
            path_node = np.empty(2 * path_node.shape[0], dtype=np.int64)
            path_slot = np.empty(2 * path_slot.shape[0], dtype=np.int64)
        n_i = N[i]
        ls = LS[i]
        ss = SS[i]
        for f in range(d):
            c[f] = ls[f] / np.float64(n_i)
        root = meta[META_ROOT]
        v, level, closest = _descend(c, root, nd_cnt, nd_ent, nd_leaf, e_c, e_sq, e_child,
                                     path_node, path_slot)  # fmt: skip
        split = False
        absorbed = False
        if closest >= 0:
            e = nd_ent[v, closest]
            new_n = e_n[e] + n_i
            new_ss = e_ss[e] + ss
            inv = 1.0 / new_n
            sq = 0.0
            for f in range(d):
                cf = inv * (e_ls[e, f] + ls[f])
                sq += cf * cf
            if new_ss / new_n - sq <= t2:
                e_n[e] = new_n
                e_ss[e] = new_ss
                for f in range(d):
                    e_ls[e, f] += ls[f]
                    e_c[e, f] = inv * e_ls[e, f]
                e_sq[e] = sq
                absorbed = True
        if not absorbed:
            e = meta[META_ENTRIES]
            meta[META_ENTRIES] += 1
            e_n[e] = n_i
            e_ss[e] = ss
            e_child[e] = -1
            for f in range(d):
                e_ls[e, f] = ls[f]
                e_c[e, f] = c[f]
            e_sq[e] = _dot(c, c)
            nd_ent[v, nd_cnt[v]] = e
            nd_cnt[v] += 1
            split = nd_cnt[v] > branching
        for up in range(level - 1, -1, -1):
            p = path_node[up]
            e = nd_ent[p, path_slot[up]]
            if split:
                _, e2 = _split(e_child[e], e, e_n, e_ls, e_ss, e_c, e_sq, e_child,
                                nd_leaf, nd_cnt, nd_ent, nd_prev, nd_next, meta)  # fmt: skip
                nd_ent[p, nd_cnt[p]] = e2
                nd_cnt[p] += 1
                split = nd_cnt[p] > branching
            else:
                _add_cf(e, n_i, ls, ss, e_n, e_ls, e_ss, e_c, e_sq)
        if split:
            _split_root(root, e_n, e_ls, e_ss, e_c, e_sq, e_child, nd_leaf, nd_cnt, nd_ent,
                        nd_prev, nd_next, meta)  # fmt: skip
    return m
