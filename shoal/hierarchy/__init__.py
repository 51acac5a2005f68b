"""Hierarchical clustering: agglomerative (BIRCH later)."""

from .agglomerative import AgglomerativeClustering, cut_linkage

__all__ = ["AgglomerativeClustering", "cut_linkage"]
