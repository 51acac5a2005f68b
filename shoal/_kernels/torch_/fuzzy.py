"""Fuzzy c-means kernels in torch: the weighted centre update and the membership update.

The contracts of ``numba_.fuzzy``: ``X`` (n, d) float32/float64; ``u`` (n, k) memberships
(rows sum to 1); ``w`` (n,) sample weights; per-block partial sums over the row blocks of
``bounds`` (one block ``[0, n]`` is the usual torch call: the reductions are whole-tensor
products). Memberships live in X's dtype on the torch path (float64 on the numba path);
distances are measured directly (no expanded square), ``rows`` of X at a time.
"""

from __future__ import annotations

from typing import Any

import torch

from .mixture import BUDGET

__all__ = ["fcm_centers", "fcm_memberships", "fcm_sq_distances"]

_EPS = float(torch.finfo(torch.float64).eps)


def _bounds(bounds: Any) -> list[int]:
    return [int(b) for b in (bounds.tolist() if hasattr(bounds, "tolist") else bounds)]


def fcm_sq_distances(X: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
    """``(n, k)`` squared distances, each the sum of squared differences (no cancellation),
    in chunks of rows bounded by ``BUDGET`` elements."""
    n, d = X.shape
    k = centers.shape[0]
    C = centers.to(X.dtype)
    out = torch.empty((n, k), dtype=X.dtype, device=X.device)
    step = max(1, BUDGET // max(1, k * d))
    for s in range(0, n, step):
        diff = X[s : s + step, None, :] - C[None, :, :]
        out[s : s + step] = (diff * diff).sum(dim=2)
    return out


def fcm_centers(X, w, u, m, bounds, sums, wsums) -> None:
    """OUT per-block ``sums`` (n_blocks, k, d) = sum_i w_i u_ij^m x_i and ``wsums``
    (n_blocks, k) = sum_i w_i u_ij^m, with ``u`` clamped below at float64's epsilon (as
    scikit-fuzzy)."""
    b = _bounds(bounds)
    m = float(m)
    for t in range(len(b) - 1):
        s, e = b[t], b[t + 1]
        uc = torch.clamp(u[s:e], min=_EPS)
        um = (uc * uc if m == 2.0 else uc**m) * w[s:e, None].to(u.dtype)
        wsums[t] = um.sum(dim=0)
        sums[t] = (um.T.to(X.dtype) @ X[s:e]).to(sums.dtype)


def fcm_memberships(X, w, centers, u, m, bounds, u_new, obj, change) -> None:
    """New memberships ``u_new[i, j] = 1 / sum_l (d_ij / d_il)^(2 / (m - 1))`` (distances
    clamped below at float64's epsilon, taken relative to the nearest centre so no power
    overflows). OUT ``u_new`` (n, k); per block: ``obj`` = sum_i w_i sum_j u_ij^m d_ij^2 of the
    old memberships and these centres, ``change`` = sum_i w_i ||u_new_i - u_i||^2. ``u`` may
    have 0 rows (prediction): ``obj`` and ``change`` are then 0."""
    b = _bounds(bounds)
    m = float(m)
    p = -2.0 / (m - 1.0)
    have_old = u.shape[0] > 0
    for t in range(len(b) - 1):
        s, e = b[t], b[t + 1]
        dist = torch.clamp(torch.sqrt(fcm_sq_distances(X[s:e], centers)), min=_EPS).to(u_new.dtype)
        dmin = dist.min(dim=1, keepdim=True).values
        ratio = dist / dmin
        r = 1.0 / (ratio * ratio) if p == -2.0 else ratio**p
        v = r / r.sum(dim=1, keepdim=True)
        wi = w[s:e].to(u_new.dtype)
        if have_old:
            uc = torch.clamp(u[s:e], min=_EPS)
            um = uc * uc if m == 2.0 else uc**m
            obj[t] = (wi * (um * dist * dist).sum(dim=1)).sum()
            diff = v - u[s:e]
            change[t] = (wi * (diff * diff).sum(dim=1)).sum()
        else:
            obj[t] = 0.0
            change[t] = 0.0
        u_new[s:e] = v
