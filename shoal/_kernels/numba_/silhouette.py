"""Silhouette kernels: per-sample sums of distances to every cluster, never an n x n matrix.

``silhouette_sorted`` works on (transposed) samples sorted by cluster, so each cluster is one
contiguous run and a sample's distance sum to a cluster is a plain loop over that run. Samples
are processed in blocks (one ``prange`` iteration per block) against column tiles, so one tile
of the data is reused from cache by every sample of the block; the only scratch memory is one
``(row_block, n_clusters)`` float64 accumulator and one tile of distances per block.
``silhouette_precomputed`` reads a dense distance matrix the caller already holds.

Both kernels return the silhouette value per row with scikit-learn's conventions: a sample
alone in its cluster gets 0, and ``0 / 0`` (all distances zero) gets 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from shoal._kernels.numba_.pairwise import FASTMATH, gather_rows, tile_distances

__all__ = [
    "cluster_distance_sums_symmetric",
    "silhouette_from_sums",
    "silhouette_precomputed",
    "silhouette_sorted",
]


@njit(cache=True, nogil=True)
def _row_silhouette(acc: np.ndarray, own: int, counts: np.ndarray) -> float:
    """Silhouette of one sample from its per-cluster distance sums ``acc`` (k,) float64."""
    n_own = counts[own]
    if n_own <= 1:
        return 0.0
    a = acc[own] / (n_own - 1)
    b = np.inf
    for c in range(acc.shape[0]):
        if c != own:
            v = acc[c] / counts[c]
            if v < b:
                b = v
    m = max(a, b)
    if m == 0.0:
        return 0.0
    return (b - a) / m


@njit(cache=True, nogil=True, parallel=True, fastmath=FASTMATH)
def silhouette_sorted(
    XT: np.ndarray,
    labels: np.ndarray,
    starts: np.ndarray,
    metric: int,
    row_block: int,
    col_tile: int,
    out: np.ndarray,
) -> None:
    """Silhouette value of every sample of ``XT``, whose samples are sorted by cluster.

    Parameters
    ----------
    XT : ndarray of shape (n_features, n_samples), float32 or float64, C-contiguous
        IN. Transposed data sorted so that cluster ``c`` occupies samples
        ``starts[c]:starts[c + 1]`` (unit-norm samples for the cosine metric). Distances
        accumulate in float64.
    labels : ndarray of shape (n_samples,), int64
        IN. Cluster code ``0 .. n_clusters - 1`` of each sample, non-decreasing.
    starts : ndarray of shape (n_clusters + 1,), int64
        IN. Start of each cluster, then ``n_samples``; every cluster is non-empty.
    metric : int
        IN. A ``pairwise.METRIC_CODES`` value.
    row_block : int
        IN. Samples per parallel block; scratch is ``row_block * (n_clusters + n_features)``
        float64 per block.
    col_tile : int
        IN. Samples per cache tile.
    out : ndarray of shape (n_samples,), float64
        OUT. Silhouette value of each (sorted) sample.

    Notes
    -----
    O(n_samples**2 * n_features) time, O(row_block * n_clusters + col_tile) scratch per
    thread.
    """
    d, n = XT.shape
    k = starts.shape[0] - 1
    counts = np.empty(k, dtype=np.int64)
    for c in range(k):
        counts[c] = starts[c + 1] - starts[c]
    n_blocks = (n + row_block - 1) // row_block
    for b in prange(n_blocks):
        r0 = b * row_block
        r1 = min(n, r0 + row_block)
        acc = np.zeros((r1 - r0, k), dtype=np.float64)
        rows = np.empty((r1 - r0, d), dtype=np.float64)
        gather_rows(XT, r0, r1, rows)
        dist = np.empty(col_tile, dtype=np.float64)
        for t0 in range(0, n, col_tile):
            t1 = min(n, t0 + col_tile)
            for i in range(r1 - r0):
                tile_distances(XT, rows[i], t0, t1, metric, True, dist)
                s0 = t0
                while s0 < t1:
                    c = labels[s0]
                    s1 = min(t1, starts[c + 1])
                    s = 0.0
                    for j in range(s0 - t0, s1 - t0):
                        s += dist[j]
                    acc[i, c] += s
                    s0 = s1
        for i in range(r0, r1):
            out[i] = _row_silhouette(acc[i - r0], labels[i], counts)


@njit(cache=True, nogil=True, parallel=True)
def silhouette_precomputed(
    D: np.ndarray, labels: np.ndarray, counts: np.ndarray, row_block: int, out: np.ndarray
) -> None:
    """Silhouette value of every sample from a dense distance matrix.

    Parameters
    ----------
    D : ndarray of shape (n_samples, n_samples), float32 or float64
        IN. Pairwise distances; sums accumulate in float64.
    labels : ndarray of shape (n_samples,), int64
        IN. Cluster code ``0 .. n_clusters - 1`` of each sample (any order).
    counts : ndarray of shape (n_clusters,), int64
        IN. Size of each cluster; every cluster is non-empty.
    row_block : int
        IN. Rows per parallel block.
    out : ndarray of shape (n_samples,), float64
        OUT. Silhouette value of each sample.

    Notes
    -----
    O(n_samples**2) time, O(n_clusters) scratch per thread.
    """
    n = D.shape[0]
    k = counts.shape[0]
    n_blocks = (n + row_block - 1) // row_block
    for b in prange(n_blocks):
        r0 = b * row_block
        r1 = min(n, r0 + row_block)
        acc = np.empty(k, dtype=np.float64)
        for i in range(r0, r1):
            acc[:] = 0.0
            for j in range(n):
                acc[labels[j]] += D[i, j]
            out[i] = _row_silhouette(acc, labels[i], counts)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _block_pair(
    XT: np.ndarray,
    labels: np.ndarray,
    starts: np.ndarray,
    metric: int,
    bi: int,
    bj: int,
    block: int,
    acc: np.ndarray,
) -> None:
    """Add the distances between sample blocks ``bi`` and ``bj`` to both sides of ``acc``."""
    d, n = XT.shape
    i0 = bi * block
    i1 = min(n, i0 + block)
    j0 = bj * block
    j1 = min(n, j0 + block)
    rows = np.empty((i1 - i0, d), dtype=np.float64)
    gather_rows(XT, i0, i1, rows)
    dist = np.empty(j1 - j0, dtype=np.float64)
    for i in range(i0, i1):
        tile_distances(XT, rows[i - i0], j0, j1, metric, True, dist)
        if bi == bj:  # a block with itself: count each pair (i, j > i) once
            for j in range(j0, min(j1, i + 1)):
                dist[j - j0] = 0.0
        # Sums of sample i to the clusters of block bj ...
        s0 = j0
        while s0 < j1:
            c = labels[s0]
            s1 = min(j1, starts[c + 1])
            s = 0.0
            for j in range(s0 - j0, s1 - j0):
                s += dist[j]
            acc[c, i] += s
            s0 = s1
        # ... and, by symmetry, of the samples of block bj to the cluster of i.
        col = acc[labels[i], j0:j1]
        for j in range(j1 - j0):
            col[j] += dist[j]


@njit(cache=True, nogil=True, parallel=True)
def cluster_distance_sums_symmetric(
    XT: np.ndarray,
    labels: np.ndarray,
    starts: np.ndarray,
    metric: int,
    block: int,
    acc: np.ndarray,
) -> None:
    """Per-sample sums of distances to every cluster, each pair of samples computed once.

    The pairs of sample blocks ``(bi, bj)``, ``bi <= bj``, are dealt round-robin to
    ``n_lanes`` lanes, one ``prange`` iteration each; a lane adds into its own slice of
    ``acc``, so threads never write the same memory, there is a single join at the end
    (cheap on a busy machine, unlike one barrier per round), and the result depends only on
    the number of lanes, not on thread timing. Half the distance work of
    ``silhouette_sorted``, at the cost of ``n_lanes`` accumulators of
    ``(n_clusters, n_samples)``.

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
    block : int
        IN. Samples per block.
    acc : ndarray of shape (n_lanes, n_clusters, n_samples), float64, zero on entry
        OUT. ``acc[:, c, i].sum()`` is the sum of distances from sample ``i`` to cluster
        ``c``; ``n_lanes`` is usually the number of threads.

    Notes
    -----
    O(n_samples**2 * n_features / 2) time, O(n_lanes * n_clusters * n_samples) output,
    O(block * n_features) scratch per thread.
    """
    n = XT.shape[1]
    n_lanes = acc.shape[0]
    nb = (n + block - 1) // block
    for lane in prange(n_lanes):
        out = acc[lane]
        count = 0
        for bi in range(nb):
            for bj in range(bi, nb):
                if count % n_lanes == lane:
                    _block_pair(XT, labels, starts, metric, bi, bj, block, out)
                count += 1


@njit(cache=True, nogil=True, parallel=True)
def silhouette_from_sums(
    acc: np.ndarray, labels: np.ndarray, counts: np.ndarray, out: np.ndarray
) -> None:
    """Silhouette of each sample from per-lane distance sums.

    Parameters
    ----------
    acc : ndarray of shape (n_lanes, n_clusters, n_samples), float64
        IN. Output of ``cluster_distance_sums_symmetric``.
    labels : ndarray of shape (n_samples,), int64
        IN. Cluster code of each sample.
    counts : ndarray of shape (n_clusters,), int64
        IN. Cluster sizes.
    out : ndarray of shape (n_samples,), float64
        OUT. Silhouette value of each sample.
    """
    n_lanes, k, n = acc.shape
    for i in prange(n):
        own = labels[i]
        n_own = counts[own]
        if n_own <= 1:
            out[i] = 0.0
            continue
        a = 0.0
        for lane in range(n_lanes):
            a += acc[lane, own, i]
        a /= n_own - 1
        b = np.inf
        for c in range(k):
            if c != own:
                v = 0.0
                for lane in range(n_lanes):
                    v += acc[lane, c, i]
                v /= counts[c]
                if v < b:
                    b = v
        mx = max(a, b)
        out[i] = 0.0 if mx == 0.0 else (b - a) / mx
