"""Mixture models fitted by EM: GaussianMixture, BayesianGaussianMixture, anomaly flags."""

from .anomaly import AnomalyFlags, flag_anomalies, score_threshold
from .bayesian import BayesianGaussianMixture
from .gaussian import GaussianMixture

__all__ = [
    "AnomalyFlags",
    "BayesianGaussianMixture",
    "GaussianMixture",
    "flag_anomalies",
    "score_threshold",
]
