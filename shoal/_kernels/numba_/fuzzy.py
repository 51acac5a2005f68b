"""Fuzzy c-means kernels: the weighted centre update and the membership update.

``X`` (n, d) float32/float64; ``u`` (n, k) memberships (rows sum to 1), float64; ``w`` (n,)
sample weights. Parallel over row blocks with per-block partial sums (no shared writes).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["fcm_centers", "fcm_memberships"]

_EPS = np.finfo(np.float64).eps


@njit(cache=True, nogil=True, inline="always")
def _pow(x, e):
    """``x ** e`` with the common fuzzifier m = 2 (e = 2, or -2 for the memberships) done by
    multiplication instead of ``pow``."""
    if e == 2.0:
        return x * x
    if e == -2.0:
        return 1.0 / (x * x)
    return x**e


# Reassociation lets LLVM vectorise the sums; no flag that assumes finite values.
_FAST = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True, nogil=True, parallel=True, fastmath=_FAST)
def fcm_centers(X, w, u, m, bounds, sums, wsums):
    """OUT per-block ``sums`` (n_blocks, k, d) = sum_i w_i u_ij^m x_i and ``wsums``
    (n_blocks, k) = sum_i w_i u_ij^m, with ``u`` clamped below at machine epsilon (as
    scikit-fuzzy does before raising it to the power ``m``)."""
    n_blocks = bounds.shape[0] - 1
    k = u.shape[1]
    d = X.shape[1]
    for b in prange(n_blocks):
        sums[b] = 0.0
        wsums[b] = 0.0
        for i in range(bounds[b], bounds[b + 1]):
            wi = np.float64(w[i])
            for j in range(k):
                um = wi * _pow(max(u[i, j], _EPS), m)
                wsums[b, j] += um
                for f in range(d):
                    sums[b, j, f] += um * X[i, f]


@njit(cache=True, nogil=True, parallel=True, fastmath=_FAST)
def fcm_memberships(X, w, centers, u, m, bounds, u_new, obj, change):
    """New memberships from the distances to ``centers``.

    ``u_new[i, j] = 1 / sum_l (d_ij / d_il)^(2 / (m - 1))`` with distances clamped below at
    machine epsilon, computed relative to the nearest centre so that no power overflows.
    OUT ``u_new`` (n, k); per block: ``obj`` (n_blocks,) = sum_i w_i sum_j u_ij^m d_ij^2 (the
    objective of the old memberships and these centres) and ``change`` (n_blocks,) = the
    squared Frobenius norm of ``u_new - u`` (weighted by w). ``u`` may be a 0-row array when
    there are no old memberships (prediction).
    """
    n_blocks = bounds.shape[0] - 1
    k, d = centers.shape
    p = -2.0 / (m - 1.0)
    have_old = u.shape[0] > 0
    for b in prange(n_blocks):
        dist = np.empty(k)
        o = 0.0
        ch = 0.0
        for i in range(bounds[b], bounds[b + 1]):
            wi = np.float64(w[i])
            dmin = np.inf
            for j in range(k):
                acc = 0.0
                for f in range(d):
                    t = np.float64(X[i, f]) - np.float64(centers[j, f])
                    acc += t * t
                dj = max(np.sqrt(acc), _EPS)
                dist[j] = dj
                dmin = min(dmin, dj)
                if have_old:
                    o += wi * _pow(max(u[i, j], _EPS), m) * dj * dj
            tot = 0.0
            for j in range(k):
                r = _pow(dist[j] / dmin, p)
                dist[j] = r
                tot += r
            for j in range(k):
                v = dist[j] / tot
                if have_old:
                    diff = v - u[i, j]
                    ch += wi * diff * diff
                u_new[i, j] = v
        obj[b] = o
        change[b] = ch
