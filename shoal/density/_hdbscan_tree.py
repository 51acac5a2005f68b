"""HDBSCAN's cluster selection on the condensed tree: stabilities, EOM / leaf, labels,
membership probabilities and GLOSH outlier scores.

The condensed tree is four parallel arrays (``parent``, ``child``, ``lambda_val``,
``child_size``); rows with ``child_size > 1`` are cluster-to-cluster edges, the others samples
leaving a cluster. Cluster ids start at ``n`` (the root). Work here is per cluster (a few per
``min_cluster_size`` samples) or vectorised over rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["CondensedTree", "select_clusters"]


@dataclass(frozen=True)
class CondensedTree:
    """HDBSCAN's condensed tree as plain arrays (one row per edge)."""

    parent: np.ndarray
    child: np.ndarray
    lambda_val: np.ndarray
    child_size: np.ndarray

    def to_numpy(self) -> np.ndarray:
        """The tree as the structured array the hdbscan package uses."""
        size_type = np.intp if self.child_size.dtype.kind in "iu" else float
        out = np.empty(self.parent.shape[0], dtype=[("parent", np.intp), ("child", np.intp),
                                                     ("lambda_val", float),
                                                     ("child_size", size_type)])  # fmt: skip
        out["parent"], out["child"] = self.parent, self.child
        out["lambda_val"], out["child_size"] = self.lambda_val, self.child_size
        return out


def _stabilities(t: CondensedTree, n: int, n_nodes: int) -> np.ndarray:
    """``sum over rows leaving c of (lambda - birth(c)) * size`` for every cluster c."""
    birth = np.zeros(n_nodes)
    is_cl = t.child >= n
    birth[t.child[is_cl]] = t.lambda_val[is_cl]
    stab = np.zeros(n_nodes)
    np.add.at(stab, t.parent, (t.lambda_val - birth[t.parent]) * t.child_size)
    return stab[n:]


def _deaths(t: CondensedTree, n_nodes: int) -> np.ndarray:
    """Largest lambda among each cluster's own rows."""
    out = np.zeros(n_nodes)
    np.maximum.at(out, t.parent, t.lambda_val)
    return out


