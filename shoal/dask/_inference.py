"""predict / transform / predict_proba / score_samples of a fitted estimator on a dask array.

The fitted estimator travels once (one graph key, without its training labels) and its own
in-memory method runs on every row block (``map_blocks``): the results are exactly the
in-memory ones, as lazy dask arrays.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ._engine import as_dask_array, is_dask

__all__ = [
    "DaskCentroidMixin",
    "DaskMixtureMixin",
    "predict",
    "predict_proba",
    "score_samples",
    "transform",
]


def _portable(estimator: Any) -> Any:
    """A shallow copy without what inference does not read and should not travel: the
    training labels and any dask collection."""
    est = copy.copy(estimator)
    for name, value in list(vars(est).items()):
        if name == "labels_" or is_dask(value):
            delattr(est, name)
    return est


def _apply(block: np.ndarray, est: Any, method: str) -> np.ndarray:
    return np.asarray(getattr(est, method)(block))


def _map(estimator: Any, method: str, X: Any) -> Any:
    import dask
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    if not hasattr(estimator, method):
        raise AttributeError(f"{type(estimator).__name__} has no method {method!r}.")
    X = as_dask_array(X)
    n_in = getattr(estimator, "n_features_in_", None)
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{n_in} features as input."
        )
    est = dask.delayed(_portable(estimator), pure=True, traverse=False)
    # Shape and dtype of the output from a two-row block.
    probe = np.asarray(getattr(estimator, method)(np.zeros((2, X.shape[1]), dtype=X.dtype)))
    if probe.ndim == 1:
        return X.map_blocks(_apply, est, method, drop_axis=1, dtype=probe.dtype, meta=probe[:0])
    return X.map_blocks(
        _apply,
        est,
        method,
        chunks=(X.chunks[0], (probe.shape[1],)),
        dtype=probe.dtype,
        meta=probe[:0],
    )


def predict(estimator: Any, X: Any) -> Any:
    """``estimator.predict`` on every row block of a dask array (a lazy int64 array)."""
    return _map(estimator, "predict", X)


def transform(estimator: Any, X: Any) -> Any:
    """``estimator.transform`` on every row block of a dask array (lazy)."""
    return _map(estimator, "transform", X)


def predict_proba(estimator: Any, X: Any) -> Any:
    """``estimator.predict_proba`` on every row block of a dask array (lazy)."""
    return _map(estimator, "predict_proba", X)


def score_samples(estimator: Any, X: Any) -> Any:
    """``estimator.score_samples`` on every row block of a dask array (lazy)."""
    return _map(estimator, "score_samples", X)


class DaskCentroidMixin:
    """``predict`` / ``transform`` that take dask arrays (lazy results) as well as in-memory
    arrays. Placed before the in-memory estimator in the bases: a dask array is mapped over
    its row blocks, where the in-memory method (this class's ``super()``) runs."""

    def predict(self, X: Any) -> Any:
        if is_dask(X):
            return _map(self, "predict", X)
        return super().predict(X)  # type: ignore[misc]

    def transform(self, X: Any) -> Any:
        if is_dask(X):
            return _map(self, "transform", X)
        return super().transform(X)  # type: ignore[misc]


class DaskMixtureMixin:
    """``predict`` / ``predict_proba`` / ``score_samples`` on dask arrays, as
    :class:`DaskCentroidMixin`."""

    def predict(self, X: Any) -> Any:
        if is_dask(X):
            return _map(self, "predict", X)
        return super().predict(X)  # type: ignore[misc]

    def predict_proba(self, X: Any) -> Any:
        if is_dask(X):
            return _map(self, "predict_proba", X)
        return super().predict_proba(X)  # type: ignore[misc]

    def score_samples(self, X: Any) -> Any:
        if is_dask(X):
            return _map(self, "score_samples", X)
        return super().score_samples(X)  # type: ignore[misc]
