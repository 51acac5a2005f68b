"""Choosing the number of clusters (and eps, bandwidth): criteria sweeps over any estimator."""

from ..density.kdistance import k_distance, knee_point
from ..graph.spectral import eigengap
from ..mode.meanshift import estimate_bandwidth
from ._mixture import MixtureSweep, mixture_sweep
from ._select import CRITERIA, SelectionResult, elbow_point, select_k

__all__ = [
    "CRITERIA",
    "MixtureSweep",
    "SelectionResult",
    "eigengap",
    "elbow_point",
    "estimate_bandwidth",
    "k_distance",
    "knee_point",
    "mixture_sweep",
    "select_k",
]
