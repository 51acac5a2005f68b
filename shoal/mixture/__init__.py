"""Mixture models fitted by EM: GaussianMixture (BayesianGaussianMixture later)."""

from .anomaly import AnomalyFlags, flag_anomalies, score_threshold
from .gaussian import GaussianMixture

__all__ = ["AnomalyFlags", "GaussianMixture", "flag_anomalies", "score_threshold"]
