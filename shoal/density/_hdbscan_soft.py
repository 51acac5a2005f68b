"""HDBSCAN soft clustering: how much each sample belongs to every selected cluster.

The membership combines a distance part (inverse distance to each cluster's exemplars, the
samples that persist longest in its leaf clusters) and an outlier part (how high in the
condensed tree the sample's cluster meets each selected cluster), scaled by the probability of
being in some cluster at all — the scheme of the hdbscan package's soft clustering
(``all_points_membership_vectors`` / ``membership_vector``), whose values shoal reproduces.
"""

from __future__ import annotations

import numpy as np

from .._kernels.numba_.hdbscan import merge_heights, min_dist_to_groups
from ._hdbscan_tree import CondensedTree

__all__ = ["SoftModel", "all_points_memberships", "new_point_memberships"]

DBL_MAX = np.finfo(np.float64).max


class SoftModel:
    """What the membership computations need from a fitted tree (plain arrays)."""

    def __init__(self, tree: CondensedTree, n: int, selected: list[int], train: np.ndarray):
        t = tree
        self.clusters = np.asarray(selected, dtype=np.int64)
        n_nodes = int(max(t.parent.max(), t.child.max(), n)) + 1
        self.parent_of = np.full(n_nodes, -1, dtype=np.int64)
        self.birth = np.zeros(n_nodes)
        cl = t.child >= n
        self.parent_of[t.child[cl]] = t.parent[cl]
        self.birth[t.child[cl]] = t.lambda_val[cl]
        self.leaf_max = np.zeros(n_nodes)  # largest lambda among a cluster's own rows
        np.maximum.at(self.leaf_max, t.parent, t.lambda_val)
        pts = ~cl
        self.point_cluster = np.empty(n, dtype=np.int64)
        self.point_lambda = np.empty(n)
        self.point_cluster[t.child[pts]] = t.parent[pts]
        self.point_lambda[t.child[pts]] = t.lambda_val[pts]
        children: dict[int, list[int]] = {}
        for a, b in zip(t.parent[cl].tolist(), t.child[cl].tolist()):
            children.setdefault(a, []).append(b)
        rows, groups = [], []
        for g, c in enumerate(selected):
            stack, leaves = [c], []
            while stack:
                x = stack.pop()
                if x in children:
                    stack.extend(children[x])
                else:
                    leaves.append(x)
            for leaf in leaves:  # a leaf's exemplars: the samples that stay to its end
                members = np.flatnonzero((self.point_cluster == leaf)
                                         & (self.point_lambda == self.leaf_max[leaf]))  # fmt: skip
                rows.append(members)
                groups.append(np.full(members.shape[0], g, dtype=np.int64))
        idx = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
        self.exemplars = np.ascontiguousarray(train[idx])
        self.group = np.concatenate(groups) if groups else np.empty(0, dtype=np.int64)

    def distance_part(self, Q: np.ndarray, code: int, power: float) -> np.ndarray:
        k = self.clusters.shape[0]
        dist = np.empty((Q.shape[0], k))
        min_dist_to_groups(np.ascontiguousarray(Q, dtype=np.float64), self.exemplars,
                           self.group, k, code, power, dist)  # fmt: skip
        with np.errstate(divide="ignore"):
            inv = np.where(dist != 0, 1.0 / dist, DBL_MAX / k)
        return inv / inv.sum(axis=1, keepdims=True)

    def heights(self, cluster: np.ndarray, lam: np.ndarray) -> np.ndarray:
        out = np.empty((cluster.shape[0], self.clusters.shape[0]))
        merge_heights(cluster, lam, self.clusters, self.parent_of, self.birth, out)
        return out


def all_points_memberships(model: SoftModel, train: np.ndarray, code: int,
                           power: float) -> np.ndarray:  # fmt: skip
    """Membership of every training sample in every selected cluster (rows sum to the
    probability of being in some cluster)."""
    n = train.shape[0]
    k = model.clusters.shape[0]
    if k == 0:
        return np.zeros((n, 0))
    dist_part = model.distance_part(train, code, power)
    h = model.heights(model.point_cluster, model.point_lambda)
    max_l = model.leaf_max[model.point_cluster] + 1e-8
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        scores = np.exp(-(max_l[:, None] / h))
        outlier = np.exp(scores - np.nanmax(scores))  # one shift for all rows, as hdbscan
    outlier /= outlier.sum(axis=1, keepdims=True)
    best = np.argmax(h, axis=1)
    top = np.maximum(model.leaf_max[model.clusters[best]], model.point_lambda)
    in_some = h.max(axis=1) / top
    res = dist_part * outlier
    res /= res.sum(axis=1, keepdims=True)
    return res * in_some[:, None]


def new_point_memberships(model: SoftModel, Q: np.ndarray, nearest: np.ndarray,
                          lam: np.ndarray, code: int, power: float) -> np.ndarray:  # fmt: skip
    """Memberships of new samples attached at training sample ``nearest`` with ``lam``."""
    k = model.clusters.shape[0]
    if k == 0:
        return np.zeros((Q.shape[0], 0))
    lam = np.minimum(lam, model.point_lambda[nearest])
    dist_part = model.distance_part(Q, code, power)
    cluster = model.point_cluster[nearest]
    # The hdbscan package passes lambda through a float32 here; kept for equal results.
    h32 = model.heights(cluster, lam.astype(np.float32).astype(np.float64))
    max_l = model.leaf_max[cluster][:, None]
    denom = np.where(max_l - h32 <= 0, 1e-8, max_l - h32)
    scores = max_l / denom
    outlier = np.exp(scores - np.nanmax(scores, axis=1, keepdims=True))
    outlier /= outlier.sum(axis=1, keepdims=True)
    res = dist_part**0.5 * outlier**2.0
    res /= res.sum(axis=1, keepdims=True)
    h = model.heights(cluster, lam)
    best = np.argmax(h, axis=1)
    top = np.maximum(lam, model.leaf_max[model.clusters[best]]) + 1e-8
    return res * (h.max(axis=1) / top)[:, None]
