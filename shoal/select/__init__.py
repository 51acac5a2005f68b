"""Choosing the number of clusters (and eps, bandwidth): criteria sweeps over any estimator."""

from ..density.kdistance import k_distance, knee_point
from ..graph.spectral import eigengap
from ..mode.meanshift import estimate_bandwidth
from ._select import CRITERIA, SelectionResult, elbow_point, select_k

__all__ = [
    "CRITERIA",
    "SelectionResult",
    "eigengap",
    "elbow_point",
    "estimate_bandwidth",
    "k_distance",
    "knee_point",
    "select_k",
]
