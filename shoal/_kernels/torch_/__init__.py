"""PyTorch kernels (GPU, and CPU for parity tests): the same names and contracts as ``numba_``.

Kernels live in one submodule per algorithm and are re-exported here. Asking for a kernel this
backend does not have raises a clear ``NotImplementedError`` naming the backend that has it.
The Triton kernels (:mod:`.triton_nearest`, the Gaussian mean-shift step in :mod:`.meanshift`)
are built only when a CUDA input (or ``TRITON_INTERPRET=1``) asks for them, so importing this
package never imports triton.
"""

from __future__ import annotations

from typing import Any

from .dbscan import dbscan_torch
from .fuzzy import fcm_centers, fcm_memberships
from .kmeans import (
    assign_labels,
    block_bounds,
    chunk_rows,
    inertia_dense,
    lloyd_step,
    nearest_center,
    row_sq_norms,
    sq_dist_to_assigned,
    transform_dense,
)
from .meanshift import meanshift_flat_step, meanshift_gaussian_step, meanshift_torch
from .minibatch import assign_rows, minibatch_step
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
from .seeding import (
    kmpp_add_center,
    kmpp_candidate_potentials,
    kmpp_sample,
    kmpp_take_candidate,
)
from .silhouette import silhouette_values

__all__ = [
    "MissingKernelError",
    "assign_labels",
    "assign_rows",
    "block_bounds",
    "chunk_rows",
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
    "inertia_dense",
    "kmpp_add_center",
    "kmpp_candidate_potentials",
    "kmpp_sample",
    "kmpp_take_candidate",
    "lloyd_step",
    "log_normalize_rows",
    "meanshift_flat_step",
    "meanshift_gaussian_step",
    "meanshift_torch",
    "minibatch_step",
    "nearest_center",
    "row_sq_norms",
    "silhouette_values",
    "sq_dist_to_assigned",
    "transform_dense",
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
