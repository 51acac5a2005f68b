"""numba kernels (CPU, the default backend).

Every kernel is ``@njit(cache=True, nogil=True)`` (compiled once, cached on disk, so a second
process does not recompile); ``parallel=True`` only where iterations are independent.
"""

from .kmeans import (
    assign_labels,
    block_bounds,
    elkan_step,
    hamerly_step,
    inertia_dense,
    lloyd_step,
    row_sq_norms,
    sq_dist_to_assigned,
    transform_dense,
)
from .minibatch import minibatch_step
from .seeding import (
    centred_copy,
    kmpp_add_center,
    kmpp_candidate_potentials,
    kmpp_sample,
    kmpp_take_candidate,
)

__all__ = [
    "assign_labels",
    "block_bounds",
    "centred_copy",
    "elkan_step",
    "hamerly_step",
    "inertia_dense",
    "kmpp_add_center",
    "kmpp_candidate_potentials",
    "kmpp_sample",
    "kmpp_take_candidate",
    "lloyd_step",
    "minibatch_step",
    "row_sq_norms",
    "sq_dist_to_assigned",
    "transform_dense",
]
