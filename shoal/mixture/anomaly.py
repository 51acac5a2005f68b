"""Anomaly flags from a density model's log-likelihoods (score_samples) at a contamination level."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_real

__all__ = ["AnomalyFlags", "flag_anomalies", "score_threshold"]


class AnomalyFlags(NamedTuple):
    """Result of :func:`flag_anomalies`."""

    flags: np.ndarray
    """(n_samples,) bool, True for an anomaly."""
    scores: np.ndarray
    """(n_samples,) float64 log-likelihoods (score_samples) of the samples."""
    threshold: float
    """Samples scoring below this are anomalies."""


def score_threshold(scores: Any, contamination: float) -> float:
    """The log-likelihood below which a ``contamination`` fraction of ``scores`` lies.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Log-likelihoods of reference samples (e.g. the training data).
    contamination : float in (0, 0.5]
        Expected fraction of anomalies.

    Returns
    -------
    threshold : float
        The ``contamination`` quantile of ``scores`` (linear interpolation, as
        ``np.quantile``); exactly ``round(contamination * n)`` reference samples fall below it
        when the scores are distinct and that product is an integer.

    Examples
    --------
    >>> round(score_threshold([-9.0, -1.0, -2.0, -3.0, -1.5], 0.2), 6)
    -4.2
    """
    c = check_real("contamination", contamination, low=0.0, high=0.5, low_inclusive=False)
    assert c is not None
    s = np.asarray(scores, dtype=np.float64).ravel()
    if s.size == 0:
        raise ValueError("scores is empty; at least one reference score is needed.")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores contains NaN or infinity.")
    return float(np.quantile(s, c))


def flag_anomalies(
    model: Any, X: Any, contamination: float = 0.01, *, reference: Any = None
) -> AnomalyFlags:
    """Flag the samples of X whose log-likelihood under a fitted density model is low.

    The threshold is the ``contamination`` quantile of the scores of ``reference`` (the
    training data, say), or of X itself when ``reference`` is None. Works with any fitted
    model that has ``score_samples`` (GaussianMixture, or scikit-learn's density models).

    Parameters
    ----------
    model : fitted estimator with ``score_samples``
    X : array-like of shape (n_samples, n_features)
        Samples to flag.
    contamination : float in (0, 0.5], default=0.01
        Expected fraction of anomalies (in ``reference``).
    reference : array-like of shape (n_ref, n_features), default=None
        Samples that set the threshold; X when None.

    Returns
    -------
    AnomalyFlags
        ``flags`` (True = anomaly), ``scores`` and ``threshold``.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import GaussianMixture
    >>> from shoal.mixture import flag_anomalies
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (500, 2)), [[8.0, 8.0]]])
    >>> gm = GaussianMixture(1, random_state=0).fit(X)
    >>> res = flag_anomalies(gm, X, contamination=0.002)
    >>> bool(res.flags[-1]), int(res.flags.sum())
    (True, 1)
    """
    if not hasattr(model, "score_samples"):
        raise TypeError(
            f"model={type(model).__name__} has no score_samples; fit a density model "
            "(e.g. GaussianMixture) first."
        )
    scores = np.asarray(model.score_samples(X), dtype=np.float64)
    ref_scores = scores if reference is None else model.score_samples(reference)
    threshold = score_threshold(ref_scores, contamination)
    return AnomalyFlags(scores < threshold, scores, threshold)
