"""Figures (matplotlib, the ``plot`` extra): every function returns the Axes it drew on."""

from ._mixture import full_covariances, gaussian_ellipses, plot_bic
from ._plots import (
    cluster_profiles,
    dendrogram_layout,
    plot_clusters,
    plot_dendrogram,
    plot_k_distance,
    plot_profiles,
    plot_reachability,
    plot_selection,
    plot_silhouette,
    project_2d,
)
from ._tree import condensed_tree_layout, plot_condensed_tree

__all__ = [
    "cluster_profiles",
    "condensed_tree_layout",
    "dendrogram_layout",
    "full_covariances",
    "gaussian_ellipses",
    "plot_bic",
    "plot_clusters",
    "plot_condensed_tree",
    "plot_dendrogram",
    "plot_k_distance",
    "plot_profiles",
    "plot_reachability",
    "plot_selection",
    "plot_silhouette",
    "project_2d",
]
