"""Centroid-based clustering: the k-means family (k-medoids, k-modes, fuzzy c-means later)."""

from ._kmeans_core import kmeans_plusplus
from .kmeans import KMeans

__all__ = ["KMeans", "kmeans_plusplus"]
