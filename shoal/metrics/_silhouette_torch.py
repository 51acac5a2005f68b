"""Silhouette of torch tensors (``silhouette_samples`` / ``silhouette_score`` with a tensor X).

The checks and messages of the numpy path; the labels are encoded on the host (they may be
any values numpy orders) and only their codes go to the device; distances and sums are
float64 on X's device (see ``shoal._kernels.torch_.silhouette``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal._backend import is_torch_tensor, to_tensor
from shoal._validation import check_int, check_option, check_random_state
from shoal.metrics._checks import check_labels, check_number_of_labels, noise_mask

__all__ = ["silhouette_samples_torch", "silhouette_score_torch"]


def _check(X: Any, labels: Any, metric: str, metrics: list[str]) -> tuple[Any, np.ndarray]:
    import torch

    check_option("metric", metric, metrics)
    Xt = to_tensor(X, None, name="X")
    lab = labels.detach().cpu().numpy() if is_torch_tensor(labels) else labels
    lab = check_labels(lab)
    n = Xt.shape[0]
    if lab.shape[0] != n:
        raise ValueError(
            f"labels has {lab.shape[0]} values but X has n_samples={n}; they must match."
        )
    if metric == "precomputed":
        if n != Xt.shape[1]:
            raise ValueError(
                f"X must be a square distance matrix when metric='precomputed'; got shape "
                f"{tuple(Xt.shape)}."
            )
        if bool((Xt < 0).any()):
            raise ValueError(
                "X has negative values; a precomputed distance matrix must be non-negative."
            )
        atol = float(torch.finfo(Xt.dtype).eps) * 100
        diag = Xt.diagonal().abs()
        if bool((diag > atol).any()):
            i = int(torch.argmax(diag))
            raise ValueError(
                f"The precomputed distance matrix X has non-zero elements on the diagonal "
                f"(X[{i}, {i}]={float(Xt[i, i])!r}); use X.fill_diagonal_(0)."
            )
    return Xt, lab


def _subset(Xt: Any, keep: np.ndarray, metric: str) -> Any:
    import torch

    idx = torch.as_tensor(np.flatnonzero(keep), device=Xt.device)
    return Xt[idx][:, idx] if metric == "precomputed" else Xt[idx]


def _values(Xt: Any, lab: np.ndarray, metric: str) -> Any:
    import torch

    import shoal._kernels.torch_ as kern

    _, codes, counts = np.unique(lab, return_inverse=True, return_counts=True)
    check_number_of_labels(counts.shape[0], Xt.shape[0])
    if metric == "cosine":
        X64 = Xt.to(torch.float64)
        norms = X64.norm(dim=1, keepdim=True)
        Xt = X64 / torch.where(norms == 0, 1.0, norms)
    out = torch.empty(Xt.shape[0], dtype=torch.float64, device=Xt.device)
    kern.silhouette_values(
        Xt,
        torch.as_tensor(codes.ravel().astype(np.int64), device=Xt.device),
        torch.as_tensor(counts.astype(np.int64), device=Xt.device),
        metric,
        out,
    )
    return out


def silhouette_samples_torch(
    X: Any, labels: Any, metric: str, noise: str, metrics: list[str]
) -> Any:
    """``silhouette_samples`` for a tensor X: a float64 tensor on X's device."""
    import torch

    Xt, lab = _check(X, labels, metric, metrics)
    mask = noise_mask(lab, noise)
    if mask is None:
        return _values(Xt, lab, metric)
    out = torch.full((Xt.shape[0],), float("nan"), dtype=torch.float64, device=Xt.device)
    out[torch.as_tensor(mask, device=Xt.device)] = _values(
        _subset(Xt, mask, metric), lab[mask], metric
    )
    return out


def silhouette_score_torch(
    X: Any, labels: Any, metric: str, sample_size: int | None, random_state: Any, noise: str,
    metrics: list[str],
) -> float:  # fmt: skip
    """``silhouette_score`` for a tensor X (the subsample drawn as the numpy path draws it)."""
    Xt, lab = _check(X, labels, metric, metrics)
    mask = noise_mask(lab, noise)
    if mask is not None:
        Xt, lab = _subset(Xt, mask, metric), lab[mask]
    if sample_size is not None:
        check_int("sample_size", sample_size, low=1)
        import torch

        idx = check_random_state(random_state).permutation(Xt.shape[0])[:sample_size]
        idx_t = torch.as_tensor(idx, device=Xt.device)
        Xt = Xt[idx_t][:, idx_t] if metric == "precomputed" else Xt[idx_t]
        lab = lab[idx]
    return float(_values(Xt, lab, metric).mean())
