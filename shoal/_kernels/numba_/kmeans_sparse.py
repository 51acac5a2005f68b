"""k-means kernels on CSR input: fused Lloyd step, k-means++ potentials, distances.

A CSR matrix travels as its three arrays: ``indptr`` (n + 1,) and ``indices`` (nnz,) int32 or
int64 with sorted, duplicate-free column indices per row, ``data`` (nnz,) float32 or float64.
``x_sq`` (n,) float64 holds the squared row norms (:func:`csr_row_sq_norms`). Centres are
passed transposed, ``ct`` (d, k) C-contiguous, so that the ``k`` centre coordinates of one
column are adjacent: a row's dot products with every centre cost one pass over its non-zeros,
O(nnz_row * k). Squared distances use the expansion ``||x||^2 - 2 x.c + ||c||^2`` in float64,
clipped at 0 (scikit-learn does the same on sparse input). Per-cluster sums go to
``sums`` (n_blocks, k, d) / ``wsums`` (n_blocks, k) float64, one slice per parallel block, as in
``kmeans.py``; nothing allocates an (n, k) matrix unless the caller asked for one
(:func:`csr_transform`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "csr_assign",
    "csr_kmpp_potentials",
    "csr_kmpp_update",
    "csr_lloyd_step",
    "csr_row_sq_norms",
    "csr_sq_dist_to_assigned",
    "csr_transform",
]


@njit(cache=True, nogil=True, parallel=True)
def csr_row_sq_norms(indptr, data, out):
    """OUT ``out[i] = ||X[i]||^2`` (float64, (n,))."""
    for i in prange(indptr.shape[0] - 1):
        acc = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            v = np.float64(data[p])
            acc += v * v
        out[i] = acc


@njit(cache=True, nogil=True)
def _row_dots(indptr, indices, data, i, ct, dots):
    """OUT ``dots[j] = X[i] . c_j`` for every centre (float64)."""
    dots[:] = 0.0
    k = ct.shape[1]
    for p in range(indptr[i], indptr[i + 1]):
        col = indices[p]
        v = np.float64(data[p])
        for j in range(k):
            dots[j] += v * ct[col, j]


@njit(cache=True, nogil=True, parallel=True)
def csr_lloyd_step(
    indptr, indices, data, x_sq, w, ct, c_sq, bounds, labels, min_sq, sums, wsums, mode
):
    """One Lloyd step on CSR rows: nearest centre of every row, plus per-block cluster sums.

    Parameters
    ----------
    indptr, indices, data : IN, the CSR arrays. x_sq : (n,) float64 IN. w : (n,) IN.
    ct : (d, k) IN, centres transposed (data's dtype or float64). c_sq : (k,) float64 IN.
    bounds : (n_blocks + 1,) int64 IN, row offsets of the parallel blocks.
    labels : (n,) int64 OUT. min_sq : (n,) float64 OUT, squared distance to the nearest centre.
    sums : (n_blocks, k, d) float64 OUT, wsums : (n_blocks, k) float64 OUT; written when
    ``mode == 1``, not touched when ``mode == 0``.
    """
    n_blocks = bounds.shape[0] - 1
    k = ct.shape[1]
    for b in prange(n_blocks):
        if mode == 1:
            sums[b, :, :] = 0.0
            wsums[b, :] = 0.0
        dots = np.empty(k)
        for i in range(bounds[b], bounds[b + 1]):
            _row_dots(indptr, indices, data, i, ct, dots)
            best = np.inf
            bj = 0
            for j in range(k):
                v = c_sq[j] - 2.0 * dots[j]
                if v < best:
                    best = v
                    bj = j
            labels[i] = bj
            min_sq[i] = max(best + x_sq[i], 0.0)
            if mode == 1:
                wi = np.float64(w[i])
                wsums[b, bj] += wi
                for p in range(indptr[i], indptr[i + 1]):
                    sums[b, bj, indices[p]] += wi * data[p]


@njit(cache=True, nogil=True, parallel=True)
def csr_assign(indptr, indices, data, x_sq, ct, c_sq, labels, min_sq):
    """OUT ``labels`` (n,) int64 nearest centre and ``min_sq`` (n,) float64 squared distance
    to it (no sums; ``predict`` / ``score``)."""
    n = indptr.shape[0] - 1
    k = ct.shape[1]
    for i in prange(n):
        dots = np.empty(k)
        _row_dots(indptr, indices, data, i, ct, dots)
        best = np.inf
        bj = 0
        for j in range(k):
            v = c_sq[j] - 2.0 * dots[j]
            if v < best:
                best = v
                bj = j
        labels[i] = bj
        min_sq[i] = max(best + x_sq[i], 0.0)


@njit(cache=True, nogil=True, parallel=True)
def csr_transform(indptr, indices, data, x_sq, ct, c_sq, out):
    """OUT ``out[i, j] = ||X[i] - c_j||`` ((n, k), the caller asked for the matrix)."""
    n = indptr.shape[0] - 1
    k = ct.shape[1]
    for i in prange(n):
        dots = np.empty(k)
        _row_dots(indptr, indices, data, i, ct, dots)
        for j in range(k):
            out[i, j] = np.sqrt(max(x_sq[i] - 2.0 * dots[j] + c_sq[j], 0.0))


@njit(cache=True, nogil=True, parallel=True)
def csr_sq_dist_to_assigned(indptr, indices, data, x_sq, centers, c_sq, labels, out):
    """OUT ``out[i] = ||X[i] - centers[labels[i]]||^2`` (float64); ``centers`` (k, d)."""
    for i in prange(indptr.shape[0] - 1):
        a = labels[i]
        dot = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            dot += np.float64(data[p]) * centers[a, indices[p]]
        out[i] = max(x_sq[i] - 2.0 * dot + c_sq[a], 0.0)


@njit(cache=True, nogil=True, parallel=True)
def csr_kmpp_potentials(indptr, indices, data, x_sq, w, cand_t, cand_sq, closest, bounds, pot):
    """Per-block potential ``sum_i w_i min(closest_i, d(x_i, cand)^2)`` of each candidate.

    ``cand_t`` (d, t) IN candidates transposed, ``cand_sq`` (t,) float64 IN their squared
    norms, ``closest`` (n,) float64 IN squared distance to the nearest chosen centre;
    ``pot`` (n_blocks, t) float64 OUT.
    """
    n_blocks = bounds.shape[0] - 1
    t = cand_t.shape[1]
    for b in prange(n_blocks):
        dots = np.empty(t)
        acc = np.zeros(t)
        for i in range(bounds[b], bounds[b + 1]):
            _row_dots(indptr, indices, data, i, cand_t, dots)
            ci = closest[i]
            wi = np.float64(w[i])
            for c in range(t):
                dd = max(x_sq[i] - 2.0 * dots[c] + cand_sq[c], 0.0)
                acc[c] += wi * min(ci, dd)
        for c in range(t):
            pot[b, c] = acc[c]


@njit(cache=True, nogil=True, parallel=True)
def csr_kmpp_update(indptr, indices, data, x_sq, center, center_sq, closest):
    """Fold a chosen centre ``center`` (d,) into ``closest`` (n,) float64 IN/OUT."""
    for i in prange(indptr.shape[0] - 1):
        dot = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            dot += np.float64(data[p]) * center[indices[p]]
        dd = max(x_sq[i] - 2.0 * dot + center_sq, 0.0)
        if dd < closest[i]:
            closest[i] = dd
