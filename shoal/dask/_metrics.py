"""Internal indices on dask arrays: exact Calinski-Harabasz and Davies-Bouldin from per-block
statistics (two passes), the silhouette on a random sample (one gather)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int, check_random_state
from ..metrics import silhouette_score as _silhouette_in_memory
from ..metrics._checks import check_number_of_labels
from ._engine import Blocks, as_dask_array, compute, is_dask

__all__ = ["calinski_harabasz_score", "davies_bouldin_score", "silhouette_score"]


def _labels_blocks(X: Any, labels: Any) -> tuple[Blocks, list]:
    """X's row blocks and, aligned with them, the label blocks (delayed)."""
    import dask.array as da

    X = as_dask_array(X)
    if is_dask(labels):
        lab = labels.rechunk((X.chunks[0],))
    else:
        arr = np.asarray(labels)
        lab = da.from_array(arr, chunks=(X.chunks[0],))
    if lab.ndim != 1 or lab.shape[0] != X.shape[0]:
        raise ValueError(
            f"labels must be 1-D with one label per sample: X has {X.shape[0]} samples, "
            f"labels has shape {lab.shape}."
        )
    blocks = Blocks(X, persist=False)
    return blocks, list(lab.to_delayed().ravel())


def _check_noise(noise: str) -> None:
    if noise not in ("keep", "drop"):
        raise ValueError(f"noise={noise!r} must be 'keep' or 'drop'.")


def _sums_block(block: np.ndarray, lab: np.ndarray, drop: bool, i: int) -> dict:
    """{label: (count, sum of rows float64)} of one block."""
    if drop:
        keep = lab != -1
        block, lab = block[keep], lab[keep]
    uniq, codes = np.unique(lab, return_inverse=True)
    out = {}
    for j, u in enumerate(uniq):
        rows = block[codes == j]
        out[u.item()] = (float(rows.shape[0]), rows.sum(axis=0, dtype=np.float64))
    return out


def _spread_block(
    block: np.ndarray, lab: np.ndarray, ids: np.ndarray, centroids: np.ndarray, drop: bool, i: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster: summed squared and summed plain distances to the centroid."""
    if drop:
        keep = lab != -1
        block, lab = block[keep], lab[keep]
    k = ids.shape[0]
    codes = np.searchsorted(ids, lab)
    diff = block.astype(np.float64) - centroids[codes]
    sq = np.einsum("ij,ij->i", diff, diff)
    return (
        np.bincount(codes, weights=sq, minlength=k),
        np.bincount(codes, weights=np.sqrt(sq), minlength=k),
    )


def _cluster_stats(
    X: Any, labels: Any, noise: str
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n, cluster sizes, centroids, summed squared distances, summed distances, data mean)."""
    _check_noise(noise)
    blocks, lab_parts = _labels_blocks(X, labels)
    drop = noise == "drop"
    parts = blocks.gather(_sums_block, drop, extra=lab_parts)
    merged: dict[int, list] = {}
    for part in parts:
        for u, (c, s) in part.items():
            if u in merged:
                merged[u][0] += c
                merged[u][1] = merged[u][1] + s
            else:
                merged[u] = [c, s]
    ids = np.array(sorted(merged))
    counts = np.array([merged[u][0] for u in ids])
    sums = np.array([merged[u][1] for u in ids]).reshape(ids.shape[0], blocks.d)
    n = int(counts.sum())
    check_number_of_labels(ids.shape[0], n)
    centroids = sums / counts[:, None]
    sq, plain = blocks.reduce(_spread_block, ids, centroids, drop, extra=lab_parts)
    mean = sums.sum(axis=0) / n
    return n, counts, centroids, sq, plain, mean


def calinski_harabasz_score(X: Any, labels: Any, *, noise: str = "keep") -> float:
    """Calinski-Harabasz index of a dask array (exact; two passes over X).

    As :func:`shoal.metrics.calinski_harabasz_score`; ``labels`` is a dask array chunked like
    X's rows (it is rechunked otherwise) or an in-memory array.
    """
    n, counts, centroids, sq, _, mean = _cluster_stats(X, labels, noise)
    k = counts.shape[0]
    extra = float(np.sum(counts * np.sum((centroids - mean) ** 2, axis=1)))
    intra = float(sq.sum())
    if intra == 0.0:
        return 1.0
    return extra * (n - k) / (intra * (k - 1.0))


def davies_bouldin_score(X: Any, labels: Any, *, noise: str = "keep") -> float:
    """Davies-Bouldin index of a dask array (exact; two passes over X).

    As :func:`shoal.metrics.davies_bouldin_score`.
    """
    from .._kernels.numba_.davies_bouldin import davies_bouldin_ratios

    _, counts, centroids, _, plain, _ = _cluster_stats(X, labels, noise)
    spread = plain / counts
    k = counts.shape[0]
    ratio = np.empty(k)
    far = np.empty(k)
    davies_bouldin_ratios(centroids, spread, ratio, far)
    if np.all(np.abs(spread) <= 1e-8) or np.all(far <= 1e-8):
        return 0.0
    return float(np.mean(ratio))


def silhouette_score(
    X: Any,
    labels: Any,
    *,
    sample_size: int = 10000,
    random_state: Any = None,
    metric: str = "euclidean",
    noise: str = "keep",
) -> float:
    """Mean silhouette of a random sample of the rows of a dask array.

    ``sample_size`` rows (all when there are fewer) are drawn without replacement with
    ``random_state`` and brought into memory, where :func:`shoal.metrics.silhouette_score`
    scores them (O(sample_size^2 d) time, no quadratic memory). With noise='drop' the rows
    labelled -1 are removed from the sample.
    """
    import dask.array as da

    check_int("sample_size", sample_size, low=2)
    _check_noise(noise)
    X = as_dask_array(X)
    lab = labels if is_dask(labels) else da.from_array(np.asarray(labels), chunks=-1)
    n = X.shape[0]
    rng = check_random_state(random_state)
    idx = np.sort(rng.permutation(n)[: min(sample_size, n)])
    Xs, ls = compute(X[idx], lab[idx])
    return _silhouette_in_memory(np.asarray(Xs), np.asarray(ls), metric=metric, noise=noise)
