"""Bisecting k-means kernels: walking the tree of 2-means splits."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["tree_descend"]


@njit(cache=True, nogil=True, parallel=True)
def tree_descend(X, shift, node_centers, left, right, leaf_label, out):
    """OUT ``out[i]``: the leaf reached from the root (node 0) by going, at every split, to the
    child whose centre is nearer to ``X[i] - shift`` (the left one on a tie).

    ``node_centers`` (n_nodes, d) float64 in the shifted coordinates; ``left``, ``right``
    (n_nodes,) int64 child indices, -1 at a leaf; ``leaf_label`` (n_nodes,) int64. No copy of X.
    """
    n, d = X.shape
    for i in prange(n):
        node = 0
        while left[node] >= 0:
            a = left[node]
            b = right[node]
            da = 0.0
            db = 0.0
            for f in range(d):
                x = np.float64(X[i, f]) - shift[f]
                ta = x - node_centers[a, f]
                tb = x - node_centers[b, f]
                da += ta * ta
                db += tb * tb
            node = b if db < da else a
        out[i] = leaf_label[node]