def select_clusters(
    t: CondensedTree,
    n: int,
    method: str,
    allow_single_cluster: bool,
    epsilon: float,
    max_cluster_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Labels, probabilities, GLOSH scores and the selected cluster ids.

    Follows the hdbscan package (McInnes et al.): excess of mass ('eom') or the leaves
    ('leaf'), ``cluster_selection_epsilon`` merging of clusters born below that distance
    (Malzer & Baum 2020), ``max_cluster_size`` refusing larger clusters in EOM, and
    ``allow_single_cluster`` letting the root be chosen.
    """
    root = n
    n_nodes = int(max(t.parent.max(), t.child.max(), root)) + 1
    stab_arr = _stabilities(t, n, n_nodes)
    stability = {c: float(stab_arr[c - n]) for c in range(n, int(t.parent.max()) + 1)}
    tree_rows = t.child >= n
    c_parent, c_child = t.parent[tree_rows], t.child[tree_rows]
    c_lambda, c_size = t.lambda_val[tree_rows], t.child_size[tree_rows]
    children: dict[int, list[int]] = {}
    for a, b in zip(c_parent.tolist(), c_child.tolist()):
        children.setdefault(a, []).append(b)
    up = {b: (a, lv) for a, b, lv in zip(c_parent.tolist(), c_child.tolist(), c_lambda.tolist())}
    sizes = dict(zip(c_child.tolist(), c_size.tolist()))
    nodes = sorted(stability, reverse=True)
    if not allow_single_cluster:
        nodes = nodes[:-1]  # the root (smallest id) cannot be a cluster
    else:
        sizes[root] = sum(sizes.get(c, 0) for c in children.get(root, []))
    is_cluster = dict.fromkeys(nodes, True)
    limit = max_cluster_size if max_cluster_size > 0 else n + 1

    def below(c: int) -> list[int]:
        out, todo = [], [c]
        while todo:
            out.extend(todo)
            todo = [g for x in todo for g in children.get(x, [])]
        return out

    def eps_search(leaves: list[int]) -> set[int]:
        chosen: list[int] = []
        done: set[int] = set()
        for leaf in sorted(leaves):  # the hdbscan package walks a set of ints: ascending
            if 1.0 / up[leaf][1] < epsilon:
                if leaf in done:
                    continue
                node = leaf
                while True:  # climb while the parent was born below epsilon
                    par = up[node][0]
                    if par == root:
                        node = par if allow_single_cluster else node
                        break
                    if 1.0 / up[par][1] > epsilon:
                        node = par
                        break
                    node = par
                chosen.append(node)
                done.update(x for x in below(node) if x != node)
            else:
                chosen.append(leaf)
        return set(chosen)

    if method == "eom":
        for c in nodes:
            sub = sum(stability[g] for g in children.get(c, []))
            if sub > stability[c] or sizes.get(c, 0) > limit:
                is_cluster[c] = False
                stability[c] = sub
            else:
                for g in below(c):
                    if g != c:
                        is_cluster[g] = False
        if epsilon != 0.0 and c_parent.size:
            eom = [c for c in is_cluster if is_cluster[c]]
            if len(eom) == 1 and eom[0] == root:
                chosen = set(eom) if allow_single_cluster else set()
            else:
                chosen = eps_search(eom)
            for c in is_cluster:
                is_cluster[c] = c in chosen
    else:  # leaf
        leaves = [c for c in below(root) if c not in children] if c_parent.size else []
        if not leaves:
            for c in is_cluster:
                is_cluster[c] = False
            is_cluster[root] = True
        chosen = eps_search(leaves) if epsilon != 0.0 else set(leaves)
        for c in is_cluster:
            is_cluster[c] = c in chosen
    selected = sorted(c for c in is_cluster if is_cluster[c])
    label_of = {c: i for i, c in enumerate(selected)}

    # Each cluster's nearest selected ancestor (itself included), top-down.
    owner = np.full(n_nodes, -1, dtype=np.int64)
    order = np.argsort(c_child, kind="stable")  # parents have smaller ids than children
    owner[root] = label_of.get(root, -1) if root in label_of else -1
    for i in order:
        a, b = int(c_parent[i]), int(c_child[i])
        owner[b] = label_of[b] if b in label_of else owner[a]
    pts = t.child < n
    p_parent, p_child, p_lambda = t.parent[pts], t.child[pts], t.lambda_val[pts]
    labels = np.full(n, -1, dtype=np.int64)
    labels[p_child] = owner[p_parent]
    # The root as the single cluster keeps only the samples that stay to its end.
    if root in label_of and len(selected) == 1 and allow_single_cluster:
        in_root = labels[p_child] == label_of[root]
        if epsilon != 0.0:
            keep = p_lambda >= 1.0 / epsilon
        else:
            keep = p_lambda >= _deaths(t, n_nodes)[root]
        labels[p_child[in_root & ~keep]] = -1
    elif root not in label_of:
        labels[p_child[p_parent == root]] = -1

    deaths = _deaths(t, n_nodes)
    probs = np.zeros(n)
    lab = labels[p_child]
    ok = lab >= 0
    sel = np.asarray(selected, dtype=np.int64)
    max_l = deaths[sel[lab[ok]]] if sel.size else np.zeros(0)
    lv = p_lambda[ok]
    with np.errstate(invalid="ignore", divide="ignore"):
        pr = np.where((max_l == 0.0) | ~np.isfinite(lv), 1.0, np.minimum(lv, max_l) / max_l)
    probs[p_child[ok]] = pr

    # GLOSH: compare each sample's lambda with the largest lambda below its cluster.
    sub_deaths = deaths.copy()
    for i in range(t.parent.shape[0] - 1, -1, -1):
        a, b = t.parent[i], t.child[i]
        if sub_deaths[b] > sub_deaths[a]:
            sub_deaths[a] = sub_deaths[b]
    top = sub_deaths[p_parent]
    with np.errstate(invalid="ignore", divide="ignore"):
        gl = np.where((top == 0.0) | ~np.isfinite(p_lambda), 0.0, (top - p_lambda) / top)
    scores = np.zeros(n)
    scores[p_child] = gl
    return labels, probs, scores, selected


def persistence(t: CondensedTree, n: int, selected: list[int]) -> np.ndarray:
    """Each selected cluster's stability scaled to [0, 1] (the hdbscan package's
    ``cluster_persistence_``)."""
    n_nodes = int(max(t.parent.max(), t.child.max(), n)) + 1
    stab = _stabilities(t, n, n_nodes)
    max_lambda = float(np.max(t.lambda_val)) if t.lambda_val.size else 0.0
    out = np.empty(len(selected))
    for i, c in enumerate(selected):
        size = int(t.child_size[t.parent == c].sum())
        denom = size * max_lambda
        out[i] = stab[c - n] / denom if denom > 0 and math.isfinite(denom) else 1.0
    return out
