"""Greedy k-means++ seeding kernels on torch tensors.

The steps of ``shoal._kernels.numba_.seeding`` with a GPU's shape: every sample's distance to
the ``t`` candidates of a step is one ``(chunk, t)`` GEMM tile (the norm expansion), not a
per-sample loop with triangle-inequality skips (a branch per sample costs a GPU more than the
distances it saves). The draws are the numba path's: the caller draws uniforms on the host
from its ``RandomState`` and :func:`kmpp_sample` finds the samples where the running sum of
``w * closest`` first exceeds each target.

Shared arguments: ``X`` (n, d) float32/float64, centred by the caller (the norm expansion is
accurate near the origin); ``x_sq`` (n,) float64 squared row norms; ``w`` (n,) weights;
``closest`` (n,) float64 squared distance to the nearest chosen centre; ``chunk`` rows per
tile (from a memory budget, see ``kmeans.chunk_rows``).
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = [
    "kmpp_add_center",
    "kmpp_candidate_potentials",
    "kmpp_sample",
    "kmpp_take_candidate",
]


def _sq_dist(
    X: torch.Tensor, x_sq: torch.Tensor, C: torch.Tensor, c_sq: torch.Tensor
) -> torch.Tensor:
    """``(m, t)`` float64 squared distances by the norm expansion (dot in X's precision)."""
    dot = (X @ C.T).to(torch.float64)
    return (x_sq.unsqueeze(1) + c_sq.unsqueeze(0) - 2.0 * dot).clamp_min_(0.0)


def _c_sq(C: torch.Tensor) -> torch.Tensor:
    C64 = C.to(torch.float64)
    return (C64 * C64).sum(dim=1)


def kmpp_add_center(
    X: torch.Tensor, x_sq: torch.Tensor, center: torch.Tensor, first: bool, chunk: int,
    closest: torch.Tensor,
) -> None:  # fmt: skip
    """Fold a newly chosen centre (``center`` (1, d), X's dtype) into ``closest`` (IN/OUT;
    OUT only when ``first``)."""
    c_sq = _c_sq(center)
    with _exact():
        for s in range(0, X.shape[0], chunk):
            e = min(X.shape[0], s + chunk)
            dd = _sq_dist(X[s:e], x_sq[s:e], center, c_sq)[:, 0]
            closest[s:e] = dd if first else torch.minimum(closest[s:e], dd)


def kmpp_candidate_potentials(
    X: torch.Tensor, w: torch.Tensor, x_sq: torch.Tensor, cands: torch.Tensor, chunk: int,
    closest: torch.Tensor, pot: torch.Tensor,
) -> None:  # fmt: skip
    """OUT ``pot`` (t,) float64: ``sum_i w_i min(closest_i, d(x_i, cand_c)^2)`` per candidate."""
    c_sq = _c_sq(cands)
    pot.zero_()
    with _exact():
        for s in range(0, X.shape[0], chunk):
            e = min(X.shape[0], s + chunk)
            dd = _sq_dist(X[s:e], x_sq[s:e], cands, c_sq)
            dd = torch.minimum(dd, closest[s:e].unsqueeze(1))
            pot += w[s:e].to(torch.float64) @ dd


def kmpp_take_candidate(
    X: torch.Tensor, x_sq: torch.Tensor, cands: torch.Tensor, best: int, chunk: int,
    closest: torch.Tensor,
) -> None:  # fmt: skip
    """Make candidate ``best`` the next centre: ``closest`` IN/OUT."""
    kmpp_add_center(X, x_sq, cands[best : best + 1], False, chunk, closest)


def kmpp_sample(
    w: torch.Tensor, closest: torch.Tensor, u: torch.Tensor, out: torch.Tensor
) -> float:
    """Draw samples with probability proportional to ``w * closest``.

    ``u`` (t,) float64 IN are uniform draws in ``[0, 1)``; OUT ``out`` (t,) int64 gets, for each,
    the sample where the running sum of ``w * closest`` first exceeds ``u * total`` (always a
    sample of positive mass, since ``u < 1`` and the total is the last running sum).

    Returns
    -------
    float
        The total potential ``sum w * closest``.
    """
    cum = torch.cumsum(w.to(torch.float64) * closest, dim=0)
    total = cum[-1]
    idx = torch.searchsorted(cum, u.to(cum.device) * total, right=True)
    out.copy_(idx.clamp_max_(closest.shape[0] - 1))
    return float(total)


def _exact() -> Any:
    from .kmeans import exact_fp32_matmul

    return exact_fp32_matmul()
