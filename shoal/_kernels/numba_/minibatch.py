"""Mini-batch k-means kernels: one fused step (gather, assign, update) per call.

Conventions follow ``kmeans.py``: ``X`` C-contiguous ``(n, d)`` float32/float64, ``centers`` of
X's dtype ``(k, d)``, labels int64. A mini-batch is given as row indices into ``X``, so the batch
is never copied out of ``X`` by the caller.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["assign_rows", "minibatch_step"]


@njit(cache=True, nogil=True, parallel=True)
def assign_rows(X, rows, centers, c_sq_norms, chunk, labels, min_sq):
    """Nearest centre of the rows ``X[rows]``: BLAS tiles of ``chunk`` gathered rows.

    OUT ``labels`` (b,) and ``min_sq`` (b,) float64, the exact squared distance to that centre.
    """
    b = rows.shape[0]
    k = centers.shape[0]
    d = X.shape[1]
    ct = np.ascontiguousarray(centers.T)
    n_tiles = (b + chunk - 1) // chunk
    for t in prange(n_tiles):
        s = t * chunk
        e = min(b, s + chunk)
        m = e - s
        xt = np.empty((m, d), dtype=X.dtype)
        for r in range(m):
            i = rows[s + r]
            for f in range(d):
                xt[r, f] = X[i, f]
        tile = np.dot(xt, ct)
        for r in range(m):
            best = np.inf
            bj = 0
            for j in range(k):
                v = c_sq_norms[j] - 2.0 * tile[r, j]
                if v < best:
                    best = v
                    bj = j
            labels[s + r] = bj
            acc = 0.0
            for f in range(d):
                u = np.float64(xt[r, f]) - np.float64(centers[bj, f])
                acc += u * u
            min_sq[s + r] = acc


@njit(cache=True, nogil=True)
def minibatch_step(X, rows, w, centers, centers_new, counts, chunk, labels, min_sq, sums, wsum):
    """One mini-batch k-means step (Sculley 2010, with scikit-learn's per-centre learning rate).

    Every batch row goes to its nearest centre of ``centers``; a centre that received weight
    ``W_j`` with weighted sum ``S_j`` moves to ``(centers[j] * counts[j] + S_j) / (counts[j] +
    W_j)`` and ``counts[j]`` grows by ``W_j`` (so its learning rate decays as 1 / count);
    centres that received nothing are copied unchanged.

    Parameters
    ----------
    X : (n, d) IN. rows : (b,) int64 IN, the batch as row indices of X.
    w : (b,) float64 IN, weight of each batch row.
    centers : (k, d) IN. centers_new : (k, d) OUT (may be ``centers`` itself).
    counts : (k,) float64 IN/OUT, the weight each centre has absorbed so far.
    chunk : int IN, rows per BLAS tile. labels : (b,) int64 OUT. min_sq : (b,) float64 OUT.
    sums : (k, d) float64, wsum : (k,) float64: workspace.

    Returns
    -------
    (batch_inertia, squared_shift) : the weighted sum of ``min_sq`` (distances to the old
    centres) and the summed squared centre movement.
    """
    k, d = centers.shape
    c_sq = np.empty(k)
    for j in range(k):
        acc = 0.0
        for f in range(d):
            v = np.float64(centers[j, f])
            acc += v * v
        c_sq[j] = acc
    assign_rows(X, rows, centers, c_sq, chunk, labels, min_sq)
    sums[:, :] = 0.0
    wsum[:] = 0.0
    inertia = 0.0
    for t in range(rows.shape[0]):
        j = labels[t]
        wi = w[t]
        inertia += wi * min_sq[t]
        wsum[j] += wi
        i = rows[t]
        for f in range(d):
            sums[j, f] += wi * X[i, f]
    shift = 0.0
    for j in range(k):
        if wsum[j] > 0.0:
            total = counts[j] + wsum[j]
            for f in range(d):
                old = np.float64(centers[j, f])
                new = (old * counts[j] + sums[j, f]) / total
                centers_new[j, f] = new
                shift += (new - old) * (new - old)
            counts[j] = total
        else:
            for f in range(d):
                centers_new[j, f] = centers[j, f]
    return inertia, shift
