"""Internal clustering indices: silhouette, Davies-Bouldin, Calinski-Harabasz and Dunn.

They score a partition of data ``X`` without ground truth. The quadratic ones (silhouette,
Dunn) run as chunked, parallel numba kernels that never hold an ``n x n`` distance matrix.
The silhouette computes each pair of samples once into per-thread ``(n_clusters,
n_samples)`` sums while those fit a 256 MiB budget, and otherwise computes every pair twice
with only a (row block x n_clusters) scratch per thread; Dunn visits each pair once with O(1)
scratch. Davies-Bouldin and Calinski-Harabasz need O(n_samples * n_features) memory.

Precision: float32 data is read as is (no float64 copy) but every distance and sum
accumulates in float64, so float32 input gives the value scikit-learn computes on
``X.astype(np.float64)``; scikit-learn itself accumulates float32 input in float32.

Noise: the label -1 (noise, as DBSCAN/HDBSCAN write it) is by default an ordinary cluster, as in
scikit-learn. Pass ``noise="drop"`` to score only the samples with a label other than -1
(``silhouette_samples`` then returns NaN for the noise samples).
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from shoal._backend import is_torch_tensor, select_backend
from shoal._kernels.numba_.pairwise import COSINE, METRIC_CODES, from_surrogate
from shoal._validation import check_int, check_random_state
from shoal.metrics._checks import check_number_of_labels, check_X_labels, noise_mask

__all__ = [
    "calinski_harabasz_score",
    "davies_bouldin_score",
    "dunn_index",
    "silhouette_samples",
    "silhouette_score",
]

METRICS = [*METRIC_CODES, "precomputed"]

# Memory budgets from which block sizes are derived (per parallel block).
_ACC_BYTES = 1 << 20  # per-block (rows x clusters) accumulator
_TILE_BYTES = 1 << 16  # one column tile of data, meant to stay in L1/L2 cache
_MAX_ROW_BLOCK = 64
# Largest (n_threads x n_clusters x n_samples) accumulator for the symmetric silhouette
# kernel, which computes each pair once; above it, the kernel that computes every pair twice
# with O(block x n_clusters) scratch.
_SYMMETRIC_BYTES = 256 << 20
_SYMMETRIC_BLOCK = 256


def _kernels(X: Any) -> Any:
    """The kernel module of the backend chosen for ``X`` (see ``shoal._backend``)."""
    return select_backend(X).kernels


def _row_block(n_clusters: int) -> int:
    return int(max(1, min(_MAX_ROW_BLOCK, _ACC_BYTES // (8 * max(n_clusters, 1)))))


def _col_tile(XT: np.ndarray) -> int:
    return int(max(16, _TILE_BYTES // (XT.dtype.itemsize * XT.shape[0])))


def _encode(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0 .. k - 1`` (int64) and cluster sizes (int64)."""
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return codes.ravel().astype(np.int64, copy=False), counts.astype(np.int64, copy=False)


