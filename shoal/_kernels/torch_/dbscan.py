"""DBSCAN in torch: candidate pairs from a uniform grid (2-D/3-D) or blocked brute force, core
samples, connected components of the cores by hooking and pointer jumping, border samples.

Candidate pairs are generated a chunk at a time (bounded by ``BUDGET`` pairs) and measured
exactly (sums of squared differences in float64, as the numba kernels measure them), so the
neighbourhoods, and hence the labels, are those of the numba path. The labels follow its
numbering: clusters in the order of their lowest-index core sample; a border sample joins the
lowest-numbered cluster with a core within ``eps``.

Memory: O(n) plus one chunk of candidate pairs, plus the core-core edges (i < j) kept for the
component search.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import torch

from .mixture import BUDGET

__all__ = ["brute_pairs", "dbscan_torch", "grid_pairs"]

_I64 = torch.int64


def grid_pairs(X: torch.Tensor, eps: float) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Candidate pairs ``(i, j)`` (original indices, both orders, i == j included) of samples
    in the same or adjacent grid cells of side ``eps``: the 3^d neighbouring cells are found
    by binary search in the sorted cell keys. Yields chunks of at most about ``BUDGET`` pairs.
    """
    n, d = X.shape
    cell = torch.floor((X - X.min(dim=0).values) / eps).to(_I64) + 1
    span = cell.max(dim=0).values + 2
    stride = torch.ones(d, dtype=_I64, device=X.device)
    for f in range(d - 2, -1, -1):
        stride[f] = stride[f + 1] * span[f + 1]
    key = (cell * stride).sum(dim=1)
    key_sorted, order = torch.sort(key, stable=True)
    uniq, counts = torch.unique_consecutive(key_sorted, return_counts=True)
    start = torch.zeros(uniq.shape[0] + 1, dtype=_I64, device=X.device)
    start[1:] = torch.cumsum(counts, 0)
    cell_of = torch.repeat_interleave(torch.arange(uniq.shape[0], device=X.device), counts)
    offs = torch.tensor(list(itertools.product((-1, 0, 1), repeat=d)), dtype=_I64,
                        device=X.device)  # fmt: skip
    off_keys = (offs * stride).sum(dim=1)
    # neighbour cell (or -1) of every cell for every offset: (n_cells, 3^d)
    want = uniq[:, None] + off_keys[None, :]
    pos = torch.searchsorted(uniq, want).clamp(max=uniq.shape[0] - 1)
    nbr = torch.where(uniq[pos] == want, pos, -1)
    lens = torch.where(nbr >= 0, start[nbr + 1] - start[nbr.clamp(min=0)], 0)
    per_point = lens.sum(dim=1)[cell_of]  # candidates of each sorted sample
    cum = torch.cumsum(per_point, 0)
    p0 = 0
    while p0 < n:
        base = int(cum[p0 - 1]) if p0 > 0 else 0
        p1 = int(torch.searchsorted(cum, base + BUDGET, right=True))
        p1 = min(n, max(p1, p0 + 1))
        c = cell_of[p0:p1]
        ln = lens[c].flatten()
        st = start[nbr[c].clamp(min=0)].flatten()
        src = torch.arange(p0, p1, device=X.device).repeat_interleave(nbr.shape[1])
        rows = torch.repeat_interleave(torch.arange(ln.shape[0], device=X.device), ln)
        first = torch.cumsum(ln, 0) - ln
        j_sorted = st[rows] + torch.arange(rows.shape[0], device=X.device) - first[rows]
        yield order[src[rows]], order[j_sorted]
        p0 = p1


def brute_pairs(X: torch.Tensor) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Every pair ``(i, j)``, a block of rows against all samples at a time."""
    n = X.shape[0]
    step = max(1, BUDGET // n)
    cols = torch.arange(n, device=X.device)
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        i = torch.arange(r0, r1, device=X.device).repeat_interleave(n)
        yield i, cols.repeat(r1 - r0)


def _within(X: torch.Tensor, i: torch.Tensor, j: torch.Tensor, r2: float) -> torch.Tensor:
    diff = X[i] - X[j]
    return (diff * diff).sum(dim=1) <= r2


def dbscan_torch(
    X: torch.Tensor, eps: float, w: torch.Tensor, min_samples: float, use_grid: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """DBSCAN of the rows of ``X`` (Euclidean).

    Parameters
    ----------
    X : tensor of shape (n, d), float64
        IN. Samples (the caller converts to float64: the neighbourhoods are exact).
    eps : float
        IN. Radius (distance <= eps).
    w : tensor of shape (n,), float64
        IN. Sample weights.
    min_samples : float
        IN. Weight within ``eps`` (itself included) that makes a core sample.
    use_grid : bool
        IN. Grid candidates (d <= 3) instead of blocked brute force.

    Returns
    -------
    core : tensor of shape (n,), bool
    labels : tensor of shape (n,), int64 (-1 noise)
    """
    n = X.shape[0]
    r2 = eps * eps

    def pairs() -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        return grid_pairs(X, eps) if use_grid else brute_pairs(X)

    weight = torch.zeros(n, dtype=torch.float64, device=X.device)
    for i, j in pairs():
        hit = _within(X, i, j, r2)
        weight.index_add_(0, i[hit], w[j[hit]])
    core = weight >= min_samples
    # core-core edges, each once
    us, vs = [], []
    for i, j in pairs():
        keep = (i < j) & core[i] & core[j]
        i, j = i[keep], j[keep]
        hit = _within(X, i, j, r2)
        us.append(i[hit])
        vs.append(j[hit])
    u = torch.cat(us) if us else torch.empty(0, dtype=_I64, device=X.device)
    v = torch.cat(vs) if vs else torch.empty(0, dtype=_I64, device=X.device)
    # Components: hook the larger root onto the smaller, then jump pointers to the roots;
    # every component ends rooted at its lowest index.
    parent = torch.arange(n, device=X.device)
    while u.numel():
        pu, pv = parent[u], parent[v]
        if bool((pu == pv).all()):
            break
        parent.scatter_reduce_(0, torch.maximum(pu, pv), torch.minimum(pu, pv), reduce="amin")
        while True:
            nxt = parent[parent]
            if bool((nxt == parent).all()):
                break
            parent = nxt
    roots = torch.unique(parent[core])  # sorted: numbering by lowest core index
    labels = torch.full((n,), -1, dtype=_I64, device=X.device)
    labels[core] = torch.searchsorted(roots, parent[core])
    # border samples: the lowest-numbered cluster with a core within eps
    big = torch.iinfo(_I64).max
    best = torch.full((n,), big, dtype=_I64, device=X.device)
    for i, j in pairs():
        keep = ~core[i] & core[j]
        i, j = i[keep], j[keep]
        hit = _within(X, i, j, r2)
        best.scatter_reduce_(0, i[hit], labels[j[hit]], reduce="amin")
    border = ~core & (best < big)
    labels[border] = best[border]
    return core, labels
