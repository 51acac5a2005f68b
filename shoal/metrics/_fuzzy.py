"""Validity indices of fuzzy partitions (a membership matrix, rows summing to 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fuzzy_partition_coefficient", "partition_entropy"]


def _memberships(u: Any) -> np.ndarray:
    arr = np.asarray(u, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"u must be a non-empty (n_samples, n_clusters) array; got {arr.shape}.")
    if not np.all(np.isfinite(arr)) or (arr < 0).any() or (arr > 1 + 1e-9).any():
        raise ValueError("u must hold memberships in [0, 1].")
    if not np.allclose(arr.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("the rows of u must sum to 1 (one membership per cluster).")
    return arr


def fuzzy_partition_coefficient(u: Any) -> float:
    """Bezdek's partition coefficient ``sum_ij u_ij^2 / n``.

    1 for a hard partition, ``1 / n_clusters`` for the fuzziest one (every membership equal);
    higher means crisper clusters. (scikit-fuzzy's ``fpc``.)

    Parameters
    ----------
    u : array-like of shape (n_samples, n_clusters)
        Memberships, rows summing to 1 (e.g. ``FuzzyCMeans().membership_``).

    Returns
    -------
    float

    Examples
    --------
    >>> fuzzy_partition_coefficient([[1.0, 0.0], [0.5, 0.5]])
    0.75
    """
    arr = _memberships(u)
    return float((arr**2).sum() / arr.shape[0])


def partition_entropy(u: Any) -> float:
    """Bezdek's partition entropy ``-sum_ij u_ij log(u_ij) / n`` (natural log, 0 log 0 = 0).

    0 for a hard partition, ``log(n_clusters)`` for the fuzziest one; lower means crisper.

    Parameters
    ----------
    u : array-like of shape (n_samples, n_clusters)
        Memberships, rows summing to 1.

    Returns
    -------
    float

    Examples
    --------
    >>> round(partition_entropy([[1.0, 0.0], [0.5, 0.5]]), 6)
    0.346574
    """
    arr = _memberships(u)
    logs = np.log(np.where(arr > 0, arr, 1.0))
    return float(-(arr * logs).sum() / arr.shape[0])