def _sorted_by_cluster(
    X: np.ndarray, codes: np.ndarray, counts: np.ndarray, metric: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Transposed data sorted by cluster, sorted codes, cluster starts and the sort order.

    The transposed copy, shape (n_features, n_samples), keeps the input dtype; for cosine
    the samples are scaled to unit norm in float64 (zero samples stay zero).
    """
    order = np.argsort(codes, kind="stable")
    XT = np.ascontiguousarray(X[order].T)
    if METRIC_CODES[metric] == COSINE:
        XT = XT.astype(np.float64)
        norms = np.sqrt(np.einsum("ij,ij->j", XT, XT))
        norms[norms == 0.0] = 1.0
        XT /= norms
    starts = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return XT, codes[order], starts, order


def _silhouette_values(X: np.ndarray, labels: np.ndarray, metric: str) -> np.ndarray:
    kern = _kernels(X)
    codes, counts = _encode(labels)
    n = X.shape[0]
    check_number_of_labels(counts.shape[0], n)
    out = np.empty(n, dtype=np.float64)
    rb = _row_block(counts.shape[0])
    if metric == "precomputed":
        kern.silhouette_precomputed(X, codes, counts, rb, out)
        return out
    XT, codes_s, starts, order = _sorted_by_cluster(X, codes, counts, metric)
    out_s = np.empty(n, dtype=np.float64)
    code = METRIC_CODES[metric]
    lanes = numba.get_num_threads()
    if 8 * lanes * counts.shape[0] * n <= _SYMMETRIC_BYTES:
        acc = np.zeros((lanes, counts.shape[0], n), dtype=np.float64)
        kern.cluster_distance_sums_symmetric(XT, codes_s, starts, code, _SYMMETRIC_BLOCK, acc)
        kern.silhouette_from_sums(acc, codes_s, counts, out_s)
    else:
        kern.silhouette_sorted(XT, codes_s, starts, code, rb, _col_tile(XT), out_s)
    out[order] = out_s
    return out


def _subset(X: np.ndarray, mask: np.ndarray, metric: str) -> np.ndarray:
    return X[np.ix_(mask, mask)] if metric == "precomputed" else X[mask]


def silhouette_samples(
    X: Any, labels: Any, *, metric: str = "euclidean", noise: str = "keep"
) -> np.ndarray:
    """Silhouette coefficient of each sample.

    ``s = (b - a) / max(a, b)`` where ``a`` is the mean distance of a sample to the other
    members of its cluster and ``b`` the smallest mean distance to the members of another
    cluster.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
        Data, or a dense distance matrix when ``metric="precomputed"``.
    labels : array-like of shape (n_samples,)
        Cluster label of each sample.
    metric : {"euclidean", "sqeuclidean", "manhattan", "cosine", "precomputed"}, \
default="euclidean"
        Distance between samples.
    noise : {"keep", "drop"}, default="keep"
        ``"keep"`` treats the label -1 as an ordinary cluster (scikit-learn's behaviour);
        ``"drop"`` leaves samples labelled -1 out of every computation and gives them NaN.

    Returns
    -------
    ndarray of shape (n_samples,), float64
        Silhouette value of each sample, in ``[-1, 1]``; a float64 tensor on X's device when
        X is a torch tensor.

    Raises
    ------
    ValueError
        When the number of distinct labels (after dropping noise) is not in
        ``[2, n_samples - 1]``, on a bad metric name, on labels whose length differs from
        ``n_samples``, on NaN/infinite ``X``, or on a precomputed matrix that is not square,
        has negative entries or a non-zero diagonal.

    Notes
    -----
    Equals ``sklearn.metrics.silhouette_samples`` (to rounding) for the same metric. A sample
    alone in its cluster gets 0, as in scikit-learn. Distances accumulate in float64 also for
    float32 input. Noise (label -1) is an ordinary cluster unless ``noise="drop"``.

    Time O(n_samples**2 * n_features); memory O(n_samples * n_features) for a sorted copy of
    the data plus per-sample, per-cluster distance sums: ``n_threads * n_clusters *
    n_samples`` floats while they fit 256 MiB (each pair is then computed once), else a
    ``64 x n_clusters`` block per thread (each pair computed twice). Never ``n x n``.

    A torch tensor X (any device) is scored with torch: row chunks of exact float64 distances
    (``torch.cdist`` without the GEMM shortcut) folded into per-cluster sums, the chunk sized
    from a memory budget; the labels may be a tensor or an array.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.metrics import silhouette_samples
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> silhouette_samples(X, [0, 0, 1, 1]).round(3)
    array([0.905, 0.895, 0.895, 0.905])
    """
    if is_torch_tensor(X):
        from shoal.metrics._silhouette_torch import silhouette_samples_torch

        return silhouette_samples_torch(X, labels, metric, noise, METRICS)
    X, lab = check_X_labels(X, labels, metric, METRICS)
    mask = noise_mask(lab, noise)
    if mask is None:
        return _silhouette_values(X, lab, metric)
    out = np.full(X.shape[0], np.nan)
    out[mask] = _silhouette_values(_subset(X, mask, metric), lab[mask], metric)
    return out


def silhouette_score(
    X: Any,
    labels: Any,
    *,
    metric: str = "euclidean",
    sample_size: int | None = None,
    random_state: Any = None,
    noise: str = "keep",
) -> float:
    """Mean silhouette coefficient over all samples (or a random subsample).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
        Data, or a dense distance matrix when ``metric="precomputed"``.
    labels : array-like of shape (n_samples,)
        Cluster label of each sample.
    metric : {"euclidean", "sqeuclidean", "manhattan", "cosine", "precomputed"}, \
default="euclidean"
        Distance between samples.
    sample_size : int or None, default=None
        Score a random subsample of this many samples (all samples when None).
    random_state : int, RandomState instance or None, default=None
        Seed of the subsample; the same seed picks the same samples as scikit-learn.
    noise : {"keep", "drop"}, default="keep"
        ``"keep"`` treats the label -1 as an ordinary cluster (scikit-learn's behaviour);
        ``"drop"`` removes samples labelled -1 first (the subsample is then drawn from the
        remaining samples).

    Returns
    -------
    float
        Mean silhouette, in ``[-1, 1]``; higher means denser, better separated clusters.

    Raises
    ------
    ValueError
        As :func:`silhouette_samples`.

    Notes
    -----
    Equals ``sklearn.metrics.silhouette_score`` (to rounding), including the subsample drawn
    for a given ``random_state``. Noise (label -1) is an ordinary cluster unless
    ``noise="drop"``. Time O(m**2 * n_features) with ``m`` the number of scored samples;
    no ``m x m`` matrix is allocated. A torch tensor X is scored on its device (see
    :func:`silhouette_samples`); the result is a float.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.metrics import silhouette_score
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> round(silhouette_score(X, [0, 0, 1, 1]), 4)
    0.8997
    """
    if is_torch_tensor(X):
        from shoal.metrics._silhouette_torch import silhouette_score_torch

        return silhouette_score_torch(X, labels, metric, sample_size, random_state, noise, METRICS)
    X, lab = check_X_labels(X, labels, metric, METRICS)
    mask = noise_mask(lab, noise)
    if mask is not None:
        X, lab = _subset(X, mask, metric), lab[mask]
    if sample_size is not None:
        check_int("sample_size", sample_size, low=1)
        idx = check_random_state(random_state).permutation(X.shape[0])[:sample_size]
        X, lab = (X[np.ix_(idx, idx)] if metric == "precomputed" else X[idx]), lab[idx]
    return float(np.mean(_silhouette_values(X, lab, metric)))


def _prepare(X: Any, labels: Any, noise: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated data, label codes and cluster sizes for the centroid-based indices."""
    X, lab = check_X_labels(X, labels, "euclidean", ["euclidean"])
    mask = noise_mask(lab, noise)
    if mask is not None:
        X, lab = X[mask], lab[mask]
    codes, counts = _encode(lab)
    check_number_of_labels(counts.shape[0], X.shape[0])
    return X, codes, counts


def _centroids(X: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    k = counts.shape[0]
    sums = np.empty((k, X.shape[1]), dtype=np.float64)
    for f in range(X.shape[1]):
        sums[:, f] = np.bincount(codes, weights=X[:, f], minlength=k)
    result: np.ndarray = sums / counts[:, None]
    return result


def davies_bouldin_score(X: Any, labels: Any, *, noise: str = "keep") -> float:
    """Davies-Bouldin index: mean over clusters of the worst cluster-similarity ratio.

    For clusters ``i`` and ``j`` with mean centroid distances ``s_i``, ``s_j`` and centroid
    distance ``d_ij``, the ratio is ``(s_i + s_j) / d_ij``; the index averages the largest
    ratio of each cluster.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.
    labels : array-like of shape (n_samples,)
        Cluster label of each sample.
    noise : {"keep", "drop"}, default="keep"
        ``"keep"`` treats the label -1 as an ordinary cluster (scikit-learn's behaviour);
        ``"drop"`` ignores samples labelled -1.

    Returns
    -------
    float
        The index, >= 0; lower is better. 0 when all clusters have zero spread or all
        centroids coincide (as scikit-learn).

    Raises
    ------
    ValueError
        On a number of labels outside ``[2, n_samples - 1]``, mismatched lengths, NaN/inf.

    Notes
    -----
    Equals ``sklearn.metrics.davies_bouldin_score`` (to rounding); float32 input
    accumulates in float64. Noise (label -1) is an ordinary cluster unless
    ``noise="drop"``. Time O(n_samples * n_features + n_clusters**2 * n_features), memory
    O(n_samples * n_features).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.metrics import davies_bouldin_score
    >>> X = np.array([[0.0], [2.0], [10.0], [12.0]])
    >>> davies_bouldin_score(X, [0, 0, 1, 1])
    0.2
    """
    X, codes, counts = _prepare(X, labels, noise)
    centroids = _centroids(X, codes, counts)
    diff = X - centroids[codes]
    dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    spread = np.bincount(codes, weights=dist, minlength=counts.shape[0]) / counts
    ratio = np.empty(counts.shape[0])
    far = np.empty(counts.shape[0])
    _kernels(X).davies_bouldin_ratios(centroids, spread, ratio, far)
    # scikit-learn's np.allclose(..., 0) tests, i.e. every value within 1e-8 of zero.
    if np.all(np.abs(spread) <= 1e-8) or np.all(far <= 1e-8):
        return 0.0
    return float(np.mean(ratio))


def calinski_harabasz_score(X: Any, labels: Any, *, noise: str = "keep") -> float:
    """Calinski-Harabasz index (variance ratio criterion).

    ``[B / (k - 1)] / [W / (n - k)]`` with ``B`` the between-cluster and ``W`` the
    within-cluster sum of squared distances to the centroids.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.
    labels : array-like of shape (n_samples,)
        Cluster label of each sample.
    noise : {"keep", "drop"}, default="keep"
        ``"keep"`` treats the label -1 as an ordinary cluster (scikit-learn's behaviour);
        ``"drop"`` ignores samples labelled -1.

    Returns
    -------
    float
        The index, >= 0; higher is better. 1.0 when ``W`` is zero (as scikit-learn).

    Raises
    ------
    ValueError
        On a number of labels outside ``[2, n_samples - 1]``, mismatched lengths, NaN/inf.

    Notes
    -----
    Equals ``sklearn.metrics.calinski_harabasz_score`` (to rounding); float32 input
    accumulates in float64. Noise (label -1) is an ordinary cluster unless
    ``noise="drop"``. Time and memory O(n_samples * n_features).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.metrics import calinski_harabasz_score
    >>> X = np.array([[0.0], [2.0], [10.0], [12.0]])
    >>> calinski_harabasz_score(X, [0, 0, 1, 1])
    50.0
    """
    X, codes, counts = _prepare(X, labels, noise)
    n, k = X.shape[0], counts.shape[0]
    centroids = _centroids(X, codes, counts)
    mean = X.mean(axis=0, dtype=np.float64)
    extra = float(np.sum(counts * np.sum((centroids - mean) ** 2, axis=1)))
    diff = X - centroids[codes]
    intra = float(np.einsum("ij,ij->", diff, diff))
    if intra == 0.0:
        return 1.0
    return extra * (n - k) / (intra * (k - 1.0))


def dunn_index(X: Any, labels: Any, *, metric: str = "euclidean", noise: str = "keep") -> float:
    """Dunn index: smallest between-cluster distance over the largest cluster diameter.

    The between-cluster distance of two clusters is their closest pair of samples (single
    linkage); the diameter of a cluster is its farthest pair of samples.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
        Data, or a dense distance matrix when ``metric="precomputed"``.
    labels : array-like of shape (n_samples,)
        Cluster label of each sample.
    metric : {"euclidean", "sqeuclidean", "manhattan", "cosine", "precomputed"}, \
default="euclidean"
        Distance between samples.
    noise : {"keep", "drop"}, default="keep"
        ``"keep"`` treats the label -1 as an ordinary cluster; ``"drop"`` ignores samples
        labelled -1.

    Returns
    -------
    float
        The index, >= 0; higher is better. ``inf`` when every cluster has zero diameter.

    Raises
    ------
    ValueError
        On a number of labels outside ``[2, n_samples - 1]``, a bad metric name,
        mismatched lengths, NaN/inf, or a bad precomputed matrix.

    Notes
    -----
    scikit-learn has no Dunn index; the tests compare with a brute-force definition on
    ``scipy.spatial.distance.cdist``. Noise (label -1) is an ordinary cluster unless
    ``noise="drop"``. Each pair of samples is visited once by a chunked, parallel kernel:
    time O(n_samples**2 * n_features), no ``n x n`` matrix (Euclidean compares squared
    distances and takes one square root at the end).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.metrics import dunn_index
    >>> X = np.array([[0.0], [2.0], [10.0], [13.0]])
    >>> dunn_index(X, [0, 0, 1, 1])
    2.6666666666666665
    """
    X, lab = check_X_labels(X, labels, metric, METRICS)
    mask = noise_mask(lab, noise)
    if mask is not None:
        X, lab = _subset(X, mask, metric), lab[mask]
    codes, counts = _encode(lab)
    n = X.shape[0]
    check_number_of_labels(counts.shape[0], n)
    if metric == "precomputed":
        lo_rows = np.empty(n)
        hi_rows = np.empty(n)
        _kernels(X).dunn_extremes_precomputed(X, codes, lo_rows, hi_rows)
        lo, hi = float(lo_rows.min()), float(hi_rows.max())
    else:
        XT, codes_s, starts, _ = _sorted_by_cluster(X, codes, counts, metric)
        rb = _MAX_ROW_BLOCK
        n_blocks = (n + rb - 1) // rb
        lo_b = np.empty(n_blocks)
        hi_b = np.empty(n_blocks)
        code = METRIC_CODES[metric]
        _kernels(X).dunn_extremes(XT, codes_s, starts, code, rb, _col_tile(XT), lo_b, hi_b)
        lo = float(from_surrogate(lo_b.min(), code))
        hi = float(from_surrogate(hi_b.max(), code))
    if hi == 0.0:
        return float("inf")
    return lo / hi
