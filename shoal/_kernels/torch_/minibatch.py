"""Mini-batch k-means kernels on torch tensors: one step (gather, assign, update) per call.

Conventions and contracts of ``shoal._kernels.numba_.minibatch``: ``X`` contiguous ``(n, d)``
float32/float64, ``centers`` ``(k, d)`` of X's dtype, labels int64, a batch given as row
indices ``rows`` (an int64 tensor on X's device). The batch rows are gathered into one
``(b, d)`` tensor (the GEMM operand); no ``(n, k)`` matrix.
"""

from __future__ import annotations

import torch

from .kmeans import nearest_center, sq_dist_to_assigned

__all__ = ["assign_rows", "minibatch_step"]


def assign_rows(
    X: torch.Tensor, rows: torch.Tensor, centers: torch.Tensor, c_sq_norms: torch.Tensor,
    chunk: int, labels: torch.Tensor, min_sq: torch.Tensor,
) -> None:  # fmt: skip
    """Nearest centre of the rows ``X[rows]`` (norm expansion on ``(chunk, k)`` tiles).

    OUT ``labels`` (b,) and ``min_sq`` (b,) float64, the exact squared distance to that centre.
    """
    xb = X[rows]
    nearest_center(xb, centers, c_sq_norms.to(X.dtype), chunk, labels)
    sq_dist_to_assigned(xb, centers, labels, min_sq)


def minibatch_step(
    X: torch.Tensor, rows: torch.Tensor, w: torch.Tensor, centers: torch.Tensor,
    centers_new: torch.Tensor, counts: torch.Tensor, chunk: int, labels: torch.Tensor,
    min_sq: torch.Tensor, sums: torch.Tensor, wsum: torch.Tensor,
) -> tuple[float, float]:  # fmt: skip
    """One mini-batch k-means step (Sculley 2010, scikit-learn's per-centre learning rate).

    Every batch row goes to its nearest centre of ``centers``; a centre that received weight
    ``W_j`` with weighted sum ``S_j`` moves to ``(centers[j] * counts[j] + S_j) / (counts[j] +
    W_j)`` and ``counts[j]`` grows by ``W_j``; centres that received nothing are unchanged.

    Parameters
    ----------
    X : (n, d) IN. rows : (b,) int64 IN. w : (b,) float64 IN. centers : (k, d) IN.
    centers_new : (k, d) OUT (may be ``centers``). counts : (k,) float64 IN/OUT.
    chunk : int IN. labels : (b,) int64 OUT. min_sq : (b,) float64 OUT.
    sums : (k, d) float64, wsum : (k,) float64: workspace.

    Returns
    -------
    (batch_inertia, squared_shift) : floats, as the numba kernel returns them.
    """
    C64 = centers.to(torch.float64)
    c_sq = (C64 * C64).sum(dim=1)
    assign_rows(X, rows, centers, c_sq, chunk, labels, min_sq)
    w64 = w.to(torch.float64)
    sums.zero_()
    wsum.zero_()
    sums.index_add_(0, labels, X[rows].to(torch.float64) * w64.unsqueeze(1))
    wsum.index_add_(0, labels, w64)
    inertia = torch.dot(w64, min_sq)
    has = wsum > 0
    total = counts + wsum
    new = torch.where(
        has.unsqueeze(1), (C64 * counts.unsqueeze(1) + sums) / total.clamp_min(1e-300).unsqueeze(1),
        C64,
    )  # fmt: skip
    shift = ((new - C64) ** 2).sum()
    counts.copy_(torch.where(has, total, counts))
    centers_new.copy_(new.to(centers.dtype))
    return float(inertia), float(shift)
