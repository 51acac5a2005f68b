"""Density-based clustering: DBSCAN and OPTICS (HDBSCAN later), over one spatial-index layer."""

from .dbscan import DBSCAN, dbscan
from .kdistance import KDistance, k_distance, knee_point
from .optics import OPTICS, cluster_optics_dbscan, cluster_optics_xi, compute_optics_graph

__all__ = [
    "DBSCAN",
    "OPTICS",
    "KDistance",
    "cluster_optics_dbscan",
    "cluster_optics_xi",
    "compute_optics_graph",
    "dbscan",
    "k_distance",
    "knee_point",
]
