"""PyTorch kernels (GPU, and CPU for parity tests): the same names and contracts as ``numba_``.

Each family lives in its own submodule; this module re-exports the kernels. Asking for a kernel
the torch backend does not have raises a clear ``NotImplementedError`` naming the backend that
has it.
"""

from __future__ import annotations

from typing import Any

from .dbscan import dbscan_torch
from .fuzzy import fcm_centers, fcm_memberships
from .meanshift import meanshift_flat_step, meanshift_gaussian_step, meanshift_torch
from .mixture import (
    gaussian_estep,
    gaussian_estep_chol,
    gaussian_estep_diag,
    gaussian_log_det_chol,
    gaussian_log_prob,
    gaussian_moments,
    gaussian_precision_cholesky,
    log_normalize_rows,
)

__all__ = [
    "MissingKernelError",
    "dbscan_torch",
    "fcm_centers",
    "fcm_memberships",
    "gaussian_estep",
    "gaussian_estep_chol",
    "gaussian_estep_diag",
    "gaussian_log_det_chol",
    "gaussian_log_prob",
    "gaussian_moments",
    "gaussian_precision_cholesky",
    "log_normalize_rows",
    "meanshift_flat_step",
    "meanshift_gaussian_step",
    "meanshift_torch",
]


class MissingKernelError(NotImplementedError, AttributeError):
    """A kernel this backend does not have (an AttributeError too, so ``hasattr`` is False)."""


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise MissingKernelError(
        f"The torch_ backend has no kernel {name!r} yet; use the numba_ backend "
        "(pass numpy arrays, device='cpu')."
    )
