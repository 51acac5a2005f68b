"""Estimator-side glue of the torch path: validated tensors in, results where the input lived.

``_backend`` decides *whether* a call runs on torch (``wants_torch``) and converts one array
(``to_tensor``); this module adds what an estimator needs around that: the device a fitted
model computes on, the ``n_features_in_`` bookkeeping that ``validate_X`` does for numpy
input, and sample weights as a tensor. torch is imported only inside the functions, so a
numpy-only fit never imports it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._backend import is_torch_tensor, to_tensor, wants_torch
from ._validation import check_sample_weight

__all__ = [
    "as_param",
    "fitted_on_torch",
    "inference_device",
    "to_host",
    "torch_weights",
    "validate_tensor",
]


def fitted_on_torch(value: Any) -> bool:
    """True when a fitted attribute is a torch tensor (the model was fitted on tensors)."""
    return is_torch_tensor(value)


def inference_device(X: Any, device: str | None, fitted: Any) -> str | None:
    """Device for predict-like calls, or ``None`` for the numba path.

    A tensor ``X`` computes where it lives; numpy input computes on ``device`` when that asks
    for CUDA, else where the fitted tensors live (``fitted``: one fitted attribute), else on
    the numba path.
    """
    if wants_torch(X, device):
        if is_torch_tensor(X):
            return str(X.device)
        return str(device)
    if is_torch_tensor(fitted):
        return str(fitted.device)
    return None


def validate_tensor(
    estimator: Any,
    X: Any,
    *,
    reset: bool,
    device: str | None = None,
    min_samples: int = 1,
) -> Any:
    """``to_tensor`` plus ``n_features_in_``: recorded with ``reset``, checked without.

    ``device`` ``None``/``"auto"`` keeps a tensor where it is (numpy goes to the CPU). A fit on
    a tensor has no feature names, so a stale ``feature_names_in_`` is dropped.
    """
    dev = None if device in (None, "auto") else device
    if is_torch_tensor(X) and X.is_sparse:
        raise ValueError(
            f"X is a sparse torch tensor (layout {X.layout}); pass a dense tensor, or a "
            "scipy.sparse matrix for the CPU path."
        )
    t = to_tensor(X, dev, name="X", min_samples=min_samples)
    d = int(t.shape[1])
    if reset:
        estimator.n_features_in_ = d
        estimator.__dict__.pop("feature_names_in_", None)
    else:
        expected = getattr(estimator, "n_features_in_", d)
        if d != expected:
            raise ValueError(
                f"X has {d} features, but {type(estimator).__name__} is expecting {expected} "
                "features as input."
            )
    return t


def torch_weights(sample_weight: Any, n: int, like: Any) -> Any:
    """Validated sample weights (``check_sample_weight``'s checks and messages) as a tensor of
    ``like``'s dtype on its device; ones when ``None``. A tensor is checked where it lives; the
    input is never modified."""
    import torch

    if sample_weight is None:
        return torch.ones(n, dtype=like.dtype, device=like.device)
    if not is_torch_tensor(sample_weight):
        w_np = check_sample_weight(sample_weight, n, np.float64)
        return torch.from_numpy(w_np).to(device=like.device, dtype=like.dtype)
    w = sample_weight.detach()
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D; got shape {tuple(w.shape)}.")
    if w.shape[0] != n:
        raise ValueError(
            f"sample_weight has {w.shape[0]} values but X has n_samples={n}; they must match."
        )
    w = w.to(device=like.device, dtype=like.dtype)
    if not bool(torch.isfinite(w).all()):
        raise ValueError("sample_weight contains NaN or infinity.")
    if bool((w < 0).any()):
        raise ValueError(
            f"sample_weight has negative values (min {float(w.min())}); weights must be >= 0."
        )
    if not bool((w > 0).any()):
        raise ValueError("sample_weight must have at least one positive value.")
    return w.contiguous()


def as_param(value: Any, like: Any, dtype: Any = None) -> Any:
    """A fitted parameter (numpy array or tensor) as a tensor on ``like``'s device, in
    ``dtype`` (default ``like``'s dtype)."""
    import torch

    dt = like.dtype if dtype is None else dtype
    if is_torch_tensor(value):
        return value.to(device=like.device, dtype=dt)
    return torch.as_tensor(np.asarray(value), device=like.device, dtype=dt)


def to_host(value: Any) -> np.ndarray:
    """A tensor (any device) or array as a numpy array."""
    if is_torch_tensor(value):
        return value.detach().cpu().numpy()
    return np.asarray(value)
