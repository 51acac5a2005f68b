"""Density-based clustering: DBSCAN (HDBSCAN and OPTICS later), over one spatial-index layer."""

from .dbscan import DBSCAN, dbscan
from .kdistance import KDistance, k_distance, knee_point

__all__ = ["DBSCAN", "KDistance", "dbscan", "k_distance", "knee_point"]
