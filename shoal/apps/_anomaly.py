"""Anomaly scores from a Gaussian mixture's likelihood or HDBSCAN's GLOSH."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_array, check_option, check_real

__all__ = ["AnomalyResult", "anomaly_scores"]


@dataclass(frozen=True)
class AnomalyResult:
    """Result of :func:`anomaly_scores`.

    Attributes
    ----------
    scores : ndarray of shape (n_samples,), float64
        Higher is more anomalous: the negative log-likelihood under the mixture ('gmm') or
        the GLOSH score in [0, 1] ('hdbscan').
    threshold : float
        Samples scoring above it are anomalies.
    is_anomaly : ndarray of shape (n_samples,), bool
    model : GaussianMixture or HDBSCAN
        The fitted model (``model.score_samples`` scores new samples for 'gmm').
    method : str
    """

    scores: np.ndarray
    threshold: float
    is_anomaly: np.ndarray
    model: Any
    method: str


def anomaly_scores(
    X: Any,
    *,
    method: str = "gmm",
    contamination: float | None = 0.05,
    threshold: float | None = None,
    random_state: Any = None,
    **params: Any,
) -> AnomalyResult:
    """Score every sample's outlyingness and flag the most anomalous.

    'gmm' fits a ``GaussianMixture`` and scores ``-score_samples`` (the negative
    log-likelihood: low density is anomalous). 'hdbscan' fits ``HDBSCAN`` and scores its GLOSH
    ``outlier_scores_`` (Campello et al. 2015): 0 deep in a cluster, near 1 far from the
    density the sample's cluster reaches. The threshold is ``threshold`` when given, else the
    ``1 - contamination`` quantile of the scores (linear interpolation, as ``np.quantile``; it
    equals the ``contamination`` quantile of the log-likelihoods that
    :func:`shoal.mixture.score_threshold` gives). Samples scoring strictly above it are
    anomalies.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    method : {'gmm', 'hdbscan'}, default='gmm'
    contamination : float in (0, 0.5], default=0.05
        Expected fraction of anomalies; ignored when ``threshold`` is given.
    threshold : float, default=None
        Score above which a sample is an anomaly.
    random_state : int, RandomState instance or None, default=None
        Seed of the mixture's initialisation (HDBSCAN is deterministic).
    **params
        Passed to the estimator: ``n_components``, ``covariance_type``, ... for 'gmm' (default
        ``n_components=1``); ``min_cluster_size``, ``min_samples``, ... for 'hdbscan'.

    Returns
    -------
    AnomalyResult
        ``scores``, ``threshold``, ``is_anomaly``, ``model``, ``method``.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.apps import anomaly_scores
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (200, 2)), [[9.0, 9.0]]])
    >>> res = anomaly_scores(X, contamination=0.01, random_state=0)
    >>> bool(res.is_anomaly[-1]), int(res.scores.argmax())
    (True, 200)
    """
    from ..density import HDBSCAN
    from ..mixture import GaussianMixture
    from ..mixture.anomaly import score_threshold

    check_option("method", method, ("gmm", "hdbscan"))
    check_real("threshold", threshold, allow_none=True)
    if threshold is None:
        if contamination is None:
            raise ValueError("contamination=None needs a threshold; give one of the two.")
        check_real("contamination", contamination, low=0.0, high=0.5, low_inclusive=False)
    X = check_array(X, min_samples=2)
    if method == "gmm":
        model: Any = GaussianMixture(
            **{"n_components": 1, **params, "random_state": random_state}
        ).fit(X)
        loglik = np.asarray(model.score_samples(X), dtype=np.float64)
        scores = -loglik
        if threshold is None:
            assert contamination is not None
            threshold = -score_threshold(loglik, contamination)
    else:
        model = HDBSCAN(**params).fit(X)
        scores = np.asarray(model.outlier_scores_, dtype=np.float64)
        if threshold is None:
            assert contamination is not None
            threshold = float(np.quantile(scores, 1.0 - contamination))
    return AnomalyResult(
        scores=scores,
        threshold=float(threshold),
        is_anomaly=scores > threshold,
        model=model,
        method=method,
    )
