"""shoal: every classic clustering algorithm behind one scikit-learn-compatible API, fast."""

from __future__ import annotations

from . import metrics, select
from .centroid import (
    BisectingKMeans,
    FuzzyCMeans,
    KMeans,
    KMedoids,
    KModes,
    KPrototypes,
    MiniBatchKMeans,
    kmeans_plusplus,
)
from .density import DBSCAN, HDBSCAN, OPTICS, dbscan, k_distance
from .graph import AffinityPropagation, SpectralClustering
from .hierarchy import AgglomerativeClustering, Birch
from .mixture import BayesianGaussianMixture, GaussianMixture
from .mode import MeanShift, MedoidShift, estimate_bandwidth
from .select import select_k

__version__ = "0.1.0"

__all__ = [
    "DBSCAN",
    "HDBSCAN",
    "OPTICS",
    "AffinityPropagation",
    "AgglomerativeClustering",
    "BayesianGaussianMixture",
    "Birch",
    "BisectingKMeans",
    "FuzzyCMeans",
    "GaussianMixture",
    "KMeans",
    "KMedoids",
    "KModes",
    "KPrototypes",
    "MeanShift",
    "MedoidShift",
    "MiniBatchKMeans",
    "SpectralClustering",
    "__version__",
    "dbscan",
    "estimate_bandwidth",
    "k_distance",
    "kmeans_plusplus",
    "metrics",
    "select",
    "select_k",
]
