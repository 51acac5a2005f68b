"""Base classes shared by every shoal estimator."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["BaseClusterer", "CentroidMixin", "check_fitted"]


def check_fitted(estimator: Any, attributes: str | list[str] | None = None) -> None:
    """Raise ``NotFittedError`` naming the estimator when it has not been fitted."""
    check_is_fitted(estimator, attributes)


class BaseClusterer(ClusterMixin, BaseEstimator):
    """Base of every shoal clusterer.

    ``__init__`` stores parameters only; ``fit`` validates them (``_validate_params``) and the
    data, then sets attributes ending in ``_``. Subclasses declare ``_test_params``: small
    parameters for the common test suite (one test discovers every estimator and runs
    scikit-learn's ``check_estimator`` on it).
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def _validate_params(self) -> None:  # pragma: no cover - overridden
        """Check the constructor parameters; raise with the parameter name and value."""

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit the model and return the cluster label of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.
        **kwargs : dict
            Passed to ``fit`` (e.g. ``sample_weight``).

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int64
            Cluster labels; -1 marks noise where the algorithm has it.
        """
        return self.fit(X, **kwargs).labels_


class CentroidMixin(TransformerMixin):
    """``transform`` to centre distances and feature names ``<class>0..<class>k-1``."""

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the transformed features: ``"<classname><i>"`` for each cluster."""
        check_fitted(self, "cluster_centers_")
        prefix = type(self).__name__.lower()
        k = self.cluster_centers_.shape[0]
        return np.asarray([f"{prefix}{i}" for i in range(k)], dtype=object)
