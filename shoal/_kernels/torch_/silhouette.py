"""Silhouette on torch tensors: row chunks of the distance matrix reduced to per-cluster sums.

A chunk of ``r`` rows gets its ``(r, n)`` distances (exact differences, ``torch.cdist`` without
the GEMM shortcut, float64; for cosine ``1 - <u, v>`` of unit rows, as the numba kernels),
which ``index_add_`` folds into ``(r, n_clusters)`` sums; the silhouette of those rows follows
at once. ``r`` comes from a memory budget, so memory is ``O(r (n + n_clusters))``, never
``n x n``.
"""

from __future__ import annotations

import torch

__all__ = ["silhouette_values"]

_BUDGET = {"cuda": 512 << 20, "cpu": 32 << 20}

# Minkowski order of each metric computed by ``torch.cdist``.
_P = {"euclidean": 2.0, "sqeuclidean": 2.0, "manhattan": 1.0}


def _rows_per_chunk(n: int, k: int, device: torch.device, budget: int | None) -> int:
    if budget is None:
        budget = _BUDGET["cuda" if device.type == "cuda" else "cpu"]
    return int(max(1, min(n, budget // (8 * (2 * n + k)))))


def silhouette_values(
    X: torch.Tensor,
    codes: torch.Tensor,
    counts: torch.Tensor,
    metric: str,
    out: torch.Tensor,
    budget: int | None = None,
) -> None:
    """Silhouette value of every sample.

    Parameters
    ----------
    X : (n, d) IN, float32/float64: the data (rows of unit norm for 'cosine'), or the ``(n, n)``
    distance matrix for ``metric='precomputed'``. Distances are computed and summed in float64.
    codes : (n,) int64 IN, cluster code ``0 .. n_clusters - 1`` of each sample.
    counts : (n_clusters,) int64 IN, cluster sizes (all non-empty).
    metric : 'euclidean', 'sqeuclidean', 'manhattan', 'cosine' or 'precomputed'.
    out : (n,) float64 OUT. budget : bytes for one chunk's temporaries (None: a default).
    """
    n = X.shape[0]
    k = counts.shape[0]
    r = _rows_per_chunk(n, k, X.device, budget)
    X64 = X.to(torch.float64)
    cnt = counts.to(torch.float64)
    for s in range(0, n, r):
        e = min(n, s + r)
        if metric == "precomputed":
            D = X64[s:e]
        elif metric == "cosine":
            # Unit rows (zero rows left at zero): 1 - <u, v>, clipped to [0, 2], as numba does.
            D = (1.0 - X64[s:e] @ X64.T).clamp_(0.0, 2.0)
        else:
            D = torch.cdist(
                X64[s:e], X64, p=_P[metric], compute_mode="donot_use_mm_for_euclid_dist"
            )
            if metric == "sqeuclidean":
                D = D * D
        sums = torch.zeros((e - s, k), dtype=torch.float64, device=X.device)
        sums.index_add_(1, codes, D)
        own = codes[s:e]
        n_own = cnt[own]
        a = sums.gather(1, own.unsqueeze(1)).squeeze(1) / (n_own - 1).clamp_min(1.0)
        means = sums / cnt.unsqueeze(0)
        means.scatter_(1, own.unsqueeze(1), float("inf"))
        b = means.min(dim=1).values
        mx = torch.maximum(a, b)
        val = torch.where(mx > 0, (b - a) / torch.where(mx > 0, mx, 1.0), 0.0)
        out[s:e] = torch.where(n_own > 1, val, 0.0)
