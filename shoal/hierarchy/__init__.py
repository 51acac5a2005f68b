"""Hierarchical clustering: agglomerative and BIRCH."""

from .agglomerative import AgglomerativeClustering, cut_linkage
from .birch import Birch

__all__ = ["AgglomerativeClustering", "Birch", "cut_linkage"]
