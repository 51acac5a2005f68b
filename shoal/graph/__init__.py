"""Graph family: spectral clustering and affinity propagation."""

from .affinity import AffinityPropagation
from .spectral import (
    SpectralClustering,
    cluster_qr,
    discretize,
    eigengap,
    graph_laplacian,
    spectral_embedding,
)

__all__ = [
    "AffinityPropagation",
    "SpectralClustering",
    "cluster_qr",
    "discretize",
    "eigengap",
    "graph_laplacian",
    "spectral_embedding",
]
