"""Centroid-based clustering: the k-means family k-medoids, k-modes, fuzzy c-means."""

from ._kmeans_core import kmeans_plusplus
from .bisecting import BisectingKMeans
from .fuzzy import FuzzyCMeans
from .kmeans import KMeans
from .kmedoids import KMedoids
from .kmodes import KModes, KPrototypes
from .minibatch import MiniBatchKMeans

__all__ = [
    "BisectingKMeans",
    "FuzzyCMeans",
    "KMeans",
    "KMedoids",
    "KModes",
    "KPrototypes",
    "MiniBatchKMeans",
    "kmeans_plusplus",
]
