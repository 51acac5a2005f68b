"""Centroid-based clustering: the k-means family (k-medoids, k-modes, fuzzy c-means later)."""

from ._kmeans_core import kmeans_plusplus
from .bisecting import BisectingKMeans
from .fuzzy import FuzzyCMeans
from .kmeans import KMeans
from .minibatch import MiniBatchKMeans

__all__ = ["BisectingKMeans", "FuzzyCMeans", "KMeans", "MiniBatchKMeans", "kmeans_plusplus"]
