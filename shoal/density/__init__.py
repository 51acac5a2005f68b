"""Density-based clustering: DBSCAN, HDBSCAN and OPTICS, over one spatial-index layer."""

from .dbscan import DBSCAN, dbscan
from .hdbscan import HDBSCAN
from .kdistance import KDistance, k_distance, knee_point
from .optics import OPTICS, cluster_optics_dbscan, cluster_optics_xi, compute_optics_graph

__all__ = [
    "DBSCAN",
    "HDBSCAN",
    "OPTICS",
    "KDistance",
    "cluster_optics_dbscan",
    "cluster_optics_xi",
    "compute_optics_graph",
    "dbscan",
    "k_distance",
    "knee_point",
]
