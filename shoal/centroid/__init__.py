"""Centroid-based clustering: the k-means family (k-medoids, k-modes, fuzzy c-means later)."""

from ._kmeans_core import kmeans_plusplus
from .bisecting import BisectingKMeans
from .kmeans import KMeans
from .minibatch import MiniBatchKMeans

__all__ = ["BisectingKMeans", "KMeans", "MiniBatchKMeans", "kmeans_plusplus"]
