"""Validation shared by the metric functions; messages name the parameter and the value."""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal._validation import check_array, check_option

__all__ = [
    "check_X_labels",
    "check_labels",
    "check_number_of_labels",
    "check_paired_labels",
    "noise_mask",
]


def check_labels(labels: Any, *, name: str = "labels") -> np.ndarray:
    """Return ``labels`` as a 1-D array; raise naming ``name`` when it is not 1-D."""
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of cluster labels; got shape {arr.shape}.")
    return arr


def check_paired_labels(labels_true: Any, labels_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D label arrays of the same length."""
    lt = check_labels(labels_true, name="labels_true")
    lp = check_labels(labels_pred, name="labels_pred")
    if lt.shape[0] != lp.shape[0]:
        raise ValueError(
            f"labels_true has {lt.shape[0]} values but labels_pred has {lp.shape[0]}; "
            "they must have the same length."
        )
    return lt, lp


def check_X_labels(
    X: Any, labels: Any, metric: str, valid_metrics: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Validate data (or a precomputed distance matrix), labels and the metric name."""
    check_option("metric", metric, valid_metrics)
    X = check_array(X, name="X")
    lab = check_labels(labels)
    if lab.shape[0] != X.shape[0]:
        raise ValueError(
            f"labels has {lab.shape[0]} values but X has n_samples={X.shape[0]}; they must match."
        )
    if metric == "precomputed":
        if X.shape[0] != X.shape[1]:
            raise ValueError(
                f"X must be a square distance matrix when metric='precomputed'; got shape "
                f"{X.shape}."
            )
        if np.any(X < 0):
            raise ValueError(
                "X has negative values; a precomputed distance matrix must be non-negative."
            )
        atol = np.finfo(X.dtype).eps * 100
        diag = np.abs(np.diagonal(X))
        if np.any(diag > atol):
            i = int(np.argmax(diag))
            raise ValueError(
                f"The precomputed distance matrix X has non-zero elements on the diagonal "
                f"(X[{i}, {i}]={X[i, i]!r}); use np.fill_diagonal(X, 0)."
            )
    return X, lab


def noise_mask(labels: np.ndarray, noise: str) -> np.ndarray | None:
    """Boolean mask of the samples to keep for ``noise="drop"`` (None when nothing is dropped)."""
    check_option("noise", noise, ["keep", "drop"])
    if noise == "keep" or labels.dtype.kind not in "iuf":
        return None
    mask = labels != -1
    return None if mask.all() else mask


def check_number_of_labels(n_labels: int, n_samples: int) -> None:
    """Internal indices need ``2 <= n_labels <= n_samples - 1`` (scikit-learn's rule)."""
    if not 1 < n_labels < n_samples:
        raise ValueError(
            f"Number of labels is {n_labels}. Valid values are 2 to n_samples - 1 (inclusive); "
            f"got n_samples={n_samples}."
        )
