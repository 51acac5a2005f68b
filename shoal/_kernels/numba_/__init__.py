"""numba kernels (CPU, the default backend).

Every kernel is ``@njit(cache=True, nogil=True)`` (compiled once, cached on disk, so a second
process does not recompile); ``parallel=True`` only where iterations are independent.
"""

from .bisecting import tree_descend
from .davies_bouldin import davies_bouldin_ratios
from .dunn import dunn_extremes, dunn_extremes_precomputed
from .emi import expected_mutual_information
from .fuzzy import fcm_centers, fcm_memberships
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
from .kmeans_sparse import (
    csr_assign,
    csr_kmpp_potentials,
    csr_kmpp_update,
    csr_lloyd_step,
    csr_row_sq_norms,
    csr_sq_dist_to_assigned,
    csr_transform,
)
from .kmedoids import (
    alternate_update,
    distance_matrix,
    kmedoids_build,
    kmedoids_fasterpam,
    kmedoids_nearest_two,
    kmedoids_pam,
    kmedoids_pp,
    medoid_distances,
    precomputed_check,
)
from .kmodes import kproto_assign, kproto_run
from .minibatch import minibatch_step
from .mixture import (
    gaussian_estep_chol,
    gaussian_estep_diag,
    gaussian_log_det_chol,
    gaussian_log_prob,
    gaussian_moment_sums,
    gaussian_moment_sums_diag,
    gaussian_moments,
    log_normalize_rows,
)
from .seeding import (
    centred_copy,
    kmpp_add_center,
    kmpp_candidate_potentials,
    kmpp_sample,
    kmpp_screen_gains,
    kmpp_take_candidate,
)
from .silhouette import (
    cluster_distance_sums_symmetric,
    silhouette_from_sums,
    silhouette_precomputed,
    silhouette_sorted,
)

__all__ = [
    "alternate_update",
    "assign_labels",
    "block_bounds",
    "centred_copy",
    "cluster_distance_sums_symmetric",
    "csr_assign",
    "csr_kmpp_potentials",
    "csr_kmpp_update",
    "csr_lloyd_step",
    "csr_row_sq_norms",
    "csr_sq_dist_to_assigned",
    "csr_transform",
    "davies_bouldin_ratios",
    "distance_matrix",
    "dunn_extremes",
    "dunn_extremes_precomputed",
    "elkan_step",
    "expected_mutual_information",
    "fcm_centers",
    "fcm_memberships",
    "gaussian_estep_chol",
    "gaussian_estep_diag",
    "gaussian_log_det_chol",
    "gaussian_log_prob",
    "gaussian_moment_sums",
    "gaussian_moment_sums_diag",
    "gaussian_moments",
    "hamerly_step",
    "inertia_dense",
    "kmedoids_build",
    "kmedoids_fasterpam",
    "kmedoids_nearest_two",
    "kmedoids_pam",
    "kmedoids_pp",
    "kmpp_add_center",
    "kmpp_candidate_potentials",
    "kmpp_sample",
    "kmpp_screen_gains",
    "kmpp_take_candidate",
    "kproto_assign",
    "kproto_run",
    "lloyd_step",
    "log_normalize_rows",
    "medoid_distances",
    "minibatch_step",
    "precomputed_check",
    "row_sq_norms",
    "silhouette_from_sums",
    "silhouette_precomputed",
    "silhouette_sorted",
    "sq_dist_to_assigned",
    "transform_dense",
    "tree_descend",
]
