"""Mixture models fitted by EM: GaussianMixture (BayesianGaussianMixture later)."""

from .gaussian import GaussianMixture

__all__ = ["GaussianMixture"]
