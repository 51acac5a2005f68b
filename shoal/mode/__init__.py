"""Mode seeking: mean shift."""

from .meanshift import MeanShift, estimate_bandwidth, get_bin_seeds

__all__ = ["MeanShift", "estimate_bandwidth", "get_bin_seeds"]
