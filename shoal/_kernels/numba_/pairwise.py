"""Distance primitives shared by the metric kernels.

Kernels keep the data *transposed*, ``XT`` of shape ``(n_features, n_samples)``, and compute
the distances from one sample to a contiguous tile of samples at once: the innermost loop runs
over the tile's samples (contiguous in memory), so it vectorises, and each distance still sums
its features in order 0 .. d-1, exactly as a row-by-row loop would. Everything accumulates in
float64 whatever the input dtype (float32 values are widened element by element; no float64
copy of the data is made).

Metrics are passed to kernels as small integer codes (``METRIC_CODES``) so one compiled kernel
serves all of them; the branch on the code sits outside the loops. For ``COSINE`` the caller
passes samples already scaled to unit norm (zero rows left at zero, as scikit-learn's
``normalize`` does); the distance is then ``clip(1 - <u, v>, 0, 2)``.

Searches for a minimum or maximum use a cheap *surrogate* (squared Euclidean for
``EUCLIDEAN``) and take one square root at the end (``from_surrogate``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

EUCLIDEAN = 0
SQEUCLIDEAN = 1
MANHATTAN = 2
COSINE = 3

METRIC_CODES = {
    "euclidean": EUCLIDEAN,
    "sqeuclidean": SQEUCLIDEAN,
    "manhattan": MANHATTAN,
    "cosine": COSINE,
}

# Reassociation lets LLVM vectorise the sums; each pair's distance keeps its feature order.
FASTMATH = {"reassoc", "contract"}

__all__ = [
    "COSINE",
    "EUCLIDEAN",
    "FASTMATH",
    "MANHATTAN",
    "METRIC_CODES",
    "SQEUCLIDEAN",
    "from_surrogate",
    "gather_rows",
    "tile_distances",
]


@njit(cache=True, nogil=True)
def gather_rows(XT: np.ndarray, r0: int, r1: int, out: np.ndarray) -> None:
    """Copy samples ``r0:r1`` of the transposed data into ``out`` as float64 rows.

    Parameters
    ----------
    XT : ndarray of shape (n_features, n_samples), float32 or float64
        IN. Transposed data.
    r0, r1 : int
        IN. Half-open sample range.
    out : ndarray of shape (>= r1 - r0, n_features), float64
        OUT. ``out[i - r0, f] = XT[f, i]``.
    """
    for f in range(XT.shape[0]):
        for i in range(r0, r1):
            out[i - r0, f] = np.float64(XT[f, i])


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def tile_distances(
    XT: np.ndarray, x: np.ndarray, t0: int, t1: int, metric: int, root: bool, out: np.ndarray
) -> None:
    """Distances from one sample ``x`` to the samples ``t0:t1`` of the transposed data.

    Parameters
    ----------
    XT : ndarray of shape (n_features, n_samples), float32 or float64
        IN. Transposed data (unit-norm samples for ``COSINE``).
    x : ndarray of shape (n_features,), float64
        IN. The sample to measure from.
    t0, t1 : int
        IN. Half-open sample range (the tile).
    metric : int
        IN. One of the ``METRIC_CODES`` values.
    root : bool
        IN. For ``EUCLIDEAN``, take the square root (True) or leave the squared distance,
        the surrogate (False). Ignored by the other metrics.
    out : ndarray of shape (>= t1 - t0,), float64
        OUT. ``out[j - t0]`` is the distance (or surrogate) to sample ``j``.
    """
    m = t1 - t0
    buf = out[:m]
    buf[:] = 0.0
    d = XT.shape[0]
    if metric == COSINE:
        for f in range(d):
            xf = x[f]
            row = XT[f, t0:t1]
            for j in range(m):
                buf[j] += xf * np.float64(row[j])
        for j in range(m):
            buf[j] = min(max(1.0 - buf[j], 0.0), 2.0)
    elif metric == MANHATTAN:
        for f in range(d):
            xf = x[f]
            row = XT[f, t0:t1]
            for j in range(m):
                buf[j] += abs(xf - np.float64(row[j]))
    else:
        for f in range(d):
            xf = x[f]
            row = XT[f, t0:t1]
            for j in range(m):
                t = xf - np.float64(row[j])
                buf[j] += t * t
        if metric == EUCLIDEAN and root:
            for j in range(m):
                buf[j] = math.sqrt(buf[j])


@njit(cache=True, nogil=True)
def from_surrogate(value: float, metric: int) -> float:
    """Map a surrogate value (float) back to the distance of ``metric`` (int code)."""
    if metric == EUCLIDEAN:
        return math.sqrt(value)
    return value
