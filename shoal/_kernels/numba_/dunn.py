"""Dunn-index kernels: smallest between-cluster and largest within-cluster pair distance.

Each unordered pair is visited once. ``dunn_extremes`` works on (transposed) samples sorted by
cluster, in row blocks against column tiles (cache reuse), and pairs block ``p`` with block
``n_blocks - 1 - p`` in one ``prange`` iteration so that the triangular workload is balanced
across threads. Results are per block; the caller reduces them (no n x n memory).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from shoal._kernels.numba_.pairwise import gather_rows, tile_distances

__all__ = ["dunn_extremes", "dunn_extremes_precomputed"]


@njit(cache=True, nogil=True, parallel=True)
def dunn_extremes(
    XT: np.ndarray,
    labels: np.ndarray,
    starts: np.ndarray,
    metric: int,
    row_block: int,
    col_tile: int,
    out_min: np.ndarray,
    out_max: np.ndarray,
) -> None:
    """Per-block extremes of the pair distances, as surrogates.

    Parameters
    ----------
    XT : ndarray of shape (n_features, n_samples), float32 or float64, C-contiguous
        IN. Transposed data sorted by cluster (unit-norm samples for the cosine metric).
    labels : ndarray of shape (n_samples,), int64
        IN. Non-decreasing cluster code of each sample.
    starts : ndarray of shape (n_clusters + 1,), int64
        IN. Start of each cluster, then ``n_samples``.
    metric : int
        IN. A ``pairwise.METRIC_CODES`` value.
    row_block, col_tile : int
        IN. Samples per block and per cache tile.
    out_min : ndarray of shape (n_blocks,), float64
        OUT. For pairs ``(i, j)``, ``i`` in the block and ``j > i`` in another cluster: the
        smallest surrogate distance (``inf`` when there is none). ``n_blocks`` is
        ``ceil(n_samples / row_block)``.
    out_max : ndarray of shape (n_blocks,), float64
        OUT. Same pairs within one cluster: the largest surrogate distance (0 when none).

    Notes
    -----
    O(n_samples**2 * n_features / 2) time, O(row_block * n_features + col_tile) scratch per
    thread.
    """
    d, n = XT.shape
    n_blocks = out_min.shape[0]
    for pp in prange((n_blocks + 1) // 2):
        p = np.int64(pp)  # the prange index may be unsigned; keep block arithmetic signed
        mirror = n_blocks - 1 - p
        rows = np.empty((row_block, d), dtype=np.float64)
        dist = np.empty(col_tile, dtype=np.float64)
        for q in range(1 if mirror == p else 2):
            b = p if q == 0 else mirror
            r0 = b * row_block
            r1 = min(n, r0 + row_block)
            gather_rows(XT, r0, r1, rows)
            lo = np.inf
            hi = 0.0
            for t0 in range(r0, n, col_tile):
                t1 = min(n, t0 + col_tile)
                for i in range(r0, r1):
                    j_start = max(t0, i + 1)
                    if j_start >= t1:
                        continue
                    tile_distances(XT, rows[i - r0], t0, t1, metric, False, dist)
                    own_stop = starts[labels[i] + 1]
                    for j in range(j_start, min(t1, own_stop)):
                        hi = max(hi, dist[j - t0])
                    for j in range(max(j_start, own_stop), t1):
                        lo = min(lo, dist[j - t0])
            out_min[b] = lo
            out_max[b] = hi


@njit(cache=True, nogil=True, parallel=True)
def dunn_extremes_precomputed(
    D: np.ndarray, labels: np.ndarray, out_min: np.ndarray, out_max: np.ndarray
) -> None:
    """Per-row extremes of a dense distance matrix.

    Parameters
    ----------
    D : ndarray of shape (n_samples, n_samples), float32 or float64
        IN. Pairwise distances.
    labels : ndarray of shape (n_samples,), int64
        IN. Cluster code of each sample (any order).
    out_min : ndarray of shape (n_samples,), float64
        OUT. Smallest ``D[i, j]`` with ``labels[j] != labels[i]`` (``inf`` when none).
    out_max : ndarray of shape (n_samples,), float64
        OUT. Largest ``D[i, j]`` with ``j != i`` and ``labels[j] == labels[i]`` (0 when none).

    Notes
    -----
    O(n_samples**2) time, O(1) scratch.
    """
    n = D.shape[0]
    for i in prange(n):
        lo = np.inf
        hi = 0.0
        li = labels[i]
        for j in range(n):
            v = np.float64(D[i, j])
            if labels[j] == li:
                if j != i and v > hi:
                    hi = v
            elif v < lo:
                lo = v
        out_min[i] = lo
        out_max[i] = hi
