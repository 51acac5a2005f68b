"""Mean shift kernels: every seed climbs to a mode of the density, in parallel.

The samples live in a spatial index (grid or KD-tree) whose ``Xs`` is followed by one row per
seed (``both``): a seed's row holds its current mean, and the index's fixed-radius search
(``spatial.neighbors``) reports the samples within the bandwidth of it (seed rows are never
reported: the cells and nodes cover sample rows only).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .spatial import EUCLIDEAN, neighbors

__all__ = ["meanshift_flat", "meanshift_weighted"]


@njit(cache=True, nogil=True, parallel=True)
def meanshift_flat(
    index: tuple,
    both: np.ndarray,
    n: int,
    radius: float,
    max_iter: int,
    stop: float,
    count: np.ndarray,
    n_iter: np.ndarray,
) -> None:
    """Flat-kernel mean shift of every seed (scikit-learn's iteration).

    Parameters
    ----------
    index : tuple
        IN. A grid or KD-tree index of the samples (``spatial.build_*``).
    both : ndarray of shape (n + m, d), float64
        IN/OUT. The index's samples (rows ``:n``) then the seeds; a seed's row ends at its mode.
    n : int
        IN. Number of samples.
    radius : float
        IN. The bandwidth (samples at distance <= radius count).
    max_iter : int
        IN.
    stop : float
        IN. Stop when the mean moves by at most this (scikit-learn: 1e-3 x bandwidth).
    count : ndarray of shape (m,), int64
        OUT. Samples within the bandwidth at the last step (0: the seed saw none).
    n_iter : ndarray of shape (m,), int64
        OUT. Completed iterations.
    """
    kind, _, _, cell_keys, cell_start, strides, origin, cell, lo, hi, ns, ne, child = index
    m = both.shape[0] - n
    d = both.shape[1]
    thresh = radius * radius
    for qi in prange(m):
        a = n + qi
        buf = np.empty(min(n, 1024), dtype=np.int64)
        stack = np.empty(256, dtype=np.int64)
        mean = np.empty(d)
        it = 0
        c = 0
        while True:
            c = neighbors(kind, both, cell_keys, cell_start, strides, origin, cell, lo, hi, ns,
                          ne, child, a, thresh, EUCLIDEAN, 2.0, buf, stack)  # fmt: skip
            if c < 0:
                buf = np.empty(-c, dtype=np.int64)
                continue
            if c == 0:
                break
            mean[:] = 0.0
            for t in range(c):
                s = buf[t]
                for k in range(d):
                    mean[k] += both[s, k]
            shift = 0.0
            for k in range(d):
                v = mean[k] / c
                shift += (v - both[a, k]) ** 2
                both[a, k] = v
            if np.sqrt(shift) <= stop or it == max_iter:
                break
            it += 1
        count[qi] = c
        n_iter[qi] = it


@njit(cache=True, nogil=True, parallel=True)
def meanshift_weighted(
    index: tuple,
    both: np.ndarray,
    n: int,
    h: float,
    gaussian: bool,
    reach: float,
    max_iter: int,
    stop: float,
    n_iter: np.ndarray,
    mass: np.ndarray,
    hs: np.ndarray,
    flat: bool,
) -> None:
    """Mean shift with smooth weights: ``exp(-r^2 / (2 h^2))`` (Gaussian) or
    ``1 - r^2 / h^2`` (Epanechnikov), over the samples within ``reach`` of the mean.

    Parameters
    ----------
    index, both, n
        As in ``meanshift_flat``.
    h : float
        IN. Bandwidth.
    gaussian : bool
        IN. Gaussian weights (else Epanechnikov).
    reach : float
        IN. Search radius: ``h`` for Epanechnikov (exact); for the Gaussian a radius beyond
        which weights are negligible (the caller picks it).
    max_iter, stop
        IN. As in ``meanshift_flat``.
    n_iter : ndarray of shape (m,), int64
        OUT.
    mass : ndarray of shape (m,), float64
        OUT. Sum of the weights at the last step (0: no sample in reach).
    hs : ndarray of shape (n,) or (0,), float64
        IN. Per-sample bandwidths in index order (variable-bandwidth mean shift, Comaniciu,
        Ramesh & Meer 2001: sample j weighs ``hs[j]^-(d+2) g(r^2 / hs[j]^2)``); empty: ``h``.
    flat : bool
        IN. Flat weights (1 within the bandwidth) instead of Epanechnikov when not Gaussian.
    """
    kind, _, _, cell_keys, cell_start, strides, origin, cell, lo, hi, ns, ne, child = index
    m = both.shape[0] - n
    d = both.shape[1]
    thresh = reach * reach
    inv = 1.0 / (h * h)
    for qi in prange(m):
        a = n + qi
        buf = np.empty(min(n, 1024), dtype=np.int64)
        stack = np.empty(256, dtype=np.int64)
        mean = np.empty(d)
        it = 0
        total = 0.0
        while True:
            c = neighbors(kind, both, cell_keys, cell_start, strides, origin, cell, lo, hi, ns,
                          ne, child, a, thresh, EUCLIDEAN, 2.0, buf, stack)  # fmt: skip
            if c < 0:
                buf = np.empty(-c, dtype=np.int64)
                continue
            mean[:] = 0.0
            total = 0.0
            for t in range(c):
                s = buf[t]
                r2 = 0.0
                for k in range(d):
                    v = both[s, k] - both[a, k]
                    r2 += v * v
                if hs.shape[0] > 0:
                    hj = hs[s]
                    iv = 1.0 / (hj * hj)
                    scale = hj ** (-(d + 2))
                else:
                    iv = inv
                    scale = 1.0
                x = r2 * iv
                if gaussian:
                    wt = scale * np.exp(-0.5 * x)
                elif flat:
                    wt = scale if x <= 1.0 else 0.0
                else:
                    wt = scale * max(0.0, 1.0 - x)
                total += wt
                for k in range(d):
                    mean[k] += wt * both[s, k]
            if total <= 0.0:
                break
            shift = 0.0
            for k in range(d):
                v = mean[k] / total
                shift += (v - both[a, k]) ** 2
                both[a, k] = v
            if np.sqrt(shift) <= stop or it == max_iter:
                break
            it += 1
        n_iter[qi] = it
        mass[qi] = total
