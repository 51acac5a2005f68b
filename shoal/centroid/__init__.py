"""Centroid-based clustering: k-means family (k-medoids, k-modes and fuzzy c-means later)."""
