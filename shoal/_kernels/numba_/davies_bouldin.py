"""Davies-Bouldin kernel: worst similarity ratio of each cluster, without a k x k matrix."""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["davies_bouldin_ratios"]


@njit(cache=True, nogil=True, parallel=True)
def davies_bouldin_ratios(
    centroids: np.ndarray, spread: np.ndarray, out_ratio: np.ndarray, out_far: np.ndarray
) -> None:
    """For each cluster, the largest ``(s_i + s_j) / ||c_i - c_j||`` over the other clusters.

    Parameters
    ----------
    centroids : ndarray of shape (n_clusters, n_features), float64
        IN. Cluster centroids.
    spread : ndarray of shape (n_clusters,), float64
        IN. Mean distance of each cluster's samples to its centroid.
    out_ratio : ndarray of shape (n_clusters,), float64
        OUT. Largest ratio for each cluster; pairs of coinciding centroids count as ratio 0
        (scikit-learn sets their distance to infinity).
    out_far : ndarray of shape (n_clusters,), float64
        OUT. Largest centroid distance from each cluster (to detect all-coinciding centroids).

    Notes
    -----
    O(n_clusters**2 * n_features) time, O(1) scratch.
    """
    k = centroids.shape[0]
    d = centroids.shape[1]
    for i in prange(k):
        best = 0.0
        far = 0.0
        for j in range(k):
            if j == i:
                continue
            s = 0.0
            for f in range(d):
                t = centroids[i, f] - centroids[j, f]
                s += t * t
            dist = math.sqrt(s)
            if dist > far:
                far = dist
            if dist > 0.0:
                r = (spread[i] + spread[j]) / dist
                if r > best:
                    best = r
        out_ratio[i] = best
        out_far[i] = far
