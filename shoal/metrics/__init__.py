"""Clustering quality indices.

Internal indices score a partition of data without ground truth: :func:`silhouette_score`,
:func:`silhouette_samples`, :func:`davies_bouldin_score`, :func:`calinski_harabasz_score` and
:func:`dunn_index`. External indices compare a labeling with reference labels:
:func:`adjusted_rand_score`, :func:`rand_score`, :func:`mutual_info_score`,
:func:`normalized_mutual_info_score`, :func:`adjusted_mutual_info_score`,
:func:`homogeneity_score`, :func:`completeness_score`, :func:`v_measure_score`,
:func:`homogeneity_completeness_v_measure`, :func:`fowlkes_mallows_score`, :func:`purity_score`,
:func:`contingency_matrix` and :func:`pair_confusion_matrix`. Fuzzy partitions (a membership
matrix): :func:`fuzzy_partition_coefficient` and :func:`partition_entropy`.

Names, signatures and defaults follow ``sklearn.metrics`` (and give the same values), so these
are drop-in replacements; the quadratic internal indices run as chunked numba kernels that never
allocate an ``n x n`` distance matrix.

Noise (label -1, as written by DBSCAN, HDBSCAN and OPTICS):

- internal indices treat -1 as an ordinary cluster by default, as scikit-learn does; pass
  ``noise="drop"`` to ignore samples labelled -1 (``silhouette_samples`` then returns NaN for
  them, so that its output keeps one value per sample);
- external indices always treat -1 as an ordinary label, as scikit-learn does.
"""

from __future__ import annotations

from shoal.metrics._external import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    completeness_score,
    contingency_matrix,
    fowlkes_mallows_score,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    pair_confusion_matrix,
    purity_score,
    rand_score,
    v_measure_score,
)
from shoal.metrics._fuzzy import fuzzy_partition_coefficient, partition_entropy
from shoal.metrics._internal import (
    calinski_harabasz_score,
    davies_bouldin_score,
    dunn_index,
    silhouette_samples,
    silhouette_score,
)

__all__ = [
    "adjusted_mutual_info_score",
    "adjusted_rand_score",
    "calinski_harabasz_score",
    "completeness_score",
    "contingency_matrix",
    "davies_bouldin_score",
    "dunn_index",
    "fowlkes_mallows_score",
    "fuzzy_partition_coefficient",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "pair_confusion_matrix",
    "partition_entropy",
    "purity_score",
    "rand_score",
    "silhouette_samples",
    "silhouette_score",
    "v_measure_score",
]
