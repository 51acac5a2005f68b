"""Density-based clustering: DBSCAN (HDBSCAN and OPTICS later), over one spatial-index layer."""

from .dbscan import DBSCAN, dbscan

__all__ = ["DBSCAN", "dbscan"]
