"""k-means kernels: fused Lloyd step, Hamerly and Elkan bound-pruned steps, helpers.

Conventions shared by every kernel here:

- ``X`` is C-contiguous ``(n, d)`` float32 or float64; ``centers`` has X's dtype, ``(k, d)``.
- ``sample_weight`` is ``(n,)`` with X's dtype.
- Per-cluster sums are accumulated in float64 into ``sums`` ``(n_blocks, k, d)`` and
  ``wsums`` ``(n_blocks, k)`` (OUT, overwritten), one slice per parallel block, so threads never
  share a write; the caller adds the blocks up.
- ``labels`` is int64 ``(n,)``.
- A step assigns every sample to its nearest centre of ``centers`` and accumulates the sums that
  give the next centres: the same contract for Lloyd, Hamerly and Elkan, so they produce the same
  labels (ties aside) and differ only in how many distances they compute.

No kernel allocates an ``(n, k)`` matrix except Elkan's lower bounds, which its caller allocates
(Elkan's method needs them; it is documented on the estimator).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "assign_labels",
    "block_bounds",
    "elkan_step",
    "hamerly_step",
    "inertia_dense",
    "lloyd_step",
    "row_sq_norms",
    "sq_dist_to_assigned",
    "transform_dense",
]


def block_bounds(n: int, n_blocks: int) -> np.ndarray:
    """Start offsets (``n_blocks + 1``,) of contiguous row blocks covering ``range(n)``."""
    return np.linspace(0, n, n_blocks + 1).astype(np.int64)


@njit(cache=True, nogil=True, parallel=True)
def row_sq_norms(X, out):
    """OUT ``out[i] = ||X[i]||^2`` (float64, ``(n,)``)."""
    n, d = X.shape
    for i in prange(n):
        acc = 0.0
        for f in range(d):
            v = np.float64(X[i, f])
            acc += v * v
        out[i] = acc


@njit(cache=True, nogil=True, fastmath=True)
def _sqdist(X, i, C, j):
    d = X.shape[1]
    acc = 0.0
    for f in range(d):
        t = np.float64(X[i, f]) - np.float64(C[j, f])
        acc += t * t
    return acc


@njit(cache=True, nogil=True)
def _accumulate(X, w, i, label, sums, wsums, b):
    d = X.shape[1]
    wi = np.float64(w[i])
    wsums[b, label] += wi
    for f in range(d):
        sums[b, label, f] += wi * X[i, f]


@njit(cache=True, nogil=True, parallel=True)
def lloyd_step(
    X, w, centers, c_sq_norms, x_sq_norms, bounds, chunk, labels, sums, wsums, lower, rel_err, mode
):
    """One Lloyd step: nearest centre for every sample, plus per-block cluster sums.

    Distances come from ``||c||^2 - 2 x.c`` on a ``(chunk, k)`` tile computed by BLAS per block
    (the caller limits BLAS to one thread; parallelism is over blocks), then argmin and the
    weighted sums are fused in the same pass: no ``(n, k)`` matrix.

    Parameters
    ----------
    X : (n, d) IN. w : (n,) IN. centers : (k, d) IN. c_sq_norms : (k,) float64 IN.
    bounds : (n_blocks + 1,) int64 IN, row offsets of the blocks. chunk : int IN, tile rows.
    x_sq_norms : (n,) float64 IN, only read when ``mode == 2``.
    labels : (n,) int64 OUT. sums : (n_blocks, k, d) float64 OUT. wsums : (n_blocks, k) OUT.
    lower : (n,) float64 OUT when ``mode == 2``: a lower bound on the distance to every centre
    but the nearest (the second-nearest distance, lowered by ``rel_err * (||x||^2 + max ||c||^2)``
    under the root to cover the rounding of the norm expansion), a valid Hamerly bound.
    rel_err : float IN, relative rounding allowance (about 1e-12 for float64, 1e-5 float32).
    mode : int IN; 0 writes ``labels`` only, 1 also the sums, 2 also ``lower``.
    """
    n_blocks = bounds.shape[0] - 1
    k = centers.shape[0]
    d = X.shape[1]
    ct = np.ascontiguousarray(centers.T)
    cmax = c_sq_norms.max()
    for b in prange(n_blocks):
        if mode > 0:
            sums[b, :, :] = 0.0
            wsums[b, :] = 0.0
        start = bounds[b]
        stop = bounds[b + 1]
        tile = np.empty((chunk, k), dtype=X.dtype)
        for s in range(start, stop, chunk):
            e = min(stop, s + chunk)
            m = e - s
            # (into a view: assigning an array to a slice costs seconds of compilation)
            np.dot(X[s:e], ct, tile[:m])
            for r in range(m):
                i = s + r
                best = np.inf
                bj = 0
                if mode == 2:
                    second = np.inf
                    for j in range(k):
                        v = c_sq_norms[j] - 2.0 * tile[r, j]
                        if v < best:
                            second = best
                            best = v
                            bj = j
                        elif v < second:
                            second = v
                    xn = x_sq_norms[i]
                    lower[i] = np.sqrt(max(second + xn - rel_err * (xn + cmax), 0.0))
                else:
                    for j in range(k):
                        v = c_sq_norms[j] - 2.0 * tile[r, j]
                        if v < best:
                            best = v
                            bj = j
                labels[i] = bj
                if mode > 0:
                    wi = np.float64(w[i])
                    wsums[b, bj] += wi
                    for f in range(d):
                        sums[b, bj, f] += wi * X[i, f]


@njit(cache=True, nogil=True)
def _hamerly_flush(
    X,
    w,
    ct,
    c_sq_norms,
    x_sq_norms,
    slack_c,
    rel_err,
    pend,
    p,
    xt,
    tile,
    labels,
    upper,
    lower,
    sums,
    wsums,
    b,
    full,
):
    """Full scans of the ``p`` pending samples as one BLAS tile (norm expansion)."""
    d = X.shape[1]
    k = ct.shape[1]
    for r in range(p):
        i = pend[r]
        for f in range(d):
            xt[r, f] = X[i, f]
    np.dot(xt[:p], ct, tile[:p])
    for r in range(p):
        i = pend[r]
        best = np.inf
        second = np.inf
        bj = 0
        for j in range(k):
            v = c_sq_norms[j] - 2.0 * tile[r, j]
            if v < best:
                second = best
                best = v
                bj = j
            elif v < second:
                second = v
        xn = x_sq_norms[i]
        slack = rel_err * (xn + slack_c)
        a0 = labels[i]
        labels[i] = bj
        upper[i] = np.sqrt(max(best + xn + slack, 0.0))
        lower[i] = np.sqrt(max(second + xn - slack, 0.0))
        if full:
            _accumulate(X, w, i, bj, sums, wsums, b)
        elif bj != a0:
            _move(X, w, i, a0, bj, sums, wsums, b)


@njit(cache=True, nogil=True)
def _move(X, w, i, a0, a, sums, wsums, b):
    wi = np.float64(w[i])
    wsums[b, a] += wi
    wsums[b, a0] -= wi
    for f in range(X.shape[1]):
        v = wi * X[i, f]
        sums[b, a, f] += v
        sums[b, a0, f] -= v


@njit(cache=True, nogil=True, parallel=True)
def hamerly_step(
    X,
    w,
    centers,
    c_sq_norms,
    x_sq_norms,
    half_sep,
    drift,
    bounds,
    chunk,
    labels,
    upper,
    lower,
    sums,
    wsums,
    rel_err,
    full,
):
    """One Hamerly step (Hamerly 2010): Lloyd's contract, most distances skipped by bounds.

    ``upper[i]`` bounds the distance to the assigned centre from above, ``lower[i]`` the
    distance to every other centre from below. The bounds are first moved by the last centre
    drift (``drift`` (k,) float64: how far each centre moved since the bounds were set); a
    sample whose ``upper`` exceeds ``max(lower, half_sep[label])`` gets its exact distance to its
    centre, and if that still exceeds the bound, a full scan. ``half_sep[j]`` is half the
    distance from centre j to its nearest other centre. Full scans are gathered into
    ``(chunk, d)`` tiles and done by BLAS, so early iterations, when most samples move, run at
    Lloyd's speed.

    With ``full=False`` the sums are *changes*: only samples that changed cluster are added to
    their new cluster and subtracted from their old one, so a step reads X only for the
    samples whose bounds fail (the caller adds the changes to its running totals). With
    ``full=True`` they are complete sums, as in :func:`lloyd_step`.

    Parameters
    ----------
    X, w, centers, c_sq_norms, x_sq_norms, bounds, chunk, rel_err : IN as in
    :func:`lloyd_step`. half_sep, drift : (k,) float64 IN.
    labels : (n,) int64 IN/OUT. upper, lower : (n,) float64 IN/OUT.
    sums, wsums : OUT as in :func:`lloyd_step`. full : bool IN.

    Returns
    -------
    int
        The number of samples whose full distance scan was needed.
    """
    n_blocks = bounds.shape[0] - 1
    k = centers.shape[0]
    d = X.shape[1]
    ct = np.ascontiguousarray(centers.T)
    slack_c = c_sq_norms.max()
    # Largest and second-largest drift: a sample's lower bound shrinks by the largest drift of
    # any centre other than its own.
    m1 = -1.0
    m2 = -1.0
    a1 = -1
    for j in range(k):
        if drift[j] > m1:
            m2 = m1
            m1 = drift[j]
            a1 = j
        elif drift[j] > m2:
            m2 = drift[j]
    if m2 < 0.0:
        m2 = 0.0
    scans = np.zeros(n_blocks, dtype=np.int64)
    for b in prange(n_blocks):
        sums[b, :, :] = 0.0
        wsums[b, :] = 0.0
        pend = np.empty(chunk, dtype=np.int64)
        xt = np.empty((chunk, d), dtype=X.dtype)
        tile = np.empty((chunk, k), dtype=X.dtype)
        p = 0
        nscan = 0
        for i in range(bounds[b], bounds[b + 1]):
            a = labels[i]
            u = upper[i] + drift[a]
            lo = lower[i] - (m2 if a == a1 else m1)
            m = max(lo, half_sep[a])
            if u > m:
                u = np.sqrt(_sqdist(X, i, centers, a))
                if u > m:
                    pend[p] = i
                    p += 1
                    nscan += 1
                    if p == chunk:
                        _hamerly_flush(X, w, ct, c_sq_norms, x_sq_norms, slack_c, rel_err,
                                       pend, p, xt, tile, labels, upper, lower, sums, wsums,
                                       b, full)  # fmt: skip
                        p = 0
                    continue
            upper[i] = u
            lower[i] = lo
            if full:
                _accumulate(X, w, i, a, sums, wsums, b)
        if p > 0:
            _hamerly_flush(X, w, ct, c_sq_norms, x_sq_norms, slack_c, rel_err, pend, p, xt,
                           tile, labels, upper, lower, sums, wsums, b, full)  # fmt: skip
        scans[b] = nscan
    return scans.sum()


@njit(cache=True, nogil=True, parallel=True)
def elkan_step(X, w, centers, center_dist, drift, bounds, labels, upper, lower, sums, wsums):
    """One Elkan step (Elkan 2003): Lloyd's contract with k lower bounds per sample.

    ``lower`` is ``(n, k)`` float64 (IN/OUT): ``lower[i, j]`` bounds ``d(x_i, c_j)`` from below.
    ``center_dist`` (k, k) float64 IN holds centre-to-centre distances of ``centers``; ``drift``
    is as in :func:`hamerly_step`. Start with ``upper = inf``, ``lower = 0``, ``drift = 0``.

    Returns the number of distances computed.
    """
    n_blocks = bounds.shape[0] - 1
    k = centers.shape[0]
    half_sep = np.empty(k)
    for j in range(k):
        m = np.inf
        for jj in range(k):
            if jj != j and center_dist[j, jj] < m:
                m = center_dist[j, jj]
        half_sep[j] = 0.5 * m
    counts = np.zeros(n_blocks, dtype=np.int64)
    for b in prange(n_blocks):
        sums[b, :, :] = 0.0
        wsums[b, :] = 0.0
        cnt = 0
        for i in range(bounds[b], bounds[b + 1]):
            a = labels[i]
            for j in range(k):
                v = lower[i, j] - drift[j]
                lower[i, j] = v if v > 0.0 else 0.0
            u = upper[i] + drift[a]
            stale = True
            if u > half_sep[a]:
                for j in range(k):
                    if j == a or u <= lower[i, j] or u <= 0.5 * center_dist[a, j]:
                        continue
                    if stale:
                        u = np.sqrt(_sqdist(X, i, centers, a))
                        lower[i, a] = u
                        cnt += 1
                        stale = False
                        if u <= lower[i, j] or u <= 0.5 * center_dist[a, j]:
                            continue
                    dj = np.sqrt(_sqdist(X, i, centers, j))
                    cnt += 1
                    lower[i, j] = dj
                    if dj < u:
                        a = j
                        u = dj
            labels[i] = a
            upper[i] = u
            _accumulate(X, w, i, a, sums, wsums, b)
        counts[b] = cnt
    return counts.sum()


@njit(cache=True, nogil=True, parallel=True)
def assign_labels(X, centers, c_sq_norms, labels, min_sq):
    """Nearest centre of every sample (exact differences, no tile).

    OUT ``labels`` (n,) int64 and ``min_sq`` (n,) float64, the squared distance to it.
    Used by ``predict`` and ``score``; the fit loop uses the fused steps.
    """
    n = X.shape[0]
    k = centers.shape[0]
    for i in prange(n):
        best = np.inf
        bj = 0
        for j in range(k):
            v = _sqdist(X, i, centers, j)
            if v < best:
                best = v
                bj = j
        labels[i] = bj
        min_sq[i] = best


@njit(cache=True, nogil=True, parallel=True)
def sq_dist_to_assigned(X, centers, labels, out):
    """OUT ``out[i] = ||X[i] - centers[labels[i]]||^2`` (float64)."""
    for i in prange(X.shape[0]):
        out[i] = _sqdist(X, i, centers, labels[i])


@njit(cache=True, nogil=True, parallel=True)
def inertia_dense(X, w, centers, labels):
    """Weighted sum of squared distances of samples to their assigned centres (float64)."""
    n = X.shape[0]
    n_blocks = min(n, 64)
    part = np.zeros(n_blocks)
    step = (n + n_blocks - 1) // n_blocks
    for b in prange(n_blocks):
        acc = 0.0
        for i in range(b * step, min(n, (b + 1) * step)):
            acc += np.float64(w[i]) * _sqdist(X, i, centers, labels[i])
        part[b] = acc
    return part.sum()


@njit(cache=True, nogil=True, parallel=True)
def transform_dense(X, centers, out):
    """OUT ``out[i, j] = ||X[i] - centers[j]||`` (the caller asked for the n x k matrix)."""
    k = centers.shape[0]
    for i in prange(X.shape[0]):
        for j in range(k):
            out[i, j] = np.sqrt(_sqdist(X, i, centers, j))
