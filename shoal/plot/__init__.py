"""Figures (matplotlib, the ``plot`` extra): every function returns the Axes it drew on."""

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

__all__ = [
    "cluster_profiles",
    "dendrogram_layout",
    "plot_clusters",
    "plot_dendrogram",
    "plot_k_distance",
    "plot_profiles",
    "plot_reachability",
    "plot_selection",
    "plot_silhouette",
    "project_2d",
]
