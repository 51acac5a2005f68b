"""Graph family: affinity propagation (spectral clustering later)."""

from .affinity import AffinityPropagation

__all__ = ["AffinityPropagation"]
