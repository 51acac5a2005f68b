"""Mode seeking: mean shift and medoid shift."""

from .meanshift import MeanShift, MedoidShift, estimate_bandwidth, get_bin_seeds

__all__ = ["MeanShift", "MedoidShift", "estimate_bandwidth", "get_bin_seeds"]
